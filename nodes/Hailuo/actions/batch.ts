import type { IExecuteFunctions } from 'n8n-workflow';

import type { LivePrice } from '../../../fal/pricing';
import { RunProgress } from '../../../fal/progress';
import { getStatus, jobRef, type QueueJob } from '../../../fal/queue';
import type { FalSession } from '../../../fal/session';
import { cancelBestEffort } from '../../../fal/wait';
import { JobLedger, type JobState, type LedgerEntry } from './job-ledger';
import type { SentImages } from './model-input';

const UNKNOWN_SUBMIT = 'its submit may have reached fal, which gave no request id: check the fal dashboard';

/** What became of a job when its run failed, for the run's error. */
type Settled = 'cancelled in the queue' | 'running' | 'finished' | 'unknown submit';

/**
 * What the items of one execution of the node share: the fal session (origins, the 429 gate), how its
 * jobs move (for the stall timeout), live prices, and the jobs it submitted, so that
 * - n8n's Stop cancels every job no output will carry, once, and says so in n8n's log,
 * - a failing run (no On Error → Continue) fails at once: it cancels its jobs still waiting in fal's queue and
 *   names the ones running or finished, which a retry collects without paying again,
 * - n8n's retries (Retry On Fail, an AI Agent's retries of its tool, the Executions list's Retry) reuse the jobs an
 *   earlier try submitted (job-ledger.ts).
 * Made anew for every execution; nothing outlives it but the job ledger in n8n's execution data.
 */
export class Batch {
	readonly progress = new RunProgress();

	/** fal's prices for this account, by endpoint, where the key could read them. */
	livePrices?: Map<string, LivePrice>;

	private readonly ledger: JobLedger;

	private readonly cancels = new Map<string, Promise<string>>();

	private failed = false;

	/** Once the failing run has settled its jobs, a job whose submit comes back later is cancelled on its own. */
	private settled = false;

	private readonly onStop = () => this.cancelEverything();

	constructor(
		private readonly ctx: IExecuteFunctions,
		readonly fal: FalSession,
		/** Without On Error → Continue, the first failure fails the node: nothing new is then submitted. */
		private readonly failFast: boolean,
	) {
		this.ledger = new JobLedger(ctx);
		fal.stopSignal?.addEventListener('abort', this.onStop, { once: true });
	}

	private get jobs(): Record<number, LedgerEntry> {
		return this.ledger.jobs;
	}

	/** An item failed and the node will fail: submit nothing more, download nothing more. */
	get failing(): boolean {
		return this.failed;
	}

	/** An item failed: with fail-fast, the run gives up at once (every wait and download of the run ends). */
	itemFailed(): void {
		if (!this.failFast || this.failed) return;
		this.failed = true;
		this.fal.abandon();
	}

	/** Why a submit of this run should not go out now, if it should not. */
	readonly abandonSubmit = (): string | undefined => (this.failed ? 'Not submitted: an earlier item failed' : undefined);

	/**
	 * What an earlier try (n8n's Retry On Fail, an AI Agent's retry of its tool) did for this item and input: a job
	 * that may still bring the video, or a submit that may have reached fal unseen (never sent again), or nothing.
	 */
	earlierJob(itemIndex: number, input: string): ({ job: QueueJob } & SentImages) | 'unknown' | undefined {
		const earlier = this.ledger.earlier(itemIndex, input);
		if (!earlier) return undefined;
		if (earlier.state === 'unknown') return 'unknown';
		if (earlier.state !== 'running' && earlier.state !== 'completed') return undefined;
		const { imageUrl, lastFrameUrl, referenceUrls } = earlier;
		return { job: jobRef(this.fal.origins, earlier.queueApp, earlier.requestId), imageUrl, lastFrameUrl, referenceUrls };
	}

	/** A submit ended without telling whether fal made the job: a retry must not send it again. */
	submitUnknown(itemIndex: number, record: Pick<LedgerEntry, 'queueApp' | 'input'>): void {
		this.ledger.record(itemIndex, { requestId: '', ...record, state: 'unknown' });
		// after Stop, or after the failing run's error was made, only n8n's log can still say so
		if (this.fal.stopped || this.settled) this.log(`item ${itemIndex}: ${UNKNOWN_SUBMIT}`, { itemIndex });
	}

	/** Records a job; one submitted as n8n's Stop came, or after the failing run settled, is cancelled at once. */
	submitted(itemIndex: number, job: QueueJob, record: Pick<LedgerEntry, 'queueApp' | 'input'> & SentImages): void {
		this.ledger.record(itemIndex, { requestId: job.requestId, ...record, state: 'running' });
		if (this.fal.stopped || this.settled) void this.cancelOnce(itemIndex);
	}

	ended(itemIndex: number, state: Exclude<JobState, 'running'>): void {
		const job = this.jobs[itemIndex];
		if (job) job.state = state;
	}

	/**
	 * A line in n8n's log. After Stop it also goes to the editor's browser console: n8n keeps no output or error of a
	 * stopped node, so for a run started from the editor that is the only place there besides the log.
	 */
	private log(message: string, meta: Record<string, unknown>): void {
		const line = `Hailuo: ${this.fal.stopped ? 'the execution was stopped' : 'the node failed'}; ${message}`;
		this.ctx.logger.info(line, meta);
		if (this.fal.stopped && typeof this.ctx.sendMessageToUI === 'function') this.ctx.sendMessageToUI(line);
	}

	/**
	 * Cancels an item's job (once, whoever asks: n8n's Stop, a failing run) and logs what fal answered: n8n ends a
	 * stopped execution before the node's own error could say it.
	 */
	async cancelOnce(itemIndex: number): Promise<string> {
		const submitted = this.jobs[itemIndex];
		if (!submitted) return 'this run submitted no job for the item';
		const job = jobRef(this.fal.origins, submitted.queueApp, submitted.requestId);
		const known = this.cancels.get(job.requestId);
		if (known) return await known;
		const cancelling = cancelBestEffort(this.fal.settling(), job, itemIndex).then(({ answer, words }) => {
			if (answer === 'CANCELLATION_REQUESTED') this.ended(itemIndex, 'cancelled');
			this.log(`fal job ${job.requestId} (item ${itemIndex}): ${words}`, { requestId: job.requestId, itemIndex, falAnswer: answer ?? null });
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
			if (job.state === 'running') void this.cancelOnce(itemIndex);
			else if (job.state === 'unknown') this.log(`item ${itemIndex}: ${UNKNOWN_SUBMIT}`, { itemIndex });
			else if (job.state === 'completed') {
				this.log(`fal job ${job.requestId} (item ${itemIndex}) had finished and is billed: fetch its video with Get Result`, {
					requestId: job.requestId,
					itemIndex,
				});
			}
		}
	}

	/** What to do with a running job of a failing run: cancel it while it waits in fal's queue, else leave it. */
	private async settleJob(itemIndex: number, entry: LedgerEntry): Promise<Settled | undefined> {
		if (entry.state === 'completed') return 'finished';
		if (entry.state === 'unknown') return 'unknown submit';
		if (entry.state !== 'running') return undefined;
		const fal = this.fal.settling();
		const job = jobRef(fal.origins, entry.queueApp, entry.requestId);
		const status = await getStatus(fal, job, itemIndex, { quick: true }).catch(() => undefined);
		if (status?.status === 'COMPLETED') {
			this.ended(itemIndex, status.error ? 'failed' : 'completed');
			return status.error ? undefined : 'finished';
		}
		if (status?.status !== 'IN_QUEUE') return 'running';
		await this.cancelOnce(itemIndex);
		return this.jobs[itemIndex]?.state === 'cancelled' ? 'cancelled in the queue' : 'running';
	}

	/**
	 * The run fails (no On Error → Continue): every job but the failing item's own is settled — cancelled while still
	 * in fal's queue (fal bills no job cancelled there; a retry submits it again), named while running or finished
	 * (paid: a retry collects it without paying again). Returns the words for the run's error.
	 */
	async settleAfterFailure(failingItem: unknown): Promise<string | undefined> {
		// from here on, a submit that comes back is cancelled as it arrives (submitted()); the ones in already are settled here
		this.settled = true;
		const entries = Object.entries(this.jobs).filter(([itemIndex]) => Number(itemIndex) !== failingItem);
		const outcomes = await Promise.all(entries.map(async ([itemIndex, entry]) => await this.settleJob(Number(itemIndex), entry)));
		const named = (which: Settled) =>
			entries
				.filter((_, i) => outcomes[i] === which)
				.map(([itemIndex, entry]) => (entry.requestId ? `item ${itemIndex} (${entry.requestId})` : `item ${itemIndex}`));
		const parts: string[] = [];
		const paid = [...named('running').map((job) => `${job} running`), ...named('finished').map((job) => `${job} finished`)];
		if (paid.length > 0) {
			parts.push(`On fal, paid, and in no output: ${paid.join(', ')}. Retry this execution to collect them without paying again.`);
		}
		const cancelled = named('cancelled in the queue');
		if (cancelled.length > 0) parts.push(`Cancelled while still waiting in fal's queue (not billed; a retry submits them again): ${cancelled.join(', ')}.`);
		const unknown = named('unknown submit');
		if (unknown.length > 0) parts.push(`${unknown.join(', ')}: ${UNKNOWN_SUBMIT}.`);
		return parts.length > 0 ? parts.join(' ') : undefined;
	}

	/** The run is over: a later Stop no longer concerns its jobs (they are in the output, or in its error). */
	close(failed: boolean): void {
		this.fal.stopSignal?.removeEventListener('abort', this.onStop);
		this.ledger.close(failed);
	}
}
