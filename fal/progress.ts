import type { QueueState, QueueStatus } from './queue';

/**
 * What the timeout measures: a stall, not a queue. A job moves when fal starts it or its queue position
 * drops; a queued job also counts as moving while the other jobs of its run move (fal working through
 * this run's own jobs at the account's concurrency). A job is stalled once it has not moved for the
 * timeout: queued with nothing moving, or in progress for that long.
 */

/** When any job of one run last moved. */
export class RunProgress {
	lastMovedAt = 0;

	moved(): void {
		this.lastMovedAt = Date.now();
	}
}

export class JobProgress {
	private lastMovedAt = Date.now();

	state: QueueState = 'IN_QUEUE';

	private position: number | undefined;

	constructor(
		queuePosition: number | undefined,
		private readonly run?: RunProgress,
	) {
		this.position = queuePosition ?? undefined;
	}

	/** Takes in a status read or a stream event; true when the job moved. */
	note(status: QueueStatus): boolean {
		const position = status.queue_position ?? undefined;
		const moved =
			status.status !== this.state || (position !== undefined && this.position !== undefined && position < this.position);
		this.state = status.status;
		if (position !== undefined || status.status !== 'IN_QUEUE') this.position = position;
		if (moved) {
			this.lastMovedAt = Date.now();
			this.run?.moved();
		}
		return moved;
	}

	/** When the job counts as stalled, given the timeout. */
	deadline(timeoutMs: number): number {
		const since =
			this.state === 'IN_QUEUE' ? Math.max(this.lastMovedAt, this.run?.lastMovedAt ?? 0) : this.lastMovedAt;
		return since + timeoutMs;
	}
}
