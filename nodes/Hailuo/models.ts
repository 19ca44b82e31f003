/**
 * The one table of models: endpoint, inputs, durations, limits and price. Checks before submitting,
 * the cost in the output and the README's model table all read it.
 */

export type Duration = '6' | '10';

export interface ModelLimits {
	/** MiniMax's video API. */
	promptMaxChars: number;
	/** MiniMax's video API: the image must be under 20 MB. */
	imageMaxBytes: number;
	imageMimeTypes: readonly string[];
}

export interface HailuoModel {
	/** fal's endpoint id, also the queue submit path. */
	endpoint: string;
	/** fal's queue owner/alias: status, result and cancel live under it (the sub-path is dropped). */
	queueApp: string;
	displayName: string;
	resolution: string;
	durations: readonly Duration[];
	defaultDuration: Duration;
	priceUsd: Record<Duration, number>;
	/** When the prices were read from fal's model page. */
	pricesReadOn: string;
	limits: ModelLimits;
}

export const STANDARD_IMAGE_TO_VIDEO: HailuoModel = {
	endpoint: 'fal-ai/minimax/hailuo-2.3/standard/image-to-video',
	queueApp: 'fal-ai/minimax',
	displayName: 'Hailuo 2.3 Standard, image to video (768p)',
	resolution: '768p',
	durations: ['6', '10'],
	defaultDuration: '6',
	priceUsd: { '6': 0.28, '10': 0.56 },
	pricesReadOn: '2026-11',
	limits: {
		promptMaxChars: 2000,
		imageMaxBytes: 20 * 1024 * 1024,
		imageMimeTypes: ['image/jpeg', 'image/png', 'image/webp'],
	},
};

export const MODELS: readonly HailuoModel[] = [STANDARD_IMAGE_TO_VIDEO];

export function priceOf(model: HailuoModel, duration: Duration): number {
	return model.priceUsd[duration];
}
