import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_ENDPOINT, DEFAULT_MODEL, MODELS, usd, type HailuoModel } from '../models';

/**
 * Field builders shared by the operations: the generation inputs (Generate, Submit), which follow the
 * chosen model, and the options of those that return a video. Everything model-specific is read from
 * the model table.
 */

function priceWords(model: HailuoModel): string {
	if (model.durations.length === 0) return `${usd(model.priceUsd.video ?? 0)} per video`;
	return model.durations.map((duration) => `${usd(model.priceUsd[duration] ?? 0)} for ${duration} s`).join(', ');
}

const endpointsWhere = (keep: (model: HailuoModel) => boolean) => MODELS.filter(keep).map((model) => model.endpoint);

export const modelField: INodeProperties = {
	displayName: 'Model',
	name: 'model',
	type: 'options',
	options: MODELS.map((model) => ({
		name: model.displayName,
		value: model.endpoint,
		description: `${model.firstFrame ? 'Animates a first-frame image' : 'From the prompt alone'}, ${model.resolution}; ${priceWords(model)}`,
	})),
	default: DEFAULT_ENDPOINT,
	description: 'Which Hailuo 2.3 model on fal makes the video: Fast is cheaper, Pro is 1080p, text to video needs no image',
};

/** One Duration field per set of durations and prices in the table, each shown for the models that have it. */
function durationFields(): INodeProperties[] {
	const groups = new Map<string, HailuoModel[]>();
	for (const model of MODELS.filter((m) => m.durations.length > 0)) {
		const key = model.durations.map((d) => `${d}:${model.priceUsd[d]}`).join(',');
		groups.set(key, [...(groups.get(key) ?? []), model]);
	}
	return [...groups.values()].map((models) => ({
		displayName: 'Duration',
		name: 'duration',
		type: 'options',
		options: models[0].durations.map((duration) => ({
			name: `${duration} Seconds (${usd(models[0].priceUsd[duration] ?? 0)})`,
			value: duration,
		})),
		default: '6',
		description: 'Length of the video',
		displayOptions: { show: { model: models.map((model) => model.endpoint) } },
	}));
}

const withFirstFrame = { model: endpointsWhere((model) => model.firstFrame) };

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
		displayOptions: { show: { ...withFirstFrame, imageSource: ['url'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field holding the image',
		description: 'JPEG, PNG or WebP image (under 20 MB) used as the first frame; it is uploaded to fal storage',
		displayOptions: { show: { ...withFirstFrame, imageSource: ['binary'] } },
	},
	...durationFields(),
	{
		displayName: 'Prompt Optimizer',
		name: 'promptOptimizer',
		type: 'boolean',
		default: true,
		description: 'Whether the model may rewrite the prompt to improve the video',
	},
];

export const requestIdField: INodeProperties = {
	displayName: 'Request ID',
	name: 'requestId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. {{ $json.requestId }}',
	description:
		'The fal request ID of the job, as Submit (or Generate) returned it in its requestId field. Works for every Hailuo model on fal.',
};

export const maxSpendOption: INodeProperties = {
	displayName: 'Max Spend per Run (USD)',
	name: 'maxSpendUsd',
	type: 'number',
	typeOptions: { minValue: 0, numberPrecision: 2 },
	default: 5,
	description:
		'Caps one run of this node (all its input items at once): before the first submit, the price of every video it would make is added up (fal\'s live price where the key can read it, else the list price); over this limit, nothing is submitted',
	hint: 'Inside Loop Over Items or an AI Agent the node runs once per round, and each round has its own cap: to cap the whole loop, see the README (Costs)',
};

export const DEFAULT_TIMEOUT_MINUTES = 20;

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout (Minutes)',
	name: 'timeoutMinutes',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 180 },
	default: DEFAULT_TIMEOUT_MINUTES,
	description:
		'How long a job may go without moving before it counts as stalled: in progress that long without finishing, or queued that long while nothing moves (neither its place in fal\'s queue nor this run\'s other jobs). Time spent in fal\'s queue behind this run\'s own jobs does not count. A stalled job is cancelled on fal and the item fails with the request ID.',
};

export const checkImageUrlOption: INodeProperties = {
	displayName: 'Check Image URL',
	name: 'checkImageUrl',
	type: 'boolean',
	default: true,
	description:
		'Whether to read the first bytes of the image URL before submitting, to refuse an unreachable, too small or wrongly shaped image before it is paid for. Turn off only for hosts that refuse this check but that fal can read.',
};

export const DEFAULT_MAX_IN_FLIGHT = 10;

export const maxInFlightOption: INodeProperties = {
	displayName: 'Max Videos in Flight',
	name: 'maxInFlight',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 100 },
	default: DEFAULT_MAX_IN_FLIGHT,
	description: 'How many items of this run are worked on at once (uploaded, submitted, followed, downloaded)',
	hint: 'fal queues the jobs beyond your account\'s concurrency limit, so a higher number is safe: waiting in that queue does not count against the timeout'
};

/** The Options collection of an operation. */
export function optionsCollection(options: INodeProperties[]): INodeProperties {
	return { displayName: 'Options', name: 'options', type: 'collection', placeholder: 'Add Option', default: {}, options };
}
