import type {
	IDataObject,
	IHttpRequestMethods,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
} from 'n8n-workflow';

import { cancelledError, isCancelled, pause, sleepUnlessAborted, throwIfCancelled } from './cancellation';
import {
	ambiguousSubmitError,
	blockedByN8n,
	causeOf,
	detailText,
	falHttpError,
	falNetworkError,
	jobError,
	networkErrorCode,
	networkErrorInWords,
	type JobContext,
} from './errors';
import { CREDENTIAL_TYPE } from './account';
import { errorSignals, header, parseBody, type FalErrorSignals } from './answers';
import { RETRY_POLICIES, retryDelayMs, shouldRetryNetworkError, shouldRetryStatus, type CallKind, type RetryPolicy } from './retry';
import type { FalSession, N8nContext } from './session';
import { sendUnabortable } from './unabortable';

/**
 * The keyed caller: every call to fal with the API key goes through `callFal` (or, after Stop, `callFalAfterStop`).
 * Every call returns fal's parsed JSON or throws an n8n error naming the item, the HTTP status and the fal request
 * id; the key never reaches an error, since errors are built from the status, the body and the error code alone.
 * Every call but a submit passes n8n's cancel signal (see `send`), and the key is never sent on to another origin
 * by a redirect.
 */

export interface FalCall {
	method: IHttpRequestMethods;
	url: string;
	body?: IDataObject;
	qs?: IDataObject;
	headers?: IDataObject;
	kind: CallKind;
	/** Words for error messages: "submit the job", "read the job status"… */
	what: string;
	/** Statuses that are answers, not errors, for this call (e.g. 400 from cancel). */
	acceptStatus?: readonly number[];
	timeoutMs?: number;
	/** A 2xx answer must be a JSON object; anything else (a proxy's error page) counts as a transient fault. */
	expectObject?: boolean;
	/**
	 * Asked before every attempt, after any backoff: a reason not to send after all (the run started to
	 * fail meanwhile). A submit held back by a 429 must not go out once nobody wants its video.
	 */
	abandon?: () => string | undefined;
}

export interface FalAnswer<T> {
	status: number;
	body: T;
	/** fal's x-fal-request-id header. */
	requestId?: string;
	/** What fal's headers say about an error answer (retryable, error type). */
	signals?: FalErrorSignals;
}

const REQUEST_TIMEOUT_MS = 60_000;

/** A submit that failed this way may have created a job on fal: never send it again. */
function submitMayHaveReachedFal(error: unknown): boolean {
	if (blockedByN8n(error)) return false;
	const code = networkErrorCode(error);
	return !['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code ?? '');
}

function requestOptions(call: FalCall): IHttpRequestOptions {
	return {
		method: call.method,
		url: call.url,
		body: call.body,
		qs: call.qs,
		headers: { Accept: 'application/json', ...call.headers },
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: call.timeoutMs ?? REQUEST_TIMEOUT_MS,
	};
}

/**
 * One HTTP request of a call, through n8n's authenticated helper, which aborts it on Stop. Not a submit:
 * aborted in flight, it may leave a job on fal whose id the node never learns, which then runs and bills
 * unseen. A submit is let finish, and its caller cancels the job if Stop came meanwhile.
 */
async function send(ctx: N8nContext, call: FalCall, signal: AbortSignal | undefined): Promise<IN8nHttpFullResponse> {
	if (call.kind === 'submit') return await sendUnabortable(ctx, requestOptions(call));
	return (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, {
		...requestOptions(call),
		abortSignal: signal,
		sendCredentialsOnCrossOriginRedirect: false,
	})) as IN8nHttpFullResponse;
}

/**
 * Whether an error answer is worth another try: never what fal marks not retryable (a 504 whose deadline was the
 * caller's own, say); for a read, whatever fal marks retryable, else the policy's statuses. A submit keeps to its
 * policy (429 only): a job fal may have accepted is never sent twice, whatever the header says.
 */
function mayRetry(kind: CallKind, policy: RetryPolicy, status: number, signals: FalErrorSignals): boolean {
	if (signals.retryable === false) return false;
	if (kind === 'read' && signals.retryable === true) return true;
	return shouldRetryStatus(policy, status);
}

/**
 * Waits until an attempt may go out: not after n8n's Stop, not before fal's 429 gate opens, not once the caller
 * has a reason not to send after all (`abandon`). A submit dropped here was not sent (a submit is tried again
 * only where fal cannot have accepted it): n8n's log names the item and why.
 */
async function readyToSend(fal: FalSession, call: FalCall, job: JobContext): Promise<void> {
	const { ctx, signal } = fal;
	const notSent = (reason: string, error: Error): Error => {
		if (call.kind === 'submit') ctx.logger.info(`Hailuo: item ${job.itemIndex} not submitted: ${reason}`, { itemIndex: job.itemIndex });
		return error;
	};
	// the gate's wait ends early (and throws) only on Stop, which is seen just below
	await fal.gate.waitOpen(ctx, signal, job).catch(() => undefined);
	if (fal.stopped) throw notSent('the execution was stopped', cancelledError(ctx, job));
	const abandoned = call.abandon?.();
	if (abandoned) throw notSent(abandoned.replace(/^not submitted: /i, ''), jobError(ctx.getNode(), abandoned, job));
	// the run gave up (another item failed): a read of it ends here
	if (isCancelled(signal)) throw cancelledError(ctx, job);
}

/**
 * One call to fal with the key. Every call of a session waits on its 429 gate, and a 429 holds the gate for
 * all of them (for Retry-After, up to the session's limit). Reads repeat on transient faults; a submit only
 * where fal cannot have accepted it.
 */
export async function callFal<T>(fal: FalSession, call: FalCall, job: JobContext): Promise<FalAnswer<T>> {
	const { ctx } = fal;
	const policy = RETRY_POLICIES[call.kind];
	const signal = fal.signal;
	for (let attempt = 0; ; attempt++) {
		await readyToSend(fal, call, job);
		let response: IN8nHttpFullResponse;
		try {
			response = await send(ctx, call, signal);
		} catch (error) {
			if (call.kind !== 'submit') throwIfCancelled(ctx, signal, job);
			if (attempt < policy.maxRetries && shouldRetryNetworkError(policy, error, attempt)) {
				// a Stop meanwhile ends the call in readyToSend
				await sleepUnlessAborted(retryDelayMs(policy, attempt), signal);
				continue;
			}
			if (call.kind === 'submit' && submitMayHaveReachedFal(error)) {
				throw ambiguousSubmitError(ctx.getNode(), job, `the submit ended without an answer (${networkErrorInWords(error)})`, `${causeOf(error)}.`);
			}
			throw falNetworkError(ctx.getNode(), error, job, call.what);
		}

		const status = response.statusCode;
		const body = parseBody(response.body);
		const requestId = job.requestId ?? header(response, 'x-fal-request-id');
		const malformed = call.expectObject === true && (typeof body !== 'object' || body === null);
		if (status >= 200 && status < 300 && malformed && attempt < policy.maxRetries && call.kind === 'read') {
			await pause(ctx, retryDelayMs(policy, attempt), signal, job);
			continue;
		}
		const signals = errorSignals(response);
		if ((status >= 200 && status < 300) || call.acceptStatus?.includes(status)) {
			return { status, body: body as T, requestId, signals };
		}
		if (status === 429) fal.gate.holdFor(retryDelayMs(policy, attempt, response.headers?.['retry-after'], fal.maxBackoffMs));
		if (attempt < policy.maxRetries && mayRetry(call.kind, policy, status, signals)) {
			if (status !== 429) await pause(ctx, retryDelayMs(policy, attempt), signal, job);
			continue;
		}
		if (call.kind === 'submit' && status >= 500) {
			const detail = detailText(body) ?? 'no details';
			throw ambiguousSubmitError(ctx.getNode(), { ...job, requestId }, `fal answered HTTP ${status}: ${detail}`, undefined, status);
		}
		throw falHttpError(ctx.getNode(), status, body, { ...job, requestId }, call.what, undefined, signals);
	}
}

/**
 * One call after n8n's Stop: the cancel of a job that must not be left running. n8n 2.x puts the
 * execution's cancel signal on every authenticated request, so once Stop is pressed that helper can send
 * nothing; this call is sent unabortable (unabortable.ts) and never repeated.
 */
export async function callFalAfterStop<T>(ctx: N8nContext, call: FalCall, job: JobContext): Promise<FalAnswer<T>> {
	let response: IN8nHttpFullResponse;
	try {
		response = await sendUnabortable(ctx, requestOptions(call));
	} catch (error) {
		throw falNetworkError(ctx.getNode(), error, job, call.what);
	}
	const body = parseBody(response.body);
	const status = response.statusCode;
	if ((status >= 200 && status < 300) || call.acceptStatus?.includes(status)) return { status, body: body as T };
	throw falHttpError(ctx.getNode(), status, body, job, call.what, undefined, errorSignals(response));
}
