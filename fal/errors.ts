import type { IDataObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { FalErrorSignals } from './answers';

/** What the node knows about the fal job an error belongs to. */
export interface JobContext {
	itemIndex: number;
	requestId?: string;
	/** The job was accepted and has not been seen to end: it may still run, and be billed. */
	mayStillRun?: boolean;
}

/** fal's input field names → the node's parameter names, for 422 messages. */
const FIELD_TO_PARAMETER: Record<string, string> = {
	prompt: 'Prompt',
	image_url: 'Image URL',
	duration: 'Duration',
	prompt_optimizer: 'Prompt Optimizer',
	resolution: 'Resolution',
	end_image_url: 'Last Frame URL',
};

// n8n replaces a whole error message that contains a Node error code (ECONNRESET…) with a generic
// sentence, losing the item and the request id; so codes are put into words in messages, and kept
// as they are only in descriptions.
const NETWORK_CODES_IN_WORDS: Record<string, string> = {
	ECONNREFUSED: 'the connection was refused',
	ECONNRESET: 'the connection was closed unexpectedly',
	EPIPE: 'the connection was closed unexpectedly',
	ETIMEDOUT: 'the connection timed out',
	ESOCKETTIMEDOUT: 'the connection timed out',
	ECONNABORTED: 'the request timed out',
	ENOTFOUND: 'the host name was not found',
	EAI_AGAIN: 'the host name could not be looked up',
	EHOSTUNREACH: 'the host is unreachable',
	ENETUNREACH: 'the network is unreachable',
	ERR_STREAM_PREMATURE_CLOSE: 'the connection was closed unexpectedly',
};

export function networkErrorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

/** Whether n8n's SSRF protection refused the request before it was sent (n8n 2.x: `SsrfBlocked…Error`). */
export function blockedByN8n(error: unknown): boolean {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		if (/^SsrfBlocked/.test(String((current as { name?: unknown }).name))) return true;
		current = (current as { cause?: unknown }).cause;
	}
	return false;
}

export function networkErrorInWords(error: unknown): string {
	if (blockedByN8n(error)) return "n8n's SSRF protection refused the address";
	const code = networkErrorCode(error);
	return (code && NETWORK_CODES_IN_WORDS[code]) ?? 'the network request failed';
}

/** The underlying cause of a failed request, for a description: code and message, never headers. */
export function causeOf(error: unknown): string {
	const code = networkErrorCode(error);
	const message = error instanceof Error ? error.message : String(error);
	return `Cause: ${code ? `${code}: ` : ''}${message}`.slice(0, 300);
}

function jobSuffix(job: JobContext): string {
	return job.requestId ? ` (item ${job.itemIndex}, fal request ${job.requestId})` : ` (item ${job.itemIndex})`;
}

function jobDescription(job: JobContext, ...advice: Array<string | undefined>): string {
	const parts = advice.filter((part): part is string => !!part);
	if (job.requestId) parts.push(`fal request id: ${job.requestId}.`);
	if (job.requestId && job.mayStillRun) {
		parts.push('The job may still be running on fal; its result can be fetched later with this id.');
	}
	return parts.join(' ');
}

function attachJob<T extends NodeApiError | NodeOperationError>(error: T, job: JobContext, extra: IDataObject = {}): T {
	error.context = { ...error.context, itemIndex: job.itemIndex, ...extra };
	if (job.requestId) error.context.requestId = job.requestId;
	return error;
}

export function detailText(body: unknown): string | undefined {
	if (typeof body === 'string') return body.trim().slice(0, 500) || undefined;
	if (!body || typeof body !== 'object') return undefined;
	const detail = (body as { detail?: unknown }).detail;
	if (typeof detail === 'string') return detail;
	if (Array.isArray(detail)) {
		return detail
			.map((entry: { loc?: unknown[]; msg?: string }) => {
				// loc is e.g. ["body", "prompt"]; a bare ["body"] is about the input as a whole
				const field = Array.isArray(entry.loc) && entry.loc.length > 1 ? String(entry.loc[entry.loc.length - 1]) : '';
				const name = FIELD_TO_PARAMETER[field] ?? field;
				return name ? `${name}: ${entry.msg ?? 'invalid'}` : (entry.msg ?? 'invalid input');
			})
			.join('; ');
	}
	const message = (body as { message?: unknown; error?: unknown }).message ?? (body as { error?: unknown }).error;
	return typeof message === 'string' ? message : undefined;
}

const ADVICE_BY_STATUS: Record<number, string> = {
	401: 'Check the API key in the Hailuo credential (fal.ai dashboard → Keys).',
	404: 'fal does not know this request: check the Request ID and the credential\'s Base URL.',
	403: 'The key is valid but may not use this model: check the key\'s scope and the account\'s balance and access on fal.ai.',
	422: 'fal rejected the input; correct the named parameter.',
	429: 'fal is rate limiting this account; try again later, or lower Options → Max Videos in Flight.',
};

/** Words fal's answer is summed up in: what a person needs to read first. */
function statusLabel(status: number, detail: string, what: string): string {
	if (status === 401) return `fal rejected the API key (HTTP 401)`;
	if (status === 403) return `fal did not allow this request (HTTP 403): ${detail}`;
	if (status === 422) return `fal rejected the input (HTTP 422): ${detail}`;
	return `fal answered HTTP ${status} to ${what}: ${detail}`;
}

/** What fal's error headers (and an infrastructure error's body) say, in words and as context. */
function signalsOf(body: unknown, signals: FalErrorSignals = {}): { words?: string; context: IDataObject } {
	const bodyType = body && typeof body === 'object' ? (body as { error_type?: unknown }).error_type : undefined;
	const errorType = signals.errorType ?? (typeof bodyType === 'string' ? bodyType : undefined);
	const parts: string[] = [];
	if (errorType) parts.push(`fal's error type: ${errorType}.`);
	if (signals.retryable === true) parts.push('fal marks it retryable: the same request may succeed when tried again.');
	if (signals.retryable === false) parts.push('fal marks it not retryable: the same request fails again as it is.');
	const context: IDataObject = {};
	if (errorType) context.falErrorType = errorType;
	if (signals.retryable !== undefined) context.falRetryable = signals.retryable;
	return { words: parts.length > 0 ? parts.join(' ') : undefined, context };
}

/** A non-2xx answer from fal, as an error that names the item, the HTTP status and the request id. */
export function falHttpError(
	node: INode,
	status: number,
	body: unknown,
	job: JobContext,
	what: string,
	extraAdvice?: string,
	signals?: FalErrorSignals,
): NodeApiError {
	const detail = detailText(body) ?? 'no details';
	const said = signalsOf(body, signals);
	// fal does not know the job: nothing says it may still be running
	if (status === 404) job = { ...job, mayStillRun: false };
	const error = new NodeApiError(node, { status, detail } as JsonObject, {
		message: `${statusLabel(status, detail, what)}${jobSuffix(job)}`,
		description: jobDescription(
			job,
			ADVICE_BY_STATUS[status] ?? (status >= 500 ? 'fal had trouble on its side.' : undefined),
			said.words,
			extraAdvice,
		),
		httpCode: String(status),
		itemIndex: job.itemIndex,
	});
	// a passing fault is read past while waiting, unless fal says trying again cannot help
	const transient = isTransientStatus(status) && signals?.retryable !== false;
	return attachJob(error, job, { httpCode: status, ...said.context, ...(transient ? { transient: true } : {}) });
}

/** fal busy or in trouble: the same call may succeed later. */
function isTransientStatus(status: number): boolean {
	return status === 408 || status === 429 || status >= 500;
}

/**
 * Whether an error is a passing fault (a network error, fal busy, an answer that could not be read) rather
 * than an answer about the job: while waiting for a job, such faults are read past until the deadline.
 */
export function isTransient(error: unknown): boolean {
	return (error as { context?: IDataObject } | undefined)?.context?.transient === true;
}

/** A job that ran and ended with an error on fal's side. */
export function generationFailedError(
	node: INode,
	failure: { status: number; body: unknown; signals?: FalErrorSignals },
	fallbackMessage: string,
	job: JobContext,
): NodeApiError {
	const detail = detailText(failure.body) ?? fallbackMessage;
	const status = failure.status >= 400 ? failure.status : undefined;
	const said = signalsOf(failure.body, failure.signals);
	const advice =
		failure.signals?.retryable === true
			? 'The job ended on fal with an error that fal marks retryable: run the item again (fal bills no failed job).'
			: 'The job ended on fal with an error: check the prompt and the image against the reason fal gives.';
	const error = new NodeApiError(node, { status: status ?? null, detail } as JsonObject, {
		message: `fal could not generate the video${status ? ` (HTTP ${status})` : ''}: ${detail}${jobSuffix(job)}`,
		description: jobDescription(job, advice, said.words),
		httpCode: status ? String(status) : undefined,
		itemIndex: job.itemIndex,
	});
	return attachJob(error, job, { ...(status ? { httpCode: status } : {}), ...said.context });
}

export function falNetworkError(node: INode, error: unknown, job: JobContext, what: string): NodeApiError {
	const words = networkErrorInWords(error);
	const failure = new NodeApiError(node, { reason: words } as JsonObject, {
		message: `Could not reach fal to ${what}: ${words}${jobSuffix(job)}`,
		description: jobDescription(job, 'Check the network, or the Base URL in the Hailuo credential.', `${causeOf(error)}.`),
		itemIndex: job.itemIndex,
	});
	return attachJob(failure, job, { networkError: words, transient: true });
}

/** How long fal keeps a job's result (fal's docs: the request's payloads are stored 30 days unless turned off). */
export const RESULT_RETENTION_WORDS =
	'fal keeps a result 30 days when payload storage is on (its default), and only 1 hour after the job ends (6 minutes for a result of 10 KB or more) when the job was submitted with Store Request on fal.ai off';

/** fal knows no job by this id under any of the queue apps the node knows: a 404 everywhere. */
export function unknownJobError(node: INode, job: JobContext, apps: readonly string[]): NodeApiError {
	const error = new NodeApiError(node, { status: 404 } as JsonObject, {
		message: `fal does not know the request ID ${job.requestId ?? ''}: HTTP 404 from every model's queue (item ${job.itemIndex})`,
		description: `fal answered 404 under ${apps.join(', ')}: there is no such job for this API key. Causes: a typo in the ID, a job of another fal account (another key), a model this node does not offer, or a job past fal's retention (${RESULT_RETENTION_WORDS}).`,
		httpCode: '404',
		itemIndex: job.itemIndex,
	});
	return attachJob(error, job, { httpCode: 404 });
}

/** The job is known, but fal no longer gives its result: past fal's retention. */
export function resultGoneError(node: INode, job: JobContext): NodeApiError {
	const error = new NodeApiError(node, { status: 404 } as JsonObject, {
		message: `fal no longer keeps the result of this job: HTTP 404 for its result${jobSuffix(job)}`,
		description: `The job ended, and its result is past fal's retention: ${RESULT_RETENTION_WORDS}. Collect videos when their jobs end (the Hailuo Trigger, or Generate), or keep Store Request on fal.ai on.`,
		httpCode: '404',
		itemIndex: job.itemIndex,
	});
	return attachJob(error, job, { httpCode: 404, resultGone: true });
}

const MAY_BE_BILLED_ADVICE =
	'fal may have accepted this job and will then bill it. Check the requests of this model in the fal dashboard before running the item again: running it again may create a second, paid job.';

/**
 * A submit that may have created a paid job: it timed out, the connection closed after the request was
 * sent, fal answered 5xx, or fal's answer could not be read. It is never sent again automatically.
 */
export function ambiguousSubmitError(node: INode, job: JobContext, reason: string, cause?: string, httpStatus?: number): NodeApiError {
	const error = new NodeApiError(node, { reason } as JsonObject, {
		message: `The submit may have reached fal, which may bill the job: ${reason}${jobSuffix(job)}`,
		description: jobDescription(job, MAY_BE_BILLED_ADVICE, cause),
		httpCode: httpStatus ? String(httpStatus) : undefined,
		itemIndex: job.itemIndex,
	});
	return attachJob(error, job, { mayHaveBeenBilled: true, ...(httpStatus ? { httpCode: httpStatus } : {}) });
}

/** An error of the transport as it is (already an n8n error naming the job), or anything else wrapped so that it does. */
export function asJobError(node: INode, error: unknown, job: JobContext): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return jobError(node, error instanceof Error ? error.message : String(error), job);
}

/** Anything else that went wrong with a job: timeout, malformed answer, cut download. */
export function jobError(node: INode, message: string, job: JobContext, advice?: string, extra?: IDataObject): NodeOperationError {
	const error = new NodeOperationError(node, `${message}${jobSuffix(job)}`, {
		description: jobDescription(job, advice),
		itemIndex: job.itemIndex,
	});
	return attachJob(error, job, extra);
}
