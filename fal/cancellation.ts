import { sleep } from 'n8n-workflow';

import { jobError, type JobContext } from './errors';
import type { N8nContext } from './session';

/**
 * n8n's cancel signal (the Stop button) and the one place that sleeps. n8n-workflow's `sleep` takes a
 * signal only in n8n 2.x; on 1.x the signal is ignored, so the wait also ends through the signal's own
 * abort event, which both lines fire.
 */

export function isCancelled(signal: AbortSignal | undefined): boolean {
	return signal?.aborted === true;
}

export function cancelledError(ctx: N8nContext, job: JobContext, outcome?: string): Error {
	return jobError(ctx.getNode(), `The execution was stopped${outcome ? `; ${outcome}` : ''}`, job);
}

/** Stops work for an item once n8n has cancelled the execution. */
export function throwIfCancelled(ctx: N8nContext, signal: AbortSignal | undefined, job: JobContext): void {
	if (isCancelled(signal)) throw cancelledError(ctx, job);
}

/** Resolves after `ms`, or as soon as `signal` aborts (never rejects). */
export async function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
	if (ms <= 0 || isCancelled(signal)) return;
	let onAbort: (() => void) | undefined;
	const aborted = new Promise<void>((resolve) => {
		onAbort = resolve;
		signal?.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([sleep(ms, signal).catch(() => undefined), aborted]);
	} finally {
		if (onAbort) signal?.removeEventListener('abort', onAbort);
	}
}

/** Waits with n8n's sleep; a cancelled execution ends the wait at once with an error. */
export async function pause(
	ctx: N8nContext,
	ms: number,
	signal: AbortSignal | undefined,
	job: JobContext,
): Promise<void> {
	await sleepUnlessAborted(ms, signal);
	throwIfCancelled(ctx, signal, job);
}
