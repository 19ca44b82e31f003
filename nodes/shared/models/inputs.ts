/**
 * The vocabulary the model table is written in: what a model takes besides its prompt, as data. A setting is one fal
 * field with its node parameter, its allowed values or range and its default; the editor's fields, the checks before
 * paying, the request body and the prices all read these rows (see table.ts), so a model is described once.
 */

interface SettingBase {
	/** fal's input field. */
	field: string;
	/** The node parameter that sets it (kept stable: saved workflows carry it). */
	parameter: string;
	/** The parameter's name in the editor and in messages. */
	label: string;
	/** What the setting decides the price by, if it does. */
	role?: 'duration' | 'resolution';
}

/** One of a list of values, sent as a string (fal's enum). */
export interface ChoiceSetting extends SettingBase {
	kind: 'choice';
	values: readonly string[];
	default: string;
	/** How each value reads in the editor (the value itself otherwise). */
	valueNames?: Readonly<Record<string, string>>;
}

/** A whole number in a range, sent as a JSON number. */
export interface IntegerSetting extends SettingBase {
	kind: 'integer';
	min: number;
	max: number;
	default: number;
}

/** Yes or no, sent as a JSON boolean. */
export interface BooleanSetting extends SettingBase {
	kind: 'boolean';
	default: boolean;
}

export type Setting = ChoiceSetting | IntegerSetting | BooleanSetting;

export type SettingValue = string | number | boolean;

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

/** The images a model reads: a first frame (`image_url`), an optional last frame, reference images. */
export interface ModelImages {
	first: boolean;
	/** An optional last frame (`end_image_url`), at these resolutions only when given. */
	last?: { atResolutions?: readonly string[] };
	/** Reference images (`reference_image_urls`), the prompt naming them "Image 1", "Image 2"… */
	references?: { min: number; max: number };
}

/** Reference images priced by their tokens beyond an allowance (H3 Max reference to video). */
export interface ReferencePrice {
	includedTokens: number;
	usdPer1000Tokens: number;
	/** Tokens of a square image; a longer one counts in proportion to its long side over its short side. */
	tokensPerSquareImage: number;
}

/** fal bills a model per video (by duration) or per second of video (by resolution). */
export type Price =
	| { per: 'video'; usd: Readonly<Record<string, number>> }
	| {
			per: 'second';
			usd: Readonly<Record<string, number>>;
			/** Resolutions whose price fal's page gives as roughly that much: the editor says "about". */
			rough?: readonly string[];
			/** The resolution whose price fal's pricing call answers (one unit price per endpoint). */
			livePriceAt: string;
			references?: ReferencePrice;
	  };

// The settings the families share, each written once.

export const SIX_OR_TEN_SECONDS: ChoiceSetting = {
	kind: 'choice',
	field: 'duration',
	parameter: 'duration',
	label: 'Duration',
	values: ['6', '10'],
	default: '6',
	role: 'duration',
};

export const PROMPT_OPTIMIZER: BooleanSetting = {
	kind: 'boolean',
	field: 'prompt_optimizer',
	parameter: 'promptOptimizer',
	label: 'Prompt Optimizer',
	default: true,
};

export const RESOLUTION_768_OR_512: ChoiceSetting = {
	kind: 'choice',
	field: 'resolution',
	parameter: 'resolution',
	label: 'Resolution',
	values: ['768P', '512P'],
	default: '768P',
	role: 'resolution',
};

export const H3_SECONDS: IntegerSetting = {
	kind: 'integer',
	field: 'duration',
	parameter: 'durationSeconds',
	label: 'Duration (Seconds)',
	min: 5,
	max: 15,
	default: 5,
	role: 'duration',
};

export const H3_RESOLUTION: ChoiceSetting = {
	kind: 'choice',
	field: 'resolution',
	parameter: 'resolution',
	label: 'Resolution',
	values: ['480P', '768P', '1080P'],
	default: '768P',
	role: 'resolution',
};

export const PROMPT_EXPANSION: ChoiceSetting = {
	kind: 'choice',
	field: 'prompt_expansion_mode',
	parameter: 'promptExpansion',
	label: 'Prompt Expansion',
	values: ['disabled', 'balanced', 'quality'],
	default: 'balanced',
	valueNames: {
		disabled: 'Disabled (the Prompt as Written)',
		balanced: 'Balanced (About a Second More)',
		quality: 'Quality (Up to Thirty Seconds More)',
	},
};

export const ASPECT_RATIO: ChoiceSetting = {
	kind: 'choice',
	field: 'aspect_ratio',
	parameter: 'aspectRatio',
	label: 'Aspect Ratio',
	values: ['16:9', '9:16', '1:1'],
	default: '16:9',
	valueNames: { '16:9': '16:9 (Landscape)', '9:16': '9:16 (Portrait)', '1:1': '1:1 (Square)' },
};
