import type { IExecuteFunctions } from 'n8n-workflow';

import { cancelledError, isCancelled, sleepUnlessAborted } from './cancellation';
import { jobError, type JobContext } from './errors';
import { cancelJob, getStatus, type CancelAnswer, type QueueJob, type QueueStatus } from './queue';
import { watchStatusStream } from './status-stream';

/**
 * Waiting for a fal job to end. Callers only know `waitForJob`; how the end is noticed (fal's status
 * stream, with polling as the fallback) stays in this module. A job is never left behind: when n8n's Stop or the node's timeout ends the wait, the job is
 * cancelled on fal (best effort) and the error says what fal answered.
 */

export interface WaitOptions {
	/** Give up after this long; the job is then cancelled on fal. */
	timeoutMs: number;
}

// Short at first so that quick jobs are seen quickly, then backing off so that a ten-minute generation
// does not cost hundreds of status calls.
const FIRST_POLL_MS = 500;
const MAX_POLL_MS = 5_000;
const POLL_GROWTH = 1.5;
// A cancel after Stop goes out at once and is given this long; it must not hold the node up.
const CANCEL_TIMEOUT_MS = 5_000;

const CANCEL_OUTCOME: Record<CancelAnswer, string> = {
	CANCELLATION_REQUESTED: 'the job was cancelled on fal (fal confirmed: CANCELLATION_REQUESTED)',
	ALREADY_COMPLETED: 'the job had already ended on fal (ALREADY_COMPLETED)',
	NOT_FOUND: 'fal does not know the job (NOT_FOUND)',
};

/** Asks fal to cancel, and says in words what happened; never throws. */
export async function cancelBestEffort(ctx: IExecuteFunctions, job: QueueJob, itemIndex: number): Promise<{ answer?: CancelAnswer; words: string }> {
	try {
		const answer = await cancelJob(ctx, job, itemIndex, CANCEL_TIMEOUT_MS);
		return { answer, words: CANCEL_OUTCOME[answer] };
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		return { words: `cancelling the job on fal failed (${reason}); it may still run and be billed` };
	}
}

/** How a wait ended: the job's final status, or the deadline passed while it was in `timedOut`. */
type WaitEnd = { ended: QueueStatus } | { timedOut: string };

// After this many refusals the stream is not tried again for this job: polling only.
const MAX_STREAM_REFUSALS = 3;

/**
 * Follows the job on fal's status stream; when the stream is refused, drops or goes silent, checks the
 * job with one status read (it may have ended meanwhile), backs off like polling, and opens the stream
 * again. Ends when the job ends or the deadline passes.
 */
async function watchUntilEnded(
	ctx: IExecuteFunctions,
	job: QueueJob,
	itemIndex: number,
	deadline: number,
	signal: AbortSignal | undefined,
	useStream = true,
): Promise<WaitEnd> {
	let interval = FIRST_POLL_MS;
	let refusals = useStream ? 0 : MAX_STREAM_REFUSALS;
	for (;;) {
		let quiet = false;
		if (refusals < MAX_STREAM_REFUSALS) {
			const end = await watchStatusStream(ctx, job, itemIndex, deadline);
			if (isCancelled(signal)) throw cancelledError(ctx, { itemIndex, requestId: job.requestId });
			if ('ended' in end) return end;
			if ('timedOut' in end) return { timedOut: end.timedOut?.status ?? 'IN_QUEUE' };
			if (end.refused) refusals++;
			quiet = end.quiet === true;
		}
		const status = await getStatus(ctx, job, itemIndex);
		if (status.status === 'COMPLETED') return { ended: status };
		const left = deadline - Date.now();
		if (left <= 0) return { timedOut: status.status };
		if (quiet) continue;
		await sleepUnlessAborted(Math.min(interval, left), signal);
		if (isCancelled(signal)) throw cancelledError(ctx, { itemIndex, requestId: job.requestId });
		interval = Math.min(interval * POLL_GROWTH, MAX_POLL_MS);
	}
}

// After fal accepts a cancel, the runner is only asked to stop: look a little longer for the end.
const END_AFTER_CANCEL_MS = 30_000;

async function endAfterCancel(
	ctx: IExecuteFunctions,
	job: QueueJob,
	itemIndex: number,
	signal: AbortSignal | undefined,
): Promise<QueueStatus | undefined> {
	try {
		const end = await watchUntilEnded(ctx, job, itemIndex, Date.now() + END_AFTER_CANCEL_MS, signal, false);
		return 'ended' in end ? end.ended : undefined;
	} catch {
		return undefined;
	}
}

export async function waitForJob(
	ctx: IExecuteFunctions,
	job: QueueJob,
	itemIndex: number,
	options: WaitOptions,
): Promise<QueueStatus> {
	const context: JobContext = { itemIndex, requestId: job.requestId, mayStillRun: true };
	const signal = ctx.getExecutionCancelSignal();
	// Every error of the wait is already an n8n error naming the job; Stop also cancels the job.
	const end = await watchUntilEnded(ctx, job, itemIndex, Date.now() + options.timeoutMs, signal).catch(
		(error: unknown) => ({ failed: error }),
	);
	if ('failed' in end) {
		if (!isCancelled(signal)) throw end.failed;
		const { words } = await cancelBestEffort(ctx, job, itemIndex);
		throw cancelledError(ctx, { itemIndex, requestId: job.requestId }, words);
	}
	if ('ended' in end) return end.ended;

	const { answer, words } = await cancelBestEffort(ctx, job, itemIndex);
	// A job that ends anyway (it finished as time ran out, or its runner did not stop) is paid for,
	// so it is delivered rather than dropped.
	const ended = answer === undefined ? undefined : await endAfterCancel(ctx, job, itemIndex, signal);
	if (ended && (!ended.error || answer === 'ALREADY_COMPLETED')) return ended;
	const limit = options.timeoutMs < 60_000 ? `${Math.round(options.timeoutMs / 1000)} s` : `${Math.round(options.timeoutMs / 6_000) / 10} min`;
	throw jobError(
		ctx.getNode(),
		`The video was not ready within ${limit} (last status ${end.timedOut}); ${words}`,
		{ ...context, mayStillRun: !ended },
		'Raise Options → Timeout (Minutes) if generations often take longer.',
	);
}
