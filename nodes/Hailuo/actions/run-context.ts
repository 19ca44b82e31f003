import type { FalOrigins } from '../transport/hosts';
import type { LivePrice } from '../transport/pricing';
import { SubmitGate } from '../transport/submit-gate';

/**
 * What the items of one execution share: fal's origins, one backoff for submits, and a record of the
 * jobs they submitted, so that a failing run can name every paid job whose video it did not output.
 * Made anew for every execution; nothing outlives it.
 */

type JobState = 'running' | 'completed' | 'failed';

export class RunContext {
	readonly gate = new SubmitGate();

	/** fal's prices for this account, by endpoint, where the key could read them. */
	livePrices?: Map<string, LivePrice>;

	private readonly jobs = new Map<number, { requestId: string; state: JobState }>();

	private failing = false;

	constructor(
		readonly origins: FalOrigins,
		/** Without On Error → Continue, the first failure fails the node: nothing new is then submitted. */
		private readonly stopOnFailure: boolean,
	) {}

	/** An item failed and the node will fail: submit nothing more, download nothing more. */
	get stopping(): boolean {
		return this.failing;
	}

	itemFailed(): void {
		if (this.stopOnFailure) this.failing = true;
	}

	submitted(itemIndex: number, requestId: string): void {
		this.jobs.set(itemIndex, { requestId, state: 'running' });
	}

	ended(itemIndex: number, ok: boolean): void {
		const job = this.jobs.get(itemIndex);
		if (job) job.state = ok ? 'completed' : 'failed';
	}

	/** Every job this run submitted, but the one already named by the error, in words for a description. */
	jobsWithoutOutput(exceptRequestId: unknown): string[] {
		const words: Record<JobState, string> = {
			completed: 'finished; fetch the video with Get Result',
			failed: 'ended with an error',
			running: 'may still be running on fal',
		};
		return [...this.jobs.entries()]
			.filter(([, job]) => job.requestId !== exceptRequestId)
			.sort(([a], [b]) => a - b)
			.map(([itemIndex, job]) => `item ${itemIndex}: ${job.requestId} (${words[job.state]})`);
	}
}
