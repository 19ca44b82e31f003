import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

/** Where a job of this run stands, as far as the node knows ('unknown': a submit that may have reached fal). */
export type JobState = 'running' | 'completed' | 'failed' | 'cancelled' | 'unknown';

/** A job a run of the node submitted, kept in n8n's execution data so that a retry of the node finds it. */
export interface LedgerEntry {
	requestId: string;
	/** The model's queue app on fal (its status, result and cancel live under it). */
	queueApp: string;
	/** The item's input (model, prompt, frames…): a retry reuses the job only for the same input. */
	input: string;
	/** The first frame's URL as sent (where fal storage put a binary image). */
	imageUrl?: string;
	/** The last frame's URL as sent, for a model that takes one. */
	lastFrameUrl?: string;
	/** The reference images' URLs as sent, for a model that reads them. */
	referenceUrls?: string[];
	state: JobState;
	/** The try that made it failed (threw): a retry of the same call, under another run index, may take it over. */
	leftByFailedTry?: boolean;
}

type ByItem = Record<number, LedgerEntry>;

const REUSABLE: readonly JobState[] = ['running', 'completed', 'unknown'];

/**
 * The jobs of the node's runs, in n8n's node context (`getContext('node')`): n8n keeps it between the tries of one
 * execution and saves it with a failed execution, so what a retry needs is there. Kept by run index (`$runIndex`),
 * then by item. How n8n retries decides where a retry finds the earlier try's job:
 * - Retry On Fail of a node, an AI Agent 3.x's retry of its tool, and the Executions list's Retry run the node again
 *   under the same run index: the job is under this run index.
 * - An AI Agent 2.x (LangChain runs the tool; n8n-core's makeHandleToolInvocation) gives every try a new run index:
 *   the job is under an earlier run index, left there by a try that failed.
 * A loop's next round has a new run index, and its earlier round returned rather than failed: it starts afresh.
 */
export class JobLedger {
	private readonly byRun: Record<string, ByItem>;

	private readonly runIndex: string;

	/** This run's jobs, by item. */
	readonly jobs: ByItem;

	constructor(ctx: IExecuteFunctions) {
		// a context without node context data (none seen in n8n 1.123 or 2.41) keeps the run's jobs for itself
		const context: IDataObject = typeof ctx.getContext === 'function' ? ctx.getContext('node') : {};
		this.byRun = (context.hailuoJobs ??= {}) as Record<string, ByItem>;
		this.runIndex = String(ctx.evaluateExpression('{{ $runIndex }}', 0) ?? 0);
		this.jobs = (this.byRun[this.runIndex] ??= {});
	}

	/**
	 * The job an earlier try made for this item and input, if a retry may follow it: this run's own, or one a failed
	 * try left under another run index, which this run then takes over (so that no other try takes it too).
	 */
	earlier(itemIndex: number, input: string): LedgerEntry | undefined {
		const own = this.jobs[itemIndex];
		if (own?.input === input) return this.takeOver(own);
		for (const [runIndex, jobs] of Object.entries(this.byRun)) {
			const left = jobs[itemIndex];
			if (runIndex === this.runIndex || !left?.leftByFailedTry || left.input !== input || !REUSABLE.includes(left.state)) continue;
			delete jobs[itemIndex];
			this.jobs[itemIndex] = left;
			return this.takeOver(left);
		}
		return undefined;
	}

	private takeOver(entry: LedgerEntry): LedgerEntry {
		delete entry.leftByFailedTry;
		return entry;
	}

	record(itemIndex: number, entry: LedgerEntry): void {
		this.jobs[itemIndex] = entry;
	}

	/** The run is over. A failed try leaves its jobs to a retry; a run that returned leaves nothing to take over. */
	close(failed: boolean): void {
		if (!failed) return;
		for (const entry of Object.values(this.jobs)) entry.leftByFailedTry = true;
	}
}
