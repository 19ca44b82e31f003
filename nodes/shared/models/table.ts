import {
	ASPECT_RATIO,
	H3_RESOLUTION,
	H3_SECONDS,
	PROMPT_EXPANSION,
	PROMPT_OPTIMIZER,
	RESOLUTION_768_OR_512,
	SIX_OR_TEN_SECONDS,
	type ImageLimits,
	type ModelImages,
	type Price,
	type Setting,
} from './inputs';

/**
 * The one table of models: each row says what fal's endpoint takes (images and settings, as data: inputs.ts), what it
 * makes and what fal bills for it. The editor's fields, the checks before paying, the request body, the prices, the
 * spending guard and the queue apps the by-id operations and the trigger look in all read it; a new model is one
 * more row. The newest family first; the default stays Hailuo 2.3 Standard image to video.
 *
 * Read from public sources (the fal emulator keeps its own reading apart, so that a wrong row is caught):
 * - H3 Max and H3 Max Turbo (owner `minimax`, autumn 2026): integer duration 5–15 s, 480P/768P/1080P, a required
 *   prompt expansion mode, aspect ratio on text to video only, 1–9 reference images (Max only), prompts up to 50,000
 *   characters, stereo sound; USD 0.05 / 0.08 / 0.16 per second, Turbo half, references beyond 4,096 tokens at USD
 *   0.02 per 1,000 (a square image 1,024 tokens). fal's pricing call gives one unit price per endpoint: taken as the
 *   480P price (the live test checks it).
 * - Hailuo 2.3 (fal's model pages, November 2026) and Hailuo 02 Standard image to video (December 2026).
 * - The other Hailuo 02 endpoints: their inputs from fal's own client types (`@fal-ai/client` 1.10.1), their prices
 *   per second as reported quoting fal (Standard 0.045 at 768p, Pro 0.08 at 1080p for 6 s, Fast 0.017 at 512p): the
 *   pricing call gives the live figure.
 * - Image limits are MiniMax's (fal passes the input through to MiniMax), for every image of every model.
 */

export interface HailuoModel {
	/** fal's endpoint id: the submit path, the pricing query and the `model` parameter's value. */
	endpoint: string;
	displayName: string;
	family: 'H3 Max' | 'H3 Max Turbo' | 'Hailuo 2.3' | 'Hailuo 02';
	images: ModelImages;
	/** Every fal field the model takes besides the prompt and the images. */
	settings: readonly Setting[];
	/** The resolution of every video, for a model without a resolution setting. */
	fixedResolution?: string;
	/** The length of every video in seconds, for a model without a duration setting (about that long). */
	fixedSeconds?: number;
	price: Price;
	promptMaxChars: number;
	imageLimits: ImageLimits;
	/** Takes MiniMax's camera commands in brackets in the prompt ("[Pan left]"). */
	cameraCommands?: boolean;
	/** Its videos carry sound (no parameter turns it off). */
	sound: boolean;
}

const MINIMAX_IMAGES: ImageLimits = {
	maxBytes: 20 * 1024 * 1024,
	mimeTypes: ['image/jpeg', 'image/png', 'image/webp'],
	shortSideOverPx: 300,
	minAspect: 2 / 5,
	maxAspect: 5 / 2,
};

const HAILUO = { promptMaxChars: 2000, imageLimits: MINIMAX_IMAGES, cameraCommands: true, sound: false } as const;
const H3 = { promptMaxChars: 50_000, imageLimits: MINIMAX_IMAGES, sound: true } as const;

const H3_MAX_PRICE: Price = { per: 'second', usd: { '480P': 0.05, '768P': 0.08, '1080P': 0.16 }, livePriceAt: '480P' };
const H3_TURBO_PRICE: Price = { per: 'second', usd: { '480P': 0.025, '768P': 0.04, '1080P': 0.08 }, livePriceAt: '480P' };

const H3_FRAMES: readonly Setting[] = [H3_SECONDS, H3_RESOLUTION, PROMPT_EXPANSION];
const H3_TEXT: readonly Setting[] = [H3_SECONDS, H3_RESOLUTION, ASPECT_RATIO, PROMPT_EXPANSION];

export const STANDARD_IMAGE_TO_VIDEO: HailuoModel = {
	endpoint: 'fal-ai/minimax/hailuo-2.3/standard/image-to-video',
	displayName: 'Hailuo 2.3 Standard · Image to Video (768p)',
	family: 'Hailuo 2.3',
	images: { first: true },
	settings: [SIX_OR_TEN_SECONDS, PROMPT_OPTIMIZER],
	fixedResolution: '768P',
	price: { per: 'video', usd: { '6': 0.28, '10': 0.56 } },
	...HAILUO,
};

/** The model a new node starts with, and that workflows saved without a Model parameter run. */
export const DEFAULT_MODEL = STANDARD_IMAGE_TO_VIDEO;

export const DEFAULT_ENDPOINT = DEFAULT_MODEL.endpoint;

export const MODELS: readonly HailuoModel[] = [
	{
		endpoint: 'minimax/h3-max/image-to-video',
		displayName: 'H3 Max · Image to Video, with Sound (480p–1080p, 5–15 s)',
		family: 'H3 Max',
		images: { first: true, last: {} },
		settings: H3_FRAMES,
		price: H3_MAX_PRICE,
		...H3,
	},
	{
		endpoint: 'minimax/h3-max/text-to-video',
		displayName: 'H3 Max · Text to Video, with Sound (480p–1080p, 5–15 s)',
		family: 'H3 Max',
		images: { first: false },
		settings: H3_TEXT,
		price: H3_MAX_PRICE,
		...H3,
	},
	{
		endpoint: 'minimax/h3-max/reference-to-video',
		displayName: 'H3 Max · Reference Images to Video, with Sound (480p–1080p, 5–15 s)',
		family: 'H3 Max',
		images: { first: false, references: { min: 1, max: 9 } },
		settings: H3_FRAMES,
		price: { ...H3_MAX_PRICE, references: { includedTokens: 4096, usdPer1000Tokens: 0.02, tokensPerSquareImage: 1024 } },
		...H3,
	},
	{
		endpoint: 'minimax/h3-max-turbo/image-to-video',
		displayName: 'H3 Max Turbo · Image to Video, with Sound (480p–1080p, 5–15 s)',
		family: 'H3 Max Turbo',
		images: { first: true, last: {} },
		settings: H3_FRAMES,
		price: H3_TURBO_PRICE,
		...H3,
	},
	{
		endpoint: 'minimax/h3-max-turbo/text-to-video',
		displayName: 'H3 Max Turbo · Text to Video, with Sound (480p–1080p, 5–15 s)',
		family: 'H3 Max Turbo',
		images: { first: false },
		settings: H3_TEXT,
		price: H3_TURBO_PRICE,
		...H3,
	},
	STANDARD_IMAGE_TO_VIDEO,
	{
		endpoint: 'fal-ai/minimax/hailuo-2.3/standard/text-to-video',
		displayName: 'Hailuo 2.3 Standard · Text to Video (768p)',
		family: 'Hailuo 2.3',
		images: { first: false },
		settings: [SIX_OR_TEN_SECONDS, PROMPT_OPTIMIZER],
		fixedResolution: '768P',
		price: { per: 'video', usd: { '6': 0.28, '10': 0.56 } },
		...HAILUO,
	},
	{
		endpoint: 'fal-ai/minimax/hailuo-2.3/pro/image-to-video',
		displayName: 'Hailuo 2.3 Pro · Image to Video (1080p, 6 s)',
		family: 'Hailuo 2.3',
		images: { first: true },
		settings: [PROMPT_OPTIMIZER],
		fixedResolution: '1080P',
		fixedSeconds: 6,
		price: { per: 'video', usd: { video: 0.49 } },
		...HAILUO,
	},
	{
		endpoint: 'fal-ai/minimax/hailuo-2.3/pro/text-to-video',
		displayName: 'Hailuo 2.3 Pro · Text to Video (1080p, 6 s)',
		family: 'Hailuo 2.3',
		images: { first: false },
		settings: [PROMPT_OPTIMIZER],
		fixedResolution: '1080P',
		fixedSeconds: 6,
		price: { per: 'video', usd: { video: 0.49 } },
		...HAILUO,
	},
	{
		endpoint: 'fal-ai/minimax/hailuo-2.3-fast/standard/image-to-video',
		displayName: 'Hailuo 2.3 Fast · Image to Video (768p)',
		family: 'Hailuo 2.3',
		images: { first: true },
		settings: [SIX_OR_TEN_SECONDS, PROMPT_OPTIMIZER],
		fixedResolution: '768P',
		price: { per: 'video', usd: { '6': 0.19, '10': 0.32 } },
		...HAILUO,
	},
	{
		endpoint: 'fal-ai/minimax/hailuo-2.3-fast/pro/image-to-video',
		displayName: 'Hailuo 2.3 Fast Pro · Image to Video (1080p, 6 s)',
		family: 'Hailuo 2.3',
		images: { first: true },
		settings: [PROMPT_OPTIMIZER],
		fixedResolution: '1080P',
		fixedSeconds: 6,
		price: { per: 'video', usd: { video: 0.33 } },
		...HAILUO,
	},
	// A last frame only at 768P: fal's page is silent, MiniMax's API (which fal passes the input on to) makes
	// first-and-last-frame videos at 768P and 1080P only, and crops a last frame of another size to the first's.
	{
		endpoint: 'fal-ai/minimax/hailuo-02/standard/image-to-video',
		displayName: 'Hailuo 02 Standard · Image to Video with Last Frame (768p or 512p)',
		family: 'Hailuo 02',
		images: { first: true, last: { atResolutions: ['768P'] } },
		settings: [SIX_OR_TEN_SECONDS, PROMPT_OPTIMIZER, RESOLUTION_768_OR_512],
		price: { per: 'second', usd: { '768P': 0.045, '512P': 0.017 }, rough: ['512P'], livePriceAt: '768P' },
		...HAILUO,
	},
	{
		endpoint: 'fal-ai/minimax/hailuo-02/standard/text-to-video',
		displayName: 'Hailuo 02 Standard · Text to Video (768p)',
		family: 'Hailuo 02',
		images: { first: false },
		settings: [SIX_OR_TEN_SECONDS, PROMPT_OPTIMIZER],
		fixedResolution: '768P',
		price: { per: 'second', usd: { '768P': 0.045 }, livePriceAt: '768P' },
		...HAILUO,
	},
	{
		endpoint: 'fal-ai/minimax/hailuo-02/pro/image-to-video',
		displayName: 'Hailuo 02 Pro · Image to Video with Last Frame (1080p, 6 s)',
		family: 'Hailuo 02',
		images: { first: true, last: {} },
		settings: [PROMPT_OPTIMIZER],
		fixedResolution: '1080P',
		fixedSeconds: 6,
		price: { per: 'second', usd: { '1080P': 0.08 }, livePriceAt: '1080P' },
		...HAILUO,
	},
	{
		endpoint: 'fal-ai/minimax/hailuo-02/pro/text-to-video',
		displayName: 'Hailuo 02 Pro · Text to Video (1080p, 6 s)',
		family: 'Hailuo 02',
		images: { first: false },
		settings: [PROMPT_OPTIMIZER],
		fixedResolution: '1080P',
		fixedSeconds: 6,
		price: { per: 'second', usd: { '1080P': 0.08 }, livePriceAt: '1080P' },
		...HAILUO,
	},
	{
		endpoint: 'fal-ai/minimax/hailuo-02-fast/image-to-video',
		displayName: 'Hailuo 02 Fast · Image to Video (512p)',
		family: 'Hailuo 02',
		images: { first: true },
		settings: [SIX_OR_TEN_SECONDS, PROMPT_OPTIMIZER],
		fixedResolution: '512P',
		price: { per: 'second', usd: { '512P': 0.017 }, livePriceAt: '512P' },
		...HAILUO,
	},
];

export function findModel(endpoint: unknown): HailuoModel | undefined {
	return MODELS.find((model) => model.endpoint === endpoint);
}

/** fal's queue app of an endpoint (owner/app): status, result and cancel live under it, the sub-path dropped. */
export function queueAppOf(endpoint: string): string {
	return endpoint.split('/').slice(0, 2).join('/');
}

/** Every queue app the table's models live in, the default model's first: where a job known by its id alone may be. */
export const QUEUE_APPS: readonly string[] = [...new Set([DEFAULT_ENDPOINT, ...MODELS.map((model) => model.endpoint)].map(queueAppOf))];

/** The model's setting that decides its duration or its resolution, if it has one. */
export function settingFor(model: HailuoModel, role: 'duration' | 'resolution'): Setting | undefined {
	return model.settings.find((setting) => setting.role === role);
}

/** Whether the model takes a last frame at all. */
export const takesLastFrame = (model: HailuoModel): boolean => model.images.last !== undefined;
