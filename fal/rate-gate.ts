import { pause } from './cancellation';
import type { JobContext } from './errors';
import type { N8nContext } from './session';

/**
 * One 429 backoff shared by every call of a session to fal: when fal answers 429 to one of them, all of
 * them wait (for Retry-After when fal sends it), instead of each worker hammering fal on its own schedule.
 * A Retry-After is honoured up to `maxWaitMs` (the longest a caller is prepared to wait: the timeout).
 */
export class RateGate {
	private openAt = 0;

	constructor(private readonly maxWaitMs: number) {}

	holdFor(ms: number): void {
		this.openAt = Math.max(this.openAt, Date.now() + Math.min(ms, this.maxWaitMs));
	}

	async waitOpen(ctx: N8nContext, signal: AbortSignal | undefined, job: JobContext): Promise<void> {
		for (let left = this.openAt - Date.now(); left > 0; left = this.openAt - Date.now()) {
			await pause(ctx, left, signal, job);
		}
	}
}
