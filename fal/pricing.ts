import { callFal } from './caller';
import { PRICING_PATH } from './account';
import type { FalSession } from './session';

/**
 * fal's pricing call (free, authenticated): the price this account pays per billing unit of each model,
 * which may differ from the list price. One call per execution for every model it uses; when it fails,
 * the caller falls back on the list prices.
 */

export interface LivePrice {
	unitPrice: number;
	/** fal's billing unit in words, e.g. "video" or "second". */
	unit: string;
}

interface PricingAnswer {
	prices?: Array<{ endpoint_id?: string; unit_price?: number; unit?: string; currency?: string }>;
}

export async function livePrices(fal: FalSession, endpoints: readonly string[]): Promise<Map<string, LivePrice>> {
	const prices = new Map<string, LivePrice>();
	const answer = await callFal<PricingAnswer>(
		fal,
		{
			method: 'GET',
			url: `${fal.origins.api}${PRICING_PATH}`,
			qs: { endpoint_id: endpoints.join(',') },
			kind: 'once',
			what: 'read the price',
			timeoutMs: 10_000,
		},
		{ itemIndex: 0 },
	).catch(() => undefined);
	for (const price of answer?.body?.prices ?? []) {
		const usd = price.currency === undefined || price.currency === 'USD';
		if (price.endpoint_id && typeof price.unit_price === 'number' && price.unit_price >= 0 && usd) {
			prices.set(price.endpoint_id, { unitPrice: price.unit_price, unit: String(price.unit ?? 'video') });
		}
	}
	return prices;
}
