import { networkErrorCode } from './errors';

/**
 * How a kind of call to fal may be repeated. A submit creates a paid job, so it is repeated only when
 * fal cannot have accepted it; reads (status, result, cancel) are idempotent and repeat on transient
 * faults only: 429, 5xx, and a network error that a second try can cure.
 */
export interface RetryPolicy {
	maxRetries: number;
	/** Fewer retries after a network error, where fal is likely down rather than busy. */
	maxNetworkRetries?: number;
	retryOnStatus: readonly number[];
	/** Network error codes after which the call may be sent again. */
	retryOnNetworkCodes: readonly string[];
	baseDelayMs: number;
	maxDelayMs: number;
}

export type CallKind = 'submit' | 'read' | 'once';

/** A connection refused, dropped or timed out: worth one more try for a call that may be repeated. */
const TRANSIENT_NETWORK_CODES = [
	'ECONNREFUSED',
	'ECONNRESET',
	'EPIPE',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'ECONNABORTED',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ERR_STREAM_PREMATURE_CLOSE',
];

export const RETRY_POLICIES: Record<CallKind, RetryPolicy> = {
	// fal cannot have accepted a job when the connection was refused, or when it answered 429.
	submit: {
		maxRetries: 5,
		maxNetworkRetries: 2,
		retryOnStatus: [429],
		retryOnNetworkCodes: ['ECONNREFUSED'],
		baseDelayMs: 1000,
		maxDelayMs: 30_000,
	},
	read: {
		maxRetries: 5,
		retryOnStatus: [429, 500, 502, 503, 504],
		retryOnNetworkCodes: TRANSIENT_NETWORK_CODES,
		baseDelayMs: 500,
		maxDelayMs: 30_000,
	},
	once: { maxRetries: 0, retryOnStatus: [], retryOnNetworkCodes: [], baseDelayMs: 0, maxDelayMs: 0 },
};

export function shouldRetryStatus(policy: RetryPolicy, status: number): boolean {
	return policy.retryOnStatus.includes(status);
}

export function shouldRetryNetworkError(policy: RetryPolicy, error: unknown, attempt: number): boolean {
	if (attempt >= (policy.maxNetworkRetries ?? policy.maxRetries)) return false;
	const code = networkErrorCode(error);
	return code !== undefined && policy.retryOnNetworkCodes.includes(code);
}

/** Seconds of a Retry-After header (a number or an HTTP date), as milliseconds. */
export function retryAfterMs(retryAfter: unknown): number | undefined {
	const value = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
	if (value === undefined || value === null || value === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
	const date = Date.parse(String(value));
	return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/**
 * Exponential backoff with full jitter. A Retry-After header is honoured as fal asks, up to `maxWaitMs`
 * (the caller's own limit, e.g. the timeout), not the policy's cap.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfter?: unknown, maxWaitMs = policy.maxDelayMs): number {
	const asked = retryAfterMs(retryAfter);
	if (asked !== undefined) return Math.min(asked, Math.max(maxWaitMs, policy.maxDelayMs));
	const ceiling = Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs);
	return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
