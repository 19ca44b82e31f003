import type { IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import { cancelledError, isCancelled, pause } from './cancellation';
import { falNetworkError, jobError, type JobContext } from './errors';
import { RETRY_POLICIES, retryDelayMs, shouldRetryNetworkError, shouldRetryStatus, type RetryPolicy } from './retry';
import type { N8nContext } from './session';

/**
 * Requests that carry no API key (the signed upload URL, fal's CDN, an image host), sent with n8n's
 * cancel signal and repeated on transient faults like every idempotent read.
 */
export interface PlainRequest {
	options: Omit<IHttpRequestOptions, 'returnFullResponse' | 'ignoreHttpStatusErrors' | 'abortSignal'>;
	/** Words for errors: "download the video". */
	what: string;
	policy?: RetryPolicy;
}

export async function plainRequest(
	ctx: N8nContext,
	signal: AbortSignal | undefined,
	request: PlainRequest,
	job: JobContext,
): Promise<IN8nHttpFullResponse> {
	const policy = request.policy ?? RETRY_POLICIES.read;
	for (let attempt = 0; ; attempt++) {
		let response: IN8nHttpFullResponse;
		try {
			response = await ctx.helpers.httpRequest({
				...request.options,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				abortSignal: signal,
			});
		} catch (error) {
			if (isCancelled(signal)) throw cancelledError(ctx, job);
			if (attempt < policy.maxRetries && shouldRetryNetworkError(policy, error, attempt)) {
				await pause(ctx, retryDelayMs(policy, attempt), signal, job);
				continue;
			}
			throw falNetworkError(ctx.getNode(), error, job, request.what);
		}
		if (response.statusCode >= 200 && response.statusCode < 300) return response;
		(response.body as { destroy?: () => void } | undefined)?.destroy?.();
		if (attempt < policy.maxRetries && shouldRetryStatus(policy, response.statusCode)) {
			await pause(ctx, retryDelayMs(policy, attempt, response.headers?.['retry-after']), signal, job);
			continue;
		}
		throw jobError(ctx.getNode(), `Could not ${request.what} (HTTP ${response.statusCode})`, job, undefined, {
			httpCode: response.statusCode,
		});
	}
}
