import { networkErrorCode } from './errors';

/**
 * How a kind of call to fal may be repeated. A submit creates a paid job, so it is repeated only when
 * fal cannot have accepted it; reads (status, result) are idempotent and repeat on any transient fault.
 */
export interface RetryPolicy {
	maxRetries: number;
	retryOnStatus: readonly number[];
	/** Network error codes after which the call may be sent again; '*' means any. */
	retryOnNetworkCodes: readonly string[] | '*';
	baseDelayMs: number;
	maxDelayMs: number;
}

export type CallKind = 'submit' | 'read' | 'once';

export const RETRY_POLICIES: Record<CallKind, RetryPolicy> = {
	// fal cannot have accepted a job when the connection was refused, or when it answered 429.
	submit: {
		maxRetries: 3,
		retryOnStatus: [429],
		retryOnNetworkCodes: ['ECONNREFUSED'],
		baseDelayMs: 1000,
		maxDelayMs: 30_000,
	},
	read: {
		maxRetries: 5,
		retryOnStatus: [429, 500, 502, 503, 504],
		retryOnNetworkCodes: '*',
		baseDelayMs: 500,
		maxDelayMs: 30_000,
	},
	once: { maxRetries: 0, retryOnStatus: [], retryOnNetworkCodes: [], baseDelayMs: 0, maxDelayMs: 0 },
};

export function shouldRetryStatus(policy: RetryPolicy, status: number): boolean {
	return policy.retryOnStatus.includes(status);
}

export function shouldRetryNetworkError(policy: RetryPolicy, error: unknown): boolean {
	if (policy.retryOnNetworkCodes === '*') return true;
	const code = networkErrorCode(error);
	return code !== undefined && policy.retryOnNetworkCodes.includes(code);
}

/** Exponential backoff with full jitter; a Retry-After header (seconds) is honoured within the cap. */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfter?: unknown): number {
	const seconds = Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
	if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, policy.maxDelayMs);
	const ceiling = Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs);
	return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
