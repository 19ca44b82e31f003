import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { Setting } from '../../shared/models/inputs';
import { priceOf, usd } from '../../shared/models/prices';
import { DEFAULT_ENDPOINT, MODELS, settingFor, takesLastFrame, type HailuoModel } from '../../shared/models/table';
import { cameraMovementField } from '../camera';

/**
 * The generation inputs of Generate and Submit, which follow the chosen model: which fields a model shows, their
 * values, ranges, defaults and every price are read from the model table. A setting's field is one per set of models
 * whose row says the same (values and prices), shown for those models only.
 */

const inWords = (resolution: string) => resolution.replace(/P$/, 'p');

const endpointsWhere = (keep: (model: HailuoModel) => boolean) => MODELS.filter(keep).map((model) => model.endpoint);

/** "about " where fal's page gives the price at this resolution as roughly that much. */
const about = (model: HailuoModel, resolution: string) => (model.price.per === 'second' && model.price.rough?.includes(resolution) ? 'about ' : '');

const resolutionsOf = (model: HailuoModel): string[] => {
	const setting = settingFor(model, 'resolution');
	return setting?.kind === 'choice' ? [...setting.values] : model.fixedResolution ? [model.fixedResolution] : [];
};

/** A model's prices in words, every figure from the table. */
function priceWords(model: HailuoModel): string {
	const duration = settingFor(model, 'duration');
	if (model.price.per === 'second') {
		const perSecond = model.price.usd;
		const rates = resolutionsOf(model)
			.map((resolution) => `${about(model, resolution)}${usd(perSecond[resolution] ?? 0, 3)} per second at ${inWords(resolution)}`)
			.join(', ');
		const references = model.price.references ? `, plus reference images beyond the first ${model.price.references.includedTokens / model.price.references.tokensPerSquareImage} square ones` : '';
		return model.fixedSeconds ? `${usd(priceOf(model))} per ${model.fixedSeconds} s video (${rates})` : `${rates}${references}`;
	}
	if (duration?.kind !== 'choice') return `${usd(priceOf(model))} per video`;
	return duration.values.map((value) => `${usd(priceOf(model, { settings: { [duration.field]: value } }))} for ${value} s`).join(', ');
}

function modelWords(model: HailuoModel): string {
	const images = model.images.references
		? `From 1 to ${model.images.references.max} reference images and the prompt`
		: !model.images.first
			? 'From the prompt alone'
			: takesLastFrame(model)
				? 'Animates a first-frame image, optionally to a last frame'
				: 'Animates a first-frame image';
	const length = model.fixedSeconds ? `, always ${model.fixedSeconds} s (no Duration)` : '';
	const sound = model.sound ? ', with sound' : '';
	return `${images}${sound}${length}; ${priceWords(model)}`;
}

export const modelField: INodeProperties = {
	displayName: 'Model',
	name: 'model',
	type: 'options',
	options: MODELS.map((model) => ({ name: model.displayName, value: model.endpoint, description: modelWords(model) })),
	default: DEFAULT_ENDPOINT,
	description:
		'Which MiniMax model on fal makes the video, newest family first: H3 Max (with sound, 5 to 15 s, up to 1080p, reference images), H3 Max Turbo (the same at half the price), Hailuo 2.3, Hailuo 02 (a last frame, 512p drafts). Pro models make 6 s videos only.',
};

/** A duration's price at each resolution the model makes, for the option's name. */
function durationPrice(model: HailuoModel, setting: Setting, value: string): string {
	if (model.price.per === 'video') return usd(priceOf(model, { settings: { [setting.field]: value } }));
	const resolution = settingFor(model, 'resolution');
	return resolutionsOf(model)
		.map((at) => {
			const price = priceOf(model, { settings: { [setting.field]: value, ...(resolution ? { [resolution.field]: at } : {}) } });
			return `${about(model, at)}${usd(price)}${resolution ? ` at ${inWords(at)}` : ''}`;
		})
		.join(', ');
}

/** A resolution's price per second, and for the shortest and longest video, for the option's name. */
function resolutionPrice(model: HailuoModel, resolution: string): string {
	const perSecond = model.price.per === 'second' ? (model.price.usd[resolution] ?? 0) : 0;
	const duration = settingFor(model, 'duration');
	const span = duration?.kind === 'integer' ? `: ${usd(perSecond * duration.min)} for ${duration.min} s to ${usd(perSecond * duration.max)} for ${duration.max} s` : '';
	return `${about(model, resolution)}${usd(perSecond, 3)} per Second${span}`;
}

function optionsOf(model: HailuoModel, setting: Setting): INodePropertyOptions[] {
	if (setting.kind !== 'choice') return [];
	return setting.values.map((value) => {
		let name = setting.valueNames?.[value] ?? value;
		if (setting.role === 'duration') name = `${value} Seconds (${durationPrice(model, setting, value)})`;
		if (setting.role === 'resolution') name = `${inWords(value)} (${resolutionPrice(model, value)})`;
		return { name, value };
	});
}

const DESCRIPTIONS: Record<string, (model: HailuoModel) => string> = {
	duration: () => 'Length of the video',
	durationSeconds: (model) => `Length of the video in whole seconds; ${priceWords(model)}`,
	resolution: (model) => {
		const last = model.images.last?.atResolutions;
		return `Resolution of the video${last ? `: a last frame needs ${last.map(inWords).join(' or ')}` : ''}`;
	},
	promptOptimizer: () => 'Whether the model may rewrite the prompt to improve the video',
	promptExpansion: () =>
		'Whether fal expands the prompt before generating: Balanced adds about a second, Quality up to thirty; Disabled sends the prompt as written',
	aspectRatio: () => 'Shape of the video (image to video follows the image instead)',
};

/** The editor field of one setting, shown for `models` (which share its values and prices). */
function settingField(setting: Setting, models: HailuoModel[]): INodeProperties {
	const model = models[0];
	const field: INodeProperties = {
		displayName: setting.label,
		name: setting.parameter,
		type: setting.kind === 'choice' ? 'options' : setting.kind === 'integer' ? 'number' : 'boolean',
		default: setting.default,
		description: DESCRIPTIONS[setting.parameter]?.(model) ?? setting.label,
		displayOptions: { show: { model: models.map((m) => m.endpoint) } },
	};
	if (setting.kind === 'choice') field.options = optionsOf(model, setting);
	if (setting.kind === 'integer') field.typeOptions = { minValue: setting.min, maxValue: setting.max, numberPrecision: 0 };
	return field;
}

/** One field per setting and set of models whose rows say the same, in the order the settings first appear. */
function settingFields(): INodeProperties[] {
	const groups = new Map<string, { setting: Setting; models: HailuoModel[] }>();
	for (const model of MODELS) {
		for (const setting of model.settings) {
			const key = JSON.stringify([setting, optionsOf(model, setting), DESCRIPTIONS[setting.parameter]?.(model)]);
			const group = groups.get(key) ?? { setting, models: [] };
			group.models.push(model);
			groups.set(key, group);
		}
	}
	const order = (parameter: string) => ['resolution', 'duration', 'durationSeconds', 'aspectRatio', 'promptExpansion', 'promptOptimizer'].indexOf(parameter);
	return [...groups.values()]
		.sort((a, b) => order(a.setting.parameter) - order(b.setting.parameter))
		.map(({ setting, models }) => settingField(setting, models));
}

const withFirstFrame = { model: endpointsWhere((model) => model.images.first) };

const withLastFrame = { model: endpointsWhere(takesLastFrame) };

const withReferences = { model: endpointsWhere((model) => model.images.references !== undefined) };

const IMAGE_LIMITS = 'JPEG, PNG or WebP, under 20 MB, short side over 300 px, between 2:5 and 5:2';

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
		description: 'An image the video ends on (Hailuo 02 Standard: at 768p only). The video takes the first frame\'s size: a last frame of another size is cropped to it.',
		displayOptions: { show: withLastFrame },
	},
	{
		displayName: 'Last Frame URL',
		name: 'lastFrameUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/last-frame.jpg',
		description: `Image the video ends on (${IMAGE_LIMITS})`,
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

const referenceImagesField: INodeProperties = {
	displayName: 'Reference Images',
	name: 'referenceImages',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true, sortable: true },
	placeholder: 'Add Reference Image',
	default: {},
	description: `1 to 9 images the video draws on (people, products, places); the prompt names them "Image 1", "Image 2"… in this order. Each: ${IMAGE_LIMITS}.`,
	displayOptions: { show: withReferences },
	options: [
		{
			displayName: 'Image',
			name: 'image',
			values: [
				{
					displayName: 'Source',
					name: 'source',
					type: 'options',
					options: [
						{ name: 'Image URL', value: 'url' },
						{ name: 'Binary File', value: 'binary' },
					],
					default: 'url',
				},
				{
					displayName: 'Image URL',
					name: 'url',
					type: 'string',
					default: '',
					placeholder: 'https://example.com/product.jpg',
					description: 'A public http(s) URL of the image, or an expression giving a list of URLs (as many references, one list per item)',
					displayOptions: { show: { source: ['url'] } },
				},
				{
					displayName: 'Binary Field',
					name: 'binaryPropertyName',
					type: 'string',
					default: 'data',
					hint: 'The name of the input binary field holding the image; it is uploaded to fal storage',
					displayOptions: { show: { source: ['binary'] } },
				},
			],
		},
	],
};

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
		description: 'What should happen in the video (Hailuo: at most 2,000 characters; H3: at most 50,000)',
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
		description: `Image used as the first frame (${IMAGE_LIMITS})`,
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
	referenceImagesField,
	...settingFields(),
	cameraMovementField(MODELS),
];
