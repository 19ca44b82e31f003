import type { IDataObject } from 'n8n-workflow';

import { HAILUO_QUEUE_APP } from '../../fal/account';

/**
 * The one table of models: endpoint, the fields each takes, durations, limits and list prices. The
 * editor's fields, the checks before submitting, what is sent to fal, the cost in the output, the
 * spending guard and the README's model table all read it; a new model is one more entry here.
 *
 * Inputs and prices were read from each endpoint's page on fal (fal.ai/models/<endpoint>/llms.txt): the
 * Hailuo 2.3 family in November 2026, Hailuo 02 Standard image to video in December 2026 (the other Hailuo 02
 * endpoints are left out: their pages could not be read). The image limits are MiniMax's (fal passes the input
 * through to MiniMax).
 */

export type Duration = '6' | '10';

/** fal's `resolution` values, for the models that take one. */
export type Resolution = '512P' | '768P';

export interface ImageLimits {
	/** Under 20 MB (MiniMax's video API). */
	maxBytes: number;
	mimeTypes: readonly string[];
	/** The short side must be over this many pixels. */
	shortSideOverPx: number;
	/** Width / height between these (2:5 and 5:2). */
	minAspect: number;
	maxAspect: number;
}

export interface ModelLimits {
	/** MiniMax's video API. */
	promptMaxChars: number;
	/** The first frame's and the last frame's. */
	image: ImageLimits;
}

export interface HailuoModel {
	/** fal's endpoint id: the submit path, the pricing query and the `model` parameter's value. */
	endpoint: string;
	/** fal's queue owner/alias: status, result and cancel live under it (the sub-path is dropped). */
	queueApp: string;
	displayName: string;
	/** The video's resolution in words, e.g. "768p" or "512p or 768p". */
	resolution: string;
	/** Takes a first-frame image (`image_url`); text-to-video models take none. */
	firstFrame: boolean;
	/**
	 * Takes an optional last-frame image (`end_image_url`), at these resolutions only (all of them when the model
	 * takes no resolution); empty when it takes none.
	 */
	lastFrameResolutions?: readonly Resolution[];
	/** The `resolution` values it takes; absent when it takes none. */
	resolutions?: readonly Resolution[];
	defaultResolution?: Resolution;
	/** The `duration` values it takes; empty when it takes no duration (its videos are about `fixedSeconds`). */
	durations: readonly Duration[];
	defaultDuration?: Duration;
	fixedSeconds?: number;
	/** List price in USD per video, by duration (or `video` for a model without duration): fal bills per video. */
	priceUsd?: Partial<Record<Duration | 'video', number>>;
	/** List price in USD per second of video, by resolution: fal bills per second. */
	priceUsdPerSecond?: Partial<Record<Resolution, number>>;
	/** Resolutions whose price fal's page gives as "roughly" that much: the editor says "about". */
	roughPriceAt?: readonly Resolution[];
	limits: ModelLimits;
}

const QUEUE_APP = HAILUO_QUEUE_APP;

const LIMITS: ModelLimits = {
	promptMaxChars: 2000,
	image: {
		maxBytes: 20 * 1024 * 1024,
		mimeTypes: ['image/jpeg', 'image/png', 'image/webp'],
		shortSideOverPx: 300,
		minAspect: 2 / 5,
		maxAspect: 5 / 2,
	},
};

const SIX_OR_TEN: readonly Duration[] = ['6', '10'];

export const STANDARD_IMAGE_TO_VIDEO: HailuoModel = {
	endpoint: 'fal-ai/minimax/hailuo-2.3/standard/image-to-video',
	queueApp: QUEUE_APP,
	displayName: 'Hailuo 2.3 Standard, Image to Video (768p)',
	resolution: '768p',
	firstFrame: true,
	durations: SIX_OR_TEN,
	defaultDuration: '6',
	priceUsd: { '6': 0.28, '10': 0.56 },
	limits: LIMITS,
};

/** The model a new node starts with, and that workflows saved without a Model parameter run. */
export const DEFAULT_MODEL = STANDARD_IMAGE_TO_VIDEO;

export const DEFAULT_ENDPOINT = DEFAULT_MODEL.endpoint;

export const MODELS: readonly HailuoModel[] = [
	STANDARD_IMAGE_TO_VIDEO,
	{
		endpoint: 'fal-ai/minimax/hailuo-2.3/standard/text-to-video',
		queueApp: QUEUE_APP,
		displayName: 'Hailuo 2.3 Standard, Text to Video (768p)',
		resolution: '768p',
		firstFrame: false,
		durations: SIX_OR_TEN,
		defaultDuration: '6',
		priceUsd: { '6': 0.28, '10': 0.56 },
		limits: LIMITS,
	},
	{
		endpoint: 'fal-ai/minimax/hailuo-2.3/pro/image-to-video',
		queueApp: QUEUE_APP,
		displayName: 'Hailuo 2.3 Pro, Image to Video (1080p)',
		resolution: '1080p',
		firstFrame: true,
		durations: [],
		fixedSeconds: 6,
		priceUsd: { video: 0.49 },
		limits: LIMITS,
	},
	{
		endpoint: 'fal-ai/minimax/hailuo-2.3/pro/text-to-video',
		queueApp: QUEUE_APP,
		displayName: 'Hailuo 2.3 Pro, Text to Video (1080p)',
		resolution: '1080p',
		firstFrame: false,
		durations: [],
		fixedSeconds: 6,
		priceUsd: { video: 0.49 },
		limits: LIMITS,
	},
	{
		endpoint: 'fal-ai/minimax/hailuo-2.3-fast/standard/image-to-video',
		queueApp: QUEUE_APP,
		displayName: 'Hailuo 2.3 Fast, Image to Video (768p)',
		resolution: '768p',
		firstFrame: true,
		durations: SIX_OR_TEN,
		defaultDuration: '6',
		priceUsd: { '6': 0.19, '10': 0.32 },
		limits: LIMITS,
	},
	{
		endpoint: 'fal-ai/minimax/hailuo-2.3-fast/pro/image-to-video',
		queueApp: QUEUE_APP,
		displayName: 'Hailuo 2.3 Fast Pro, Image to Video (1080p)',
		resolution: '1080p',
		firstFrame: true,
		durations: [],
		fixedSeconds: 6,
		priceUsd: { video: 0.33 },
		limits: LIMITS,
	},
	// Hailuo 02 after 2.3. fal's page: "$0.045/sec" at 768P, "roughly $0.017/sec" at 512P (not exact), a 6 s 768p
	// video USD 0.27; 10 s at either resolution (its only duration limit is for 1080p, which it does not offer).
	// A last frame only at 768P: fal's page is silent, MiniMax's API (which fal passes the input on to) makes
	// first-and-last-frame videos at 768P and 1080P only, and crops a last frame of another size to the first's.
	{
		endpoint: 'fal-ai/minimax/hailuo-02/standard/image-to-video',
		queueApp: QUEUE_APP,
		displayName: 'Hailuo 02 Standard, Image to Video with Last Frame (768p or 512p)',
		resolution: '768p or 512p',
		firstFrame: true,
		lastFrameResolutions: ['768P'],
		resolutions: ['768P', '512P'],
		defaultResolution: '768P',
		durations: SIX_OR_TEN,
		defaultDuration: '6',
		priceUsdPerSecond: { '768P': 0.045, '512P': 0.017 },
		roughPriceAt: ['512P'],
		limits: LIMITS,
	},
];

export function findModel(endpoint: unknown): HailuoModel | undefined {
	return MODELS.find((model) => model.endpoint === endpoint);
}

/** A price in words: "USD 0.28" (a price per second with three decimals: "USD 0.045"). */
export function usd(amount: number, decimals = 2): string {
	return `USD ${amount.toFixed(decimals)}`;
}

/** What decides a video's price besides its model. */
export interface VideoSettings {
	duration?: Duration;
	resolution?: Resolution;
}

/** The length of the video in seconds. */
export function secondsOf(model: HailuoModel, duration: Duration | undefined): number | undefined {
	return duration ? Number(duration) : model.fixedSeconds;
}

const roundUsd = (usd: number) => Math.round(usd * 1000) / 1000;

/** The list price per second at a resolution (the model's default one when none is given). */
export function pricePerSecond(model: HailuoModel, resolution?: Resolution): number | undefined {
	return model.priceUsdPerSecond?.[resolution ?? model.defaultResolution ?? '768P'];
}

/** The list price of one video (USD), whether fal bills the model per video or per second. */
export function priceOf(model: HailuoModel, settings: VideoSettings): number {
	const duration = settings.duration ?? model.defaultDuration;
	if (model.priceUsdPerSecond) return roundUsd((pricePerSecond(model, settings.resolution) ?? 0) * (secondsOf(model, duration) ?? 0));
	return (duration ? model.priceUsd?.[duration] : model.priceUsd?.video) ?? 0;
}

export interface VideoPrice {
	usd: number;
	source: 'fal pricing API' | 'list price';
}

/**
 * The price of one video: fal's live unit price for this account where it is known, else the list price.
 * The live figure is the price of the model's default video (default duration and resolution): a price per
 * second is multiplied by the video's seconds, a price per video keeps the list's proportion for other
 * lengths (10 s is not always twice 6 s); another resolution keeps the list's proportion too.
 */
export function videoPrice(model: HailuoModel, settings: VideoSettings, live?: { unitPrice: number; unit: string }): VideoPrice {
	const list = priceOf(model, settings);
	if (!live) return { usd: list, source: 'list price' };
	const base = priceOf(model, {});
	let usd: number;
	if (/sec/i.test(live.unit)) {
		const perSecond = pricePerSecond(model, settings.resolution);
		const atDefault = pricePerSecond(model);
		const resolutionShare = perSecond !== undefined && atDefault ? perSecond / atDefault : 1;
		usd = live.unitPrice * (secondsOf(model, settings.duration ?? model.defaultDuration) ?? 0) * resolutionShare;
	} else {
		usd = base > 0 ? (live.unitPrice * list) / base : live.unitPrice;
	}
	return { usd: roundUsd(usd), source: 'fal pricing API' };
}

export interface GenerationValues extends VideoSettings {
	prompt: string;
	promptOptimizer: boolean;
	imageUrl?: string;
	lastFrameUrl?: string;
}

/** Whether the model takes a last frame at all. */
export const takesLastFrame = (model: HailuoModel): boolean => (model.lastFrameResolutions ?? []).length > 0;

/** Exactly the fields this model takes, in fal's names (a last frame only when there is one). */
export function modelInput(model: HailuoModel, values: GenerationValues): IDataObject {
	const input: IDataObject = { prompt: values.prompt };
	if (model.firstFrame) input.image_url = values.imageUrl;
	if (model.durations.length > 0) input.duration = values.duration ?? model.defaultDuration;
	input.prompt_optimizer = values.promptOptimizer;
	if (model.resolutions) input.resolution = values.resolution ?? model.defaultResolution;
	if (takesLastFrame(model) && values.lastFrameUrl) input.end_image_url = values.lastFrameUrl;
	return input;
}
