import type { IExecuteFunctions } from 'n8n-workflow';

import { pause } from './cancellation';
import type { JobContext } from './errors';

/**
 * One backoff shared by every submit of an execution: when fal answers 429 to one of them, all of them
 * wait (for Retry-After when fal sends it), instead of each worker hammering fal on its own schedule.
 * One gate per execution; nothing is kept between executions.
 */
export class SubmitGate {
	private openAt = 0;

	holdFor(ms: number): void {
		this.openAt = Math.max(this.openAt, Date.now() + ms);
	}

	async waitOpen(ctx: IExecuteFunctions, signal: AbortSignal | undefined, job: JobContext): Promise<void> {
		for (let left = this.openAt - Date.now(); left > 0; left = this.openAt - Date.now()) {
			await pause(ctx, left, signal, job);
		}
	}
}
