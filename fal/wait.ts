import { cancelledError, isCancelled, sleepUnlessAborted } from './cancellation';
import { asJobError, isTransient, jobError, type JobContext } from './errors';
import { JobProgress, type RunProgress } from './progress';
import { cancelJob, getStatus, type CancelAnswer, type QueueJob, type QueueStatus } from './queue';
import type { FalSession } from './session';
import { watchStatusStream } from './status-stream';

/**
 * Waiting for a fal job to end. Callers only know `waitForJob`; how the end is noticed (fal's status
 * stream, with status reads as the fallback) stays in this module. Only a terminal answer ends a job:
 * anything odd on the way (an answer that is no status, a read error, a dropped stream) is read past
 * until the job stalls. A job is never left behind: when n8n's Stop or a stall ends the wait, the job
 * is cancelled on fal (best effort) and the error says what fal answered.
 */

export interface WaitOptions {
	/** How long the job may go without moving (see progress.ts); then it is cancelled on fal. */
	timeoutMs: number;
	/** The job's queue position when it was submitted. */
	queuePosition?: number;
	/** The run the job belongs to: while its other jobs move, a queued job is not stalled. */
	runProgress?: RunProgress;
	/**
	 * What to do about the job after n8n's Stop, in words: by default it is cancelled on fal; a run that shares
	 * its jobs cancels each once (Generate), and a job this run did not submit is left as it is (Get Result).
	 */
	onStop?: () => Promise<string>;
	/** Whether a stalled job is cancelled on fal (default) or left as it is (a job this run did not submit). */
	cancelOnStall?: boolean;
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
export async function cancelBestEffort(fal: FalSession, job: QueueJob, itemIndex: number): Promise<{ answer?: CancelAnswer; words: string }> {
	try {
		const answer = await cancelJob(fal, job, itemIndex, CANCEL_TIMEOUT_MS);
		return { answer, words: CANCEL_OUTCOME[answer] };
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		return { words: `cancelling the job on fal failed (${reason}); it may still run and be billed` };
	}
}

/** How a wait ended: the job's final status, or it stalled (with the last fault read past, if any). */
type WaitEnd = { ended: QueueStatus } | { stalled: string; problem?: string };

// After this many refusals the stream is not tried again for this job: status reads only.
const MAX_STREAM_REFUSALS = 3;

/**
 * Follows the job on fal's status stream; when the stream is refused, drops or goes quiet, checks the
 * job with one status read (it may have ended meanwhile), backs off like polling, and opens the stream
 * again. Ends when the job ends, or when it has not moved for the timeout.
 */
async function watchUntilEnded(
	fal: FalSession,
	job: QueueJob,
	itemIndex: number,
	progress: JobProgress,
	timeoutMs: number,
	useStream = true,
): Promise<WaitEnd> {
	const { signal } = fal;
	const stopped = () => cancelledError(fal.ctx, { itemIndex, requestId: job.requestId });
	const deadline = () => progress.deadline(timeoutMs);
	let problem: string | undefined;
	// A status read that reads past passing faults: they say nothing about the job.
	const readStatus = async (): Promise<QueueStatus | undefined> => {
		try {
			const status = await getStatus(fal, job, itemIndex);
			progress.note(status);
			return status;
		} catch (error) {
			if (isCancelled(signal) || !isTransient(error)) throw asJobError(fal.ctx.getNode(), error, { itemIndex, requestId: job.requestId });
			problem = error instanceof Error ? error.message : String(error);
			return undefined;
		}
	};
	let interval = FIRST_POLL_MS;
	let refusals = useStream ? 0 : MAX_STREAM_REFUSALS;
	for (;;) {
		let again = false;
		if (refusals < MAX_STREAM_REFUSALS) {
			const end = await watchStatusStream(fal, job, itemIndex, {
				deadline,
				onStatus: (status) => progress.note(status),
				readStatus: async () => await readStatus().catch(() => undefined),
			});
			if (isCancelled(signal)) throw stopped();
			if ('ended' in end) return end;
			if ('broken' in end && end.refused) refusals++;
			// a quiet stream, or a deadline that may have moved on: look now rather than after a pause
			again = 'stalled' in end || end.quiet === true;
		}
		const status = await readStatus();
		if (status?.status === 'COMPLETED') return { ended: status };
		const left = deadline() - Date.now();
		if (left <= 0) return { stalled: progress.state, problem };
		if (again) continue;
		await sleepUnlessAborted(Math.min(interval, left), signal);
		if (isCancelled(signal)) throw stopped();
		interval = Math.min(interval * POLL_GROWTH, MAX_POLL_MS);
	}
}

// After fal accepts a cancel, the runner is only asked to stop: look a little longer for the end.
const END_AFTER_CANCEL_MS = 30_000;

async function endAfterCancel(fal: FalSession, job: QueueJob, itemIndex: number): Promise<QueueStatus | undefined> {
	try {
		const progress = new JobProgress(undefined);
		const end = await watchUntilEnded(fal, job, itemIndex, progress, END_AFTER_CANCEL_MS, false);
		return 'ended' in end ? end.ended : undefined;
	} catch {
		return undefined;
	}
}

function inWords(ms: number): string {
	return ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 6_000) / 10} min`;
}

export async function waitForJob(fal: FalSession, job: QueueJob, itemIndex: number, options: WaitOptions): Promise<QueueStatus> {
	const context: JobContext = { itemIndex, requestId: job.requestId, mayStillRun: true };
	const progress = new JobProgress(options.queuePosition, options.runProgress);
	// Every error of the wait is already an n8n error naming the job; Stop also cancels the job.
	const end = await watchUntilEnded(fal, job, itemIndex, progress, options.timeoutMs).catch((error: unknown) => ({
		failed: error,
	}));
	if ('failed' in end) {
		// the run gave up (another item failed): the job is left as it is, and the run's error says where it stands
		if (!fal.stopped) throw end.failed;
		const words = options.onStop ? await options.onStop() : (await cancelBestEffort(fal, job, itemIndex)).words;
		throw cancelledError(fal.ctx, { itemIndex, requestId: job.requestId }, words);
	}
	if ('ended' in end) return end.ended;
	const limit = inWords(options.timeoutMs);
	const stall = end.stalled === 'IN_QUEUE' ? `waited ${limit} in fal's queue with nothing moving` : `ran ${limit} without finishing`;
	if (options.cancelOnStall === false) {
		throw jobError(
			fal.ctx.getNode(),
			`The video was not ready: the job ${stall} (last status ${end.stalled}); it was not cancelled`,
			context,
			'Run it again later, or raise Options → Timeout (Minutes).',
		);
	}

	const { answer, words } = await cancelBestEffort(fal, job, itemIndex);
	// A job that ends anyway (it finished as time ran out, or its runner did not stop) is paid for,
	// so it is delivered rather than dropped.
	const ended = answer === undefined ? undefined : await endAfterCancel(fal, job, itemIndex);
	if (ended && (!ended.error || answer === 'ALREADY_COMPLETED')) return ended;
	const lastProblem = end.problem ? ` The last answer that could not be used: ${end.problem}.` : '';
	throw jobError(
		fal.ctx.getNode(),
		`The video was not ready: the job ${stall} (last status ${end.stalled}); ${words}`,
		{ ...context, mayStillRun: !ended },
		`Raise Options → Timeout (Minutes) if generations often take longer.${lastProblem}`,
		{ jobCancelled: !!ended },
	);
}
