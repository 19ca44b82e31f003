import type { SettingValue } from './inputs';
import { settingFor, type HailuoModel } from './table';

/**
 * What a video costs, from the table's prices: per video by duration, or per second by resolution (plus reference
 * images beyond their allowance), as the list gives it or as fal's pricing call gives it for this account.
 */

/**
 * A price in words, exact to a hundredth of a cent and with at least `minDecimals` decimals: "USD 0.28", "USD 0.125",
 * "USD 0.045" (a price per second is written with three: "USD 0.050").
 */
export function usd(amount: number, minDecimals = 2): string {
	const exact = Math.round(amount * 1e4) / 1e4;
	const needed = (String(exact).split('.')[1] ?? '').length;
	return `USD ${exact.toFixed(Math.max(minDecimals, Math.min(needed, 4)))}`;
}

/** The width and height of an image, where they could be read (a reference image's tokens depend on them). */
export interface ImageShape {
	width?: number;
	height?: number;
}

/** What decides a video's price besides its model: the settings as sent (by fal field), the reference images. */
export interface VideoSpec {
	settings?: Readonly<Record<string, SettingValue | undefined>>;
	references?: readonly ImageShape[];
}

// to a hundredth of a cent: fal bills per-second and token prices in fractions of a cent
const roundUsd = (amount: number) => Math.round(amount * 1e4) / 1e4;

function valueOf(model: HailuoModel, spec: VideoSpec, role: 'duration' | 'resolution'): SettingValue | undefined {
	const setting = settingFor(model, role);
	return setting ? (spec.settings?.[setting.field] ?? setting.default) : undefined;
}

/** The video's length in seconds. */
export function secondsOf(model: HailuoModel, spec: VideoSpec = {}): number | undefined {
	const duration = valueOf(model, spec, 'duration');
	return duration !== undefined ? Number(duration) : model.fixedSeconds;
}

/** The video's resolution as fal names it ("768P"). */
export function resolutionOf(model: HailuoModel, spec: VideoSpec = {}): string | undefined {
	const resolution = valueOf(model, spec, 'resolution');
	return resolution !== undefined ? String(resolution) : model.fixedResolution;
}

// A reference image whose shape could not be read counts as the longest shape the model takes (5:2): a spending cap
// must not be passed by a guess on the low side.
const UNKNOWN_SHAPE_ASPECT = 5 / 2;

/** Reference image tokens: a square image's, in proportion to its long side over its short side. */
function referenceTokens(tokensPerSquareImage: number, shape: ImageShape): number {
	const { width, height } = shape;
	const aspect = width && height ? Math.max(width, height) / Math.min(width, height) : UNKNOWN_SHAPE_ASPECT;
	return Math.ceil(tokensPerSquareImage * aspect);
}

/** The list price of the reference images beyond what the price includes (USD). */
function referencesPrice(model: HailuoModel, spec: VideoSpec): number {
	const price = model.price.per === 'second' ? model.price.references : undefined;
	if (!price || !spec.references?.length) return 0;
	const tokens = spec.references.reduce((sum, shape) => sum + referenceTokens(price.tokensPerSquareImage, shape), 0);
	return (Math.max(0, tokens - price.includedTokens) / 1000) * price.usdPer1000Tokens;
}

/** The list price per second at a resolution (a model billed per second). */
export function pricePerSecond(model: HailuoModel, resolution: string | undefined): number | undefined {
	return model.price.per === 'second' && resolution !== undefined ? model.price.usd[resolution] : undefined;
}

/** The list price of one video (USD), whether fal bills the model per video or per second. */
export function priceOf(model: HailuoModel, spec: VideoSpec = {}): number {
	if (model.price.per === 'video') {
		const duration = valueOf(model, spec, 'duration');
		return model.price.usd[duration !== undefined ? String(duration) : 'video'] ?? 0;
	}
	const perSecond = pricePerSecond(model, resolutionOf(model, spec)) ?? 0;
	return roundUsd(perSecond * (secondsOf(model, spec) ?? 0) + referencesPrice(model, spec));
}

export interface VideoPrice {
	usd: number;
	source: 'fal pricing API' | 'list price';
}

/**
 * The price of one video: fal's live unit price for this account where it is known, else the list price. fal's
 * pricing call answers one unit price per endpoint: per second, the price at the row's `livePriceAt` resolution, other
 * resolutions keeping the list's proportion; per video, the price of the default video, other lengths keeping the
 * list's proportion (10 s is not always twice 6 s). Reference images are priced from the list.
 */
export function videoPrice(model: HailuoModel, spec: VideoSpec, live?: { unitPrice: number; unit: string }): VideoPrice {
	const list = priceOf(model, spec);
	if (!live) return { usd: list, source: 'list price' };
	let amount: number;
	if (model.price.per === 'second' && /sec/i.test(live.unit)) {
		const atLive = pricePerSecond(model, model.price.livePriceAt);
		const chosen = pricePerSecond(model, resolutionOf(model, spec));
		const share = atLive && chosen !== undefined ? chosen / atLive : 1;
		amount = live.unitPrice * share * (secondsOf(model, spec) ?? 0) + referencesPrice(model, spec);
	} else {
		const base = priceOf(model, {});
		amount = base > 0 ? (live.unitPrice * list) / base : live.unitPrice;
	}
	return { usd: roundUsd(amount), source: 'fal pricing API' };
}
