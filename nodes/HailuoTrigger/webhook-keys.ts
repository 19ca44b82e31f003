import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { verifiedByAny, type SignedDelivery, type WebhookKey } from '../../fal/webhook-signature';

/**
 * fal's webhook keys (a JWKS at the credential's fal origin), cached in the workflow's static data for a day, as fal
 * advises; fetched again when no cached key verifies a delivery (fal rotated its keys), at most once a minute.
 *
 * The fetches themselves are bounded in this process: at most one per key-set URL per FETCH_INTERVAL_MS, its answer
 * shared by every delivery in that interval, a failure included (it is not tried again before the interval ends),
 * and deliveries arriving while it is in flight wait for that same fetch. Without this a flood of forged deliveries
 * would make n8n fetch fal's JWKS once per request whenever the fetch fails (nothing to cache) or the cache is cold:
 * static data cannot bound it, because n8n loads it anew for each request and saves it only after the webhook has
 * answered, so simultaneous requests never see each other's fetch. Like delivered-jobs.ts's guard this is module
 * state on purpose, and transient: it holds fal's public keys (or why they could not be read) and when they were
 * fetched, no execution's data, and every entry is dropped once its interval is over.
 */

const CACHE_MS = 24 * 60 * 60 * 1000;
const REFETCH_AFTER_MS = 60 * 1000;
/** How long one fetch of a key set (or its failure) answers for every delivery of this process. */
export const FETCH_INTERVAL_MS = 60 * 1000;

interface KeyCache {
	keys: WebhookKey[];
	fetchedAt: number;
}

/** A fetch of a key set: the keys, or why they could not be read. */
interface KeyFetch {
	startedAt: number;
	answer: Promise<WebhookKey[] | { failure: string }>;
}

const recentFetches = new Map<string, KeyFetch>();

async function fetchKeys(ctx: IWebhookFunctions, url: string): Promise<WebhookKey[] | { failure: string }> {
	try {
		const answer = (await ctx.helpers.httpRequest({ method: 'GET', url, json: true, timeout: 10_000 })) as { keys?: unknown };
		return Array.isArray(answer?.keys) ? (answer.keys as WebhookKey[]) : [];
	} catch (error) {
		const failure = (error as Error).message;
		ctx.logger.warn(`Hailuo Trigger: could not read fal's webhook keys from ${url}: ${failure} (not tried again for ${FETCH_INTERVAL_MS / 1000} s)`);
		return { failure };
	}
}

/** The fetch of this key set that answers now: the one of the current interval, or a new one. */
function sharedFetch(ctx: IWebhookFunctions, url: string, now: number): KeyFetch {
	for (const [key, fetch] of recentFetches) if (now - fetch.startedAt >= FETCH_INTERVAL_MS) recentFetches.delete(key);
	let fetch = recentFetches.get(url);
	if (!fetch) {
		fetch = { startedAt: now, answer: fetchKeys(ctx, url) };
		recentFetches.set(url, fetch);
	}
	return fetch;
}

/** Why fal's published keys do not verify the delivery, or undefined when one does. */
export async function keyProblem(ctx: IWebhookFunctions, keysUrl: string, delivery: SignedDelivery, rawBody: Buffer): Promise<string | undefined> {
	const staticData = ctx.getWorkflowStaticData('node');
	const cache = staticData.webhookKeys as KeyCache | undefined;
	const now = Date.now();
	const fresh = cache && now - cache.fetchedAt < CACHE_MS ? cache : undefined;
	if (fresh && verifiedByAny(delivery, rawBody, fresh.keys)) return undefined;
	if (fresh && now - fresh.fetchedAt < REFETCH_AFTER_MS) return 'no key fal publishes verifies the signature';
	const fetch = sharedFetch(ctx, keysUrl, now);
	const keys = await fetch.answer;
	if ('failure' in keys) return `fal's webhook keys could not be read (${keys.failure})`;
	staticData.webhookKeys = { keys, fetchedAt: fetch.startedAt } as unknown as IDataObject;
	return verifiedByAny(delivery, rawBody, keys) ? undefined : 'no key fal publishes verifies the signature';
}
