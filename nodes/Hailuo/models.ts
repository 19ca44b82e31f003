import type { IDataObject } from 'n8n-workflow';

import { HAILUO_QUEUE_APP } from '../../fal/account';

/**
 * The one table of models: endpoint, the fields each takes, durations, limits and list prices. The
 * editor's fields, the checks before submitting, what is sent to fal, the cost in the output, the
 * spending guard and the README's model table all read it; a new model is one more entry here.
 *
 * Inputs and prices were read from each endpoint's page on fal (fal.ai/models/<endpoint>/llms.txt) in
 * November 2026. The image limits are MiniMax's (fal passes the input through to MiniMax).
 */

export type Duration = '6' | '10';

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
	image: ImageLimits;
}

export interface HailuoModel {
	/** fal's endpoint id: the submit path, the pricing query and the `model` parameter's value. */
	endpoint: string;
	/** fal's queue owner/alias: status, result and cancel live under it (the sub-path is dropped). */
	queueApp: string;
	displayName: string;
	resolution: '768p' | '1080p';
	/** Takes a first-frame image (`image_url`); text-to-video models take none. */
	firstFrame: boolean;
	/** The `duration` values it takes; empty when it takes no duration (its videos are about `fixedSeconds`). */
	durations: readonly Duration[];
	defaultDuration?: Duration;
	fixedSeconds?: number;
	/** List price in USD per video, by duration (or `video` for a model without duration). */
	priceUsd: Partial<Record<Duration | 'video', number>>;
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
];

export function findModel(endpoint: unknown): HailuoModel | undefined {
	return MODELS.find((model) => model.endpoint === endpoint);
}

/** A price in words: "USD 0.28". */
export function usd(amount: number): string {
	return `USD ${amount.toFixed(2)}`;
}

/** The list price of one video (USD). */
export function priceOf(model: HailuoModel, duration: Duration | undefined): number {
	const price = duration ? model.priceUsd[duration] : model.priceUsd.video;
	return price ?? 0;
}

export interface VideoPrice {
	usd: number;
	source: 'fal pricing API' | 'list price';
}

/**
 * The price of one video: fal's live unit price for this account where it is known, else the list price.
 * fal bills Hailuo per video: the live figure is the price of the default length, and other lengths keep
 * the list's proportion (10 s is not always twice 6 s); a price per second is multiplied out.
 */
export function videoPrice(
	model: HailuoModel,
	duration: Duration | undefined,
	live?: { unitPrice: number; unit: string },
): VideoPrice {
	const list = priceOf(model, duration);
	if (!live) return { usd: list, source: 'list price' };
	const seconds = secondsOf(model, duration) ?? 0;
	const base = priceOf(model, model.defaultDuration);
	const usd = /sec/i.test(live.unit) ? live.unitPrice * seconds : base > 0 ? (live.unitPrice * list) / base : live.unitPrice;
	return { usd: Math.round(usd * 1000) / 1000, source: 'fal pricing API' };
}

/** The length of the video in seconds. */
export function secondsOf(model: HailuoModel, duration: Duration | undefined): number | undefined {
	return duration ? Number(duration) : model.fixedSeconds;
}

export interface GenerationValues {
	prompt: string;
	promptOptimizer: boolean;
	imageUrl?: string;
	duration?: Duration;
}

/** Exactly the fields this model takes, in fal's names. */
export function modelInput(model: HailuoModel, values: GenerationValues): IDataObject {
	const input: IDataObject = { prompt: values.prompt };
	if (model.firstFrame) input.image_url = values.imageUrl;
	if (model.durations.length > 0) input.duration = values.duration ?? model.defaultDuration;
	input.prompt_optimizer = values.promptOptimizer;
	return input;
}
