import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import { CREDENTIAL_TYPE, falOrigins, type FalOrigins } from './account';
import { RateGate } from './rate-gate';

/** The n8n contexts the fal transport runs in: a node's execution, or a trigger's webhook call. */
export type N8nContext = IExecuteFunctions | IWebhookFunctions;

/**
 * One conversation with fal: the n8n context it runs in, fal's origins from the credential, and the 429
 * backoff shared by all of its calls. Made for one execution (or one webhook call); nothing outlives it.
 */
export class FalSession {
	readonly gate: RateGate;

	private constructor(
		readonly ctx: N8nContext,
		readonly origins: FalOrigins,
		/** The longest any call may be held back by fal's Retry-After. */
		readonly maxBackoffMs: number,
	) {
		this.gate = new RateGate(maxBackoffMs);
	}

	static async open(ctx: N8nContext, maxBackoffMs: number): Promise<FalSession> {
		const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
		return new FalSession(ctx, falOrigins(credentials.baseUrl), maxBackoffMs);
	}

	/** n8n's Stop for an execution; a webhook call has none. */
	get signal(): AbortSignal | undefined {
		return 'getExecutionCancelSignal' in this.ctx ? this.ctx.getExecutionCancelSignal() : undefined;
	}
}
