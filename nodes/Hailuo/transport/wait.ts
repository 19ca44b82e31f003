import type { IExecuteFunctions } from 'n8n-workflow';

import { pause, throwIfCancelled } from './cancellation';
import { jobError, type JobContext } from './errors';
import { getStatus, type QueueJob, type QueueStatus } from './queue';

/**
 * Waiting for a fal job to end. Callers only know `waitForJob`; how the end is noticed (polling now,
 * fal's status stream later) stays in this module.
 */

export interface WaitOptions {
	/** Give up after this long (the job may then still run on fal). */
	timeoutMs: number;
}

// Short at first so that quick jobs are seen quickly, then backing off so that a ten-minute generation
// does not cost hundreds of status calls.
const FIRST_POLL_MS = 500;
const MAX_POLL_MS = 5_000;
const POLL_GROWTH = 1.5;

export async function waitForJob(
	ctx: IExecuteFunctions,
	job: QueueJob,
	itemIndex: number,
	options: WaitOptions,
): Promise<QueueStatus> {
	const context: JobContext = { itemIndex, requestId: job.requestId, mayStillRun: true };
	const signal = ctx.getExecutionCancelSignal();
	const deadline = Date.now() + options.timeoutMs;
	let interval = FIRST_POLL_MS;
	for (;;) {
		throwIfCancelled(ctx, signal, context);
		const status = await getStatus(ctx, job, itemIndex);
		if (status.status === 'COMPLETED') return status;
		const left = deadline - Date.now();
		if (left <= 0) {
			const minutes = Math.round((options.timeoutMs / 60_000) * 10) / 10;
			throw jobError(
				ctx.getNode(),
				`The video was not ready within ${minutes} min (last status ${status.status})`,
				context,
				'Raise Options → Timeout (Minutes) if generations often take longer.',
			);
		}
		await pause(ctx, Math.min(interval, left), signal, context);
		interval = Math.min(interval * POLL_GROWTH, MAX_POLL_MS);
	}
}
