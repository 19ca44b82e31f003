import type { IN8nHttpFullResponse } from 'n8n-workflow';

/** Reading an HTTP answer of n8n's helpers: a header's value, a body that may be JSON. */

export function header(response: IN8nHttpFullResponse, name: string): string | undefined {
	const value = response.headers?.[name];
	return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

/**
 * What fal says about an error in its headers (fal's errors page): whether trying the same request again can succeed
 * (`X-Fal-Retryable`, on model errors), the kind of an infrastructure error (`X-Fal-Error-Type`), and, for a 504,
 * whose time ran out (`X-Fal-Request-Timeout-Type: user` — a deadline the caller set, which a retry does not cure).
 */
export interface FalErrorSignals {
	retryable?: boolean;
	errorType?: string;
}

export function errorSignals(response: IN8nHttpFullResponse): FalErrorSignals {
	const retryableHeader = header(response, 'x-fal-retryable')?.trim().toLowerCase();
	let retryable = retryableHeader === 'true' ? true : retryableHeader === 'false' ? false : undefined;
	if (header(response, 'x-fal-request-timeout-type')?.trim().toLowerCase() === 'user') retryable = false;
	const errorType = header(response, 'x-fal-error-type')?.trim() || undefined;
	return { ...(retryable !== undefined ? { retryable } : {}), ...(errorType ? { errorType } : {}) };
}

/** The body as JSON when it is JSON text, else as it came. */
export function parseBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body);
	} catch {
		return body;
	}
}
