import type { INodeProperties } from 'n8n-workflow';

import {
	DEFAULT_ENDPOINT,
	DEFAULT_MODEL,
	MODELS,
	priceOf,
	takesLastFrame,
	usd,
	type Duration,
	type HailuoModel,
	type Resolution,
} from '../models';

/**
 * The generation inputs of Generate and Submit, which follow the chosen model: everything model-specific
 * (which fields a model shows, their values and every price) is read from the model table.
 */

const inWords = (resolution: Resolution) => resolution.replace('P', 'p');

/** "about " where fal's page gives the price at this resolution as roughly that much. */
const about = (model: HailuoModel, resolution: Resolution) => (model.roughPriceAt?.includes(resolution) ? 'about ' : '');

/** Every price below is computed from the table (`priceOf`, `priceUsdPerSecond`). */
function priceWords(model: HailuoModel): string {
	const perSecond = model.priceUsdPerSecond;
	if (perSecond) {
		return (model.resolutions ?? [])
			.map((resolution) => `${about(model, resolution)}${usd(perSecond[resolution] ?? 0, 3)} per second at ${inWords(resolution)}`)
			.join(', ');
	}
	if (model.durations.length === 0) return `${usd(priceOf(model, {}))} per video`;
	return model.durations.map((duration) => `${usd(priceOf(model, { duration }))} for ${duration} s`).join(', ');
}

/** The price of a video of this length, at each resolution the model makes. */
function durationPrice(model: HailuoModel, duration: Duration): string {
	if (!model.resolutions) return usd(priceOf(model, { duration }));
	return model.resolutions
		.map((resolution) => `${about(model, resolution)}${usd(priceOf(model, { duration, resolution }))} at ${inWords(resolution)}`)
		.join(', ');
}

function modelWords(model: HailuoModel): string {
	const frames = !model.firstFrame
		? 'From the prompt alone'
		: takesLastFrame(model)
			? 'Animates a first-frame image, optionally to a last frame'
			: 'Animates a first-frame image';
	return `${frames}, ${model.resolution}; ${priceWords(model)}`;
}

const endpointsWhere = (keep: (model: HailuoModel) => boolean) => MODELS.filter(keep).map((model) => model.endpoint);

/** Models with the same value of `key` share one field, shown for them only. */
function groupBy(models: readonly HailuoModel[], key: (model: HailuoModel) => string): HailuoModel[][] {
	const groups = new Map<string, HailuoModel[]>();
	for (const model of models) groups.set(key(model), [...(groups.get(key(model)) ?? []), model]);
	return [...groups.values()];
}

export const modelField: INodeProperties = {
	displayName: 'Model',
	name: 'model',
	type: 'options',
	options: MODELS.map((model) => ({
		name: model.displayName,
		value: model.endpoint,
		description: modelWords(model),
	})),
	default: DEFAULT_ENDPOINT,
	description:
		'Which Hailuo model on fal makes the video: 2.3 first (Fast is cheaper, Pro is 1080p, text to video needs no image), then 02 (a last frame, 512p drafts)',
};

/** One Duration field per set of durations and prices in the table, each shown for the models that have it. */
function durationFields(): INodeProperties[] {
	const models = MODELS.filter((m) => m.durations.length > 0);
	const options = (model: HailuoModel) =>
		model.durations.map((duration) => ({ name: `${duration} Seconds (${durationPrice(model, duration)})`, value: duration }));
	return groupBy(models, (model) => JSON.stringify(options(model))).map((group) => ({
		displayName: 'Duration',
		name: 'duration',
		type: 'options',
		options: options(group[0]),
		default: '6',
		description: 'Length of the video',
		displayOptions: { show: { model: group.map((model) => model.endpoint) } },
	}));
}

/** One Resolution field per set of resolutions and prices, for the models that take a resolution. */
function resolutionFields(): INodeProperties[] {
	const models = MODELS.filter((m) => m.resolutions);
	const options = (model: HailuoModel) =>
		(model.resolutions ?? []).map((resolution) => ({
			name: `${inWords(resolution)} (${about(model, resolution)}${usd(model.priceUsdPerSecond?.[resolution] ?? 0, 3)} per Second)`,
			value: resolution,
		}));
	return groupBy(models, (model) => JSON.stringify(options(model))).map((group) => ({
		displayName: 'Resolution',
		name: 'resolution',
		type: 'options',
		options: options(group[0]),
		default: '768P',
		description: `Resolution of the video: 512p is cheaper, for drafts; a last frame needs ${(group[0].lastFrameResolutions ?? []).map(inWords).join(' or ')}`,
		displayOptions: { show: { model: group.map((model) => model.endpoint) } },
	}));
}

const withFirstFrame = { model: endpointsWhere((model) => model.firstFrame) };

const withLastFrame = { model: endpointsWhere(takesLastFrame) };

/** The resolutions every model with a last frame makes it at, in words ("768p"). */
const lastFrameResolutions = [...new Set(MODELS.flatMap((model) => model.lastFrameResolutions ?? []))].map(inWords).join(' or ');

/** The last frame's fields, for the models that take one: as the first frame's, and optional. */
const lastFrameFields: INodeProperties[] = [
	{
		displayName: 'Last Frame',
		name: 'lastFrameSource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'None', value: 'none', description: 'The model decides how the video ends' },
			{ name: 'Image URL', value: 'url', description: 'A public http(s) URL of the last frame' },
			{ name: 'Binary File', value: 'binary', description: 'An image in a binary field of the input item' },
		],
		default: 'none',
		description:
			`An image the video ends on (${lastFrameResolutions} only). The video takes the first frame's size: a last frame of another size is cropped to it.`,
		displayOptions: { show: withLastFrame },
	},
	{
		displayName: 'Last Frame URL',
		name: 'lastFrameUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/last-frame.jpg',
		description: 'JPEG, PNG or WebP image the video ends on (short side over 300 px, between 2:5 and 5:2)',
		// The source first: n8n shows a field at once when a condition's value is an expression (a Model set by
		// an expression), and a required field shown that way would stop the workflow.
		displayOptions: { show: { lastFrameSource: ['url'], ...withLastFrame } },
	},
	{
		displayName: 'Last Frame Binary Field',
		name: 'lastFrameBinaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field holding the last frame',
		description: 'JPEG, PNG or WebP image (under 20 MB) the video ends on; it is uploaded to fal storage',
		displayOptions: { show: { lastFrameSource: ['binary'], ...withLastFrame } },
	},
];

export const generationInputFields: INodeProperties[] = [
	modelField,
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'e.g. The camera slowly pushes in as steam rises from the coffee cup',
		description: `What should happen in the video (at most ${DEFAULT_MODEL.limits.promptMaxChars} characters)`,
	},
	{
		displayName: 'Image Source',
		name: 'imageSource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Image URL', value: 'url', description: 'A public http(s) URL of the first frame' },
			{ name: 'Binary File', value: 'binary', description: 'An image in a binary field of the input item' },
		],
		default: 'url',
		description: 'Where the first frame of the video comes from',
		displayOptions: { show: withFirstFrame },
	},
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/first-frame.jpg',
		description: 'JPEG, PNG or WebP image used as the first frame (short side over 300 px, between 2:5 and 5:2)',
		displayOptions: { show: { imageSource: ['url'], ...withFirstFrame } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field holding the image',
		description: 'JPEG, PNG or WebP image (under 20 MB) used as the first frame; it is uploaded to fal storage',
		displayOptions: { show: { imageSource: ['binary'], ...withFirstFrame } },
	},
	...lastFrameFields,
	...resolutionFields(),
	...durationFields(),
	{
		displayName: 'Prompt Optimizer',
		name: 'promptOptimizer',
		type: 'boolean',
		default: true,
		description: 'Whether the model may rewrite the prompt to improve the video',
	},
];
