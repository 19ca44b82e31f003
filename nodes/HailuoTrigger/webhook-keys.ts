import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { verifiedByAny, type SignedDelivery, type WebhookKey } from '../../fal/webhook-signature';

/**
 * fal's webhook keys (a JWKS at the credential's fal origin), cached in the workflow's static data for a day, as fal
 * advises; fetched again when no cached key verifies a delivery (fal rotated its keys), at most once a minute.
 */

const CACHE_MS = 24 * 60 * 60 * 1000;
const REFETCH_AFTER_MS = 60 * 1000;

interface KeyCache {
	keys: WebhookKey[];
	fetchedAt: number;
}

async function fetchKeys(ctx: IWebhookFunctions, url: string): Promise<WebhookKey[]> {
	const answer = (await ctx.helpers.httpRequest({ method: 'GET', url, json: true, timeout: 10_000 })) as { keys?: unknown };
	return Array.isArray(answer?.keys) ? (answer.keys as WebhookKey[]) : [];
}

/** Whether fal's published keys verify the delivery; a key fetch that fails counts as not verified. */
export async function verifiedByFal(ctx: IWebhookFunctions, keysUrl: string, delivery: SignedDelivery, rawBody: Buffer): Promise<boolean> {
	const staticData = ctx.getWorkflowStaticData('node');
	const cache = staticData.webhookKeys as KeyCache | undefined;
	const now = Date.now();
	const fresh = cache && now - cache.fetchedAt < CACHE_MS ? cache : undefined;
	if (fresh && verifiedByAny(delivery, rawBody, fresh.keys)) return true;
	if (fresh && now - fresh.fetchedAt < REFETCH_AFTER_MS) return false;
	let keys: WebhookKey[];
	try {
		keys = await fetchKeys(ctx, keysUrl);
	} catch (error) {
		ctx.logger.warn(`Hailuo Trigger: could not read fal's webhook keys from ${keysUrl}: ${(error as Error).message}`);
		return false;
	}
	staticData.webhookKeys = { keys, fetchedAt: now } as unknown as IDataObject;
	return verifiedByAny(delivery, rawBody, keys);
}
