import type { IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { jobError, type JobContext } from './errors';

/** Stops work for an item once n8n has cancelled the execution. */
export function throwIfCancelled(ctx: IExecuteFunctions, signal: AbortSignal | undefined, job: JobContext): void {
	if (signal?.aborted) throw jobError(ctx.getNode(), 'The execution was cancelled', job);
}

/** Waits with n8n's sleep; a cancelled execution ends the wait at once. */
export async function pause(
	ctx: IExecuteFunctions,
	ms: number,
	signal: AbortSignal | undefined,
	job: JobContext,
): Promise<void> {
	try {
		await sleep(ms, signal);
	} catch {
		// sleep only rejects when the signal aborts
	}
	throwIfCancelled(ctx, signal, job);
}
