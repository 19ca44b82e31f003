import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, IN8nHttpFullResponse } from 'n8n-workflow';

import { falHttpError, falNetworkError, type JobContext } from './errors';
import { CREDENTIAL_TYPE, falOrigins, type FalOrigins } from './hosts';
import { RETRY_POLICIES, retryDelayMs, shouldRetryNetworkError, shouldRetryStatus, type CallKind } from './retry';
import { pause, throwIfCancelled } from './cancellation';

/**
 * The only module that talks to fal with the API key. Every call returns fal's parsed JSON or throws
 * an n8n error naming the item, the HTTP status and the fal request id; the key never reaches an
 * error, since errors are built from the status and body alone.
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
}

export interface FalAnswer<T> {
	status: number;
	body: T;
	/** fal's x-fal-request-id header. */
	requestId?: string;
}

const REQUEST_TIMEOUT_MS = 60_000;

export async function getFalOrigins(ctx: IExecuteFunctions): Promise<FalOrigins> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	return falOrigins(credentials.baseUrl);
}

function header(response: IN8nHttpFullResponse, name: string): string | undefined {
	const value = response.headers?.[name];
	return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

function parseBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body);
	} catch {
		return body;
	}
}

export async function callFal<T>(ctx: IExecuteFunctions, call: FalCall, job: JobContext): Promise<FalAnswer<T>> {
	const policy = RETRY_POLICIES[call.kind];
	const signal = ctx.getExecutionCancelSignal();
	for (let attempt = 0; ; attempt++) {
		throwIfCancelled(ctx, signal, job);
		let response: IN8nHttpFullResponse;
		try {
			response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, {
				method: call.method,
				url: call.url,
				body: call.body,
				qs: call.qs,
				headers: { Accept: 'application/json', ...call.headers },
				json: true,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: REQUEST_TIMEOUT_MS,
			})) as IN8nHttpFullResponse;
		} catch (error) {
			throwIfCancelled(ctx, signal, job);
			if (attempt < policy.maxRetries && shouldRetryNetworkError(policy, error)) {
				await pause(ctx, retryDelayMs(policy, attempt), signal, job);
				continue;
			}
			throw falNetworkError(ctx.getNode(), error, job, call.what);
		}

		const status = response.statusCode;
		const body = parseBody(response.body);
		const requestId = job.requestId ?? header(response, 'x-fal-request-id');
		if ((status >= 200 && status < 300) || call.acceptStatus?.includes(status)) {
			return { status, body: body as T, requestId };
		}
		if (attempt < policy.maxRetries && shouldRetryStatus(policy, status)) {
			await pause(ctx, retryDelayMs(policy, attempt, response.headers?.['retry-after']), signal, job);
			continue;
		}
		throw falHttpError(ctx.getNode(), status, body, { ...job, requestId }, call.what);
	}
}
