import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import { CREDENTIAL_TYPE, falOrigins, type FalOrigins } from './account';
import { RateGate } from './rate-gate';

/** The n8n contexts the fal transport runs in: a node's execution, or a trigger's webhook call. */
export type N8nContext = IExecuteFunctions | IWebhookFunctions;

/**
 * One conversation with fal: the n8n context it runs in, fal's origins from the credential, and the 429
 * backoff shared by all of its calls. Made for one execution (or one webhook call); nothing outlives it.
 *
 * Its work ends two ways: n8n's Stop (`stopped`), after which the jobs are cancelled, and the run giving up
 * (`abandon`: an item failed and the node fails at once), after which waits, reads and downloads end but no job
 * is cancelled for it. `signal` aborts on either; `settling()` is the same session without the second, for what
 * must still be asked of fal once the run has given up.
 */
export class FalSession {
	/** Aborts on n8n's Stop or when the run gives up: every wait, read and download of the run listens to it. */
	readonly signal: AbortSignal | undefined;

	private constructor(
		readonly ctx: N8nContext,
		readonly origins: FalOrigins,
		/** The longest any call may be held back by fal's Retry-After. */
		readonly maxBackoffMs: number,
		readonly gate: RateGate,
		private readonly giveUp: AbortController | undefined,
	) {
		const stop = this.stopSignal;
		this.signal = giveUp ? (stop ? AbortSignal.any([stop, giveUp.signal]) : giveUp.signal) : stop;
	}

	static async open(ctx: N8nContext, maxBackoffMs: number): Promise<FalSession> {
		const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
		return new FalSession(ctx, falOrigins(credentials.baseUrl), maxBackoffMs, new RateGate(maxBackoffMs), new AbortController());
	}

	/** n8n's Stop for an execution; a webhook call has none. */
	get stopSignal(): AbortSignal | undefined {
		return 'getExecutionCancelSignal' in this.ctx ? this.ctx.getExecutionCancelSignal() : undefined;
	}

	/** Whether n8n's Stop was pressed (not merely the run giving up). */
	get stopped(): boolean {
		return this.stopSignal?.aborted === true;
	}

	/** Whether the run gave up after a failure. */
	get abandoned(): boolean {
		return this.giveUp?.signal.aborted === true;
	}

	/** The run gives up: every wait, read and download ends at once. Submits already sent finish. */
	abandon(): void {
		this.giveUp?.abort();
	}

	/** This session as it is for the moments after the run gave up: only n8n's Stop aborts it. */
	settling(): FalSession {
		return new FalSession(this.ctx, this.origins, this.maxBackoffMs, this.gate, undefined);
	}
}
