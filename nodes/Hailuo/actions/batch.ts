import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { LivePrice } from '../../../fal/pricing';
import { RunProgress } from '../../../fal/progress';
import { jobRef, type QueueJob } from '../../../fal/queue';
import type { FalSession } from '../../../fal/session';
import { cancelBestEffort } from '../../../fal/wait';

/** Where a job of this run stands, as far as the node knows ('unknown': a submit that may have reached fal). */
export type JobState = 'running' | 'completed' | 'failed' | 'cancelled' | 'unknown';

/** A job this run submitted, kept in n8n's execution data so that a retry of the node finds it. */
interface SubmittedJob {
	requestId: string;
	/** The model's queue app on fal (its status, result and cancel live under it). */
	queueApp: string;
	/** The item's input (model, prompt, frame…): a retry reuses the job only for the same input. */
	input: string;
	/** The first frame's URL as sent (where fal storage put a binary image). */
	imageUrl?: string;
	/** The last frame's URL as sent, for a model that takes one. */
	lastFrameUrl?: string;
	state: JobState;
}

const STATE_IN_WORDS: Record<JobState, string> = {
	completed: 'finished; fetch the video with Get Result',
	failed: 'ended with an error',
	cancelled: 'cancelled on fal',
	running: 'may still be running on fal',
	unknown: 'its submit may have reached fal, which gave no request id: check the fal dashboard',
};

/**
 * The jobs of one run of the node, by item, in n8n's execution context for this node and run index.
 * n8n's Retry On Fail runs the node again with the same run index and the same context, so a retry finds
 * the jobs the earlier try submitted and follows them instead of paying for them again; a loop's next
 * run has another run index and starts afresh.
 */
function jobLedger(ctx: IExecuteFunctions): Record<number, SubmittedJob> {
	// As an AI Agent's tool the node runs in a context n8n does not promise node context data for: the run keeps
	// its jobs for itself then (n8n's Retry On Fail does not apply to a tool call).
	const context: IDataObject = typeof ctx.getContext === 'function' ? ctx.getContext('node') : {};
	const runIndex = String(ctx.evaluateExpression('{{ $runIndex }}', 0) ?? 0);
	const byRun = (context.hailuoJobs ??= {}) as IDataObject;
	return (byRun[runIndex] ??= {}) as Record<number, SubmittedJob>;
}

/**
 * What the items of one execution of the node share: the fal session (origins, the 429 gate), how its
 * jobs move (for the stall timeout), live prices, and the jobs it submitted, so that
 * - a failing run names every paid job whose video it did not output,
 * - n8n's Stop cancels every job no output will carry, once, and says so in n8n's log,
 * - n8n's Retry On Fail reuses the jobs an earlier try submitted.
 * Made anew for every execution; nothing outlives it but the job list in n8n's execution data.
 */
export class Batch {
	readonly progress = new RunProgress();

	/** fal's prices for this account, by endpoint, where the key could read them. */
	livePrices?: Map<string, LivePrice>;

	private readonly jobs: Record<number, SubmittedJob>;

	private readonly cancels = new Map<string, Promise<string>>();

	private failed = false;

	private readonly onStop = () => this.cancelEverything();

	constructor(
		private readonly ctx: IExecuteFunctions,
		readonly fal: FalSession,
		/** Without On Error → Continue, the first failure fails the node: nothing new is then submitted. */
		private readonly failFast: boolean,
	) {
		this.jobs = jobLedger(ctx);
		fal.signal?.addEventListener('abort', this.onStop, { once: true });
	}

	/** An item failed and the node will fail: submit nothing more, download nothing more. */
	get failing(): boolean {
		return this.failed;
	}

	itemFailed(): void {
		if (this.failFast) this.failed = true;
	}

	/** Why a submit of this run should not go out now, if it should not. */
	readonly abandonSubmit = (): string | undefined => (this.failed ? 'Not submitted: an earlier item failed' : undefined);

	/**
	 * What an earlier try of this run (n8n's Retry On Fail) did for this item and input: a job that may still
	 * bring the video, or a submit that may have reached fal unseen (never sent again), or nothing to reuse.
	 */
	earlierJob(itemIndex: number, input: string): { job: QueueJob; imageUrl?: string; lastFrameUrl?: string } | 'unknown' | undefined {
		const earlier = this.jobs[itemIndex];
		if (!earlier || earlier.input !== input) return undefined;
		if (earlier.state === 'unknown') return 'unknown';
		if (earlier.state !== 'running' && earlier.state !== 'completed') return undefined;
		const { imageUrl, lastFrameUrl } = earlier;
		return { job: jobRef(this.fal.origins, earlier.queueApp, earlier.requestId), imageUrl, lastFrameUrl };
	}

	/** A submit ended without telling whether fal made the job: a retry must not send it again. */
	submitUnknown(itemIndex: number, record: Pick<SubmittedJob, 'queueApp' | 'input'>): void {
		this.jobs[itemIndex] = { requestId: '', ...record, state: 'unknown' };
	}

	/** Records a job; one submitted as n8n's Stop came is cancelled at once. */
	submitted(itemIndex: number, job: QueueJob, record: Pick<SubmittedJob, 'queueApp' | 'input' | 'imageUrl' | 'lastFrameUrl'>): void {
		this.jobs[itemIndex] = { requestId: job.requestId, ...record, state: 'running' };
		if (this.fal.signal?.aborted) void this.cancelOnStop(itemIndex);
	}

	ended(itemIndex: number, state: Exclude<JobState, 'running'>): void {
		const job = this.jobs[itemIndex];
		if (job) job.state = state;
	}

	/**
	 * Cancels an item's job after n8n's Stop (once, whoever asks), and logs what fal answered: n8n ends the
	 * execution before the node's own error could say it.
	 */
	async cancelOnStop(itemIndex: number): Promise<string> {
		const submitted = this.jobs[itemIndex];
		if (!submitted) return 'this run submitted no job for the item';
		const job = jobRef(this.fal.origins, submitted.queueApp, submitted.requestId);
		const known = this.cancels.get(job.requestId);
		if (known) return await known;
		const cancelling = cancelBestEffort(this.fal, job, itemIndex).then(({ answer, words }) => {
			if (answer === 'CANCELLATION_REQUESTED') this.ended(itemIndex, 'cancelled');
			this.ctx.logger.info(`Hailuo: the execution was stopped; fal job ${job.requestId} (item ${itemIndex}): ${words}`, {
				requestId: job.requestId,
				itemIndex,
				falAnswer: answer ?? null,
			});
			return words;
		});
		this.cancels.set(job.requestId, cancelling);
		return await cancelling;
	}

	/**
	 * n8n's Stop: every job still running is cancelled; one that already finished, or a submit that may have made a
	 * job fal gave no id for, is named in the log (n8n discards the node's output and errors on Stop).
	 */
	private cancelEverything(): void {
		for (const [key, job] of Object.entries(this.jobs)) {
			const itemIndex = Number(key);
			if (job.state === 'running') void this.cancelOnStop(itemIndex);
			else if (job.state === 'unknown') {
				this.ctx.logger.info(`Hailuo: the execution was stopped; item ${itemIndex}: ${STATE_IN_WORDS.unknown}`, { itemIndex });
			} else if (job.state === 'completed') {
				this.ctx.logger.info(
					`Hailuo: the execution was stopped; fal job ${job.requestId} (item ${itemIndex}) had finished and is billed: fetch its video with Get Result`,
					{ requestId: job.requestId, itemIndex },
				);
			}
		}
	}

	/** The run is over: a later Stop of the execution no longer concerns its jobs (they are in the output). */
	close(): void {
		this.fal.signal?.removeEventListener('abort', this.onStop);
	}

	/** Every job this run submitted (or may have), but the failing item's own, in words for a description. */
	jobsWithoutOutput(failingItem: unknown): string[] {
		return Object.entries(this.jobs)
			.filter(([itemIndex]) => Number(itemIndex) !== failingItem)
			.sort(([a], [b]) => Number(a) - Number(b))
			.map(([itemIndex, job]) =>
				job.requestId ? `item ${itemIndex}: ${job.requestId} (${STATE_IN_WORDS[job.state]})` : `item ${itemIndex}: ${STATE_IN_WORDS[job.state]}`,
			);
	}
}
