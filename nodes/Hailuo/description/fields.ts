import type { INodeProperties } from 'n8n-workflow';

import { STANDARD_IMAGE_TO_VIDEO } from '../models';

/**
 * Field builders shared by the operations that start a generation (Generate now; Submit later) and
 * by those that return a video.
 */

export const generationInputFields: INodeProperties[] = [
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'e.g. The camera slowly pushes in as steam rises from the coffee cup',
		description: `What should happen in the video (at most ${STANDARD_IMAGE_TO_VIDEO.limits.promptMaxChars} characters)`,
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
	},
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/first-frame.jpg',
		description: 'JPEG, PNG or WebP image used as the first frame',
		displayOptions: { show: { imageSource: ['url'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field holding the image',
		description: 'JPEG, PNG or WebP image (under 20 MB) used as the first frame; it is uploaded to fal storage',
		displayOptions: { show: { imageSource: ['binary'] } },
	},
	{
		displayName: 'Duration',
		name: 'duration',
		type: 'options',
		options: [
			{ name: '6 Seconds (USD 0.28)', value: '6' },
			{ name: '10 Seconds (USD 0.56)', value: '10' },
		],
		default: '6',
		description: 'Length of the video',
	},
	{
		displayName: 'Prompt Optimizer',
		name: 'promptOptimizer',
		type: 'boolean',
		default: true,
		description: 'Whether the model may rewrite the prompt to improve the video',
	},
];

export const DEFAULT_TIMEOUT_MINUTES = 20;

export const DEFAULT_DOWNLOAD_IDLE_SECONDS = 30;

export const videoOutputOptions: INodeProperties[] = [
	{
		displayName: 'Download Video',
		name: 'download',
		type: 'boolean',
		default: true,
		description: 'Whether to download the MP4 into binary data; off returns the video URL only',
	},
	{
		displayName: 'File Name',
		name: 'fileName',
		type: 'string',
		default: '',
		placeholder: 'e.g. product-video.mp4',
		description: 'Name of the MP4 in binary data; empty means hailuo-[request ID].mp4',
	},
	{
		displayName: 'Put Output Video in Field',
		name: 'binaryPropertyOutput',
		type: 'string',
		default: 'data',
		description: 'The binary field the MP4 is written to',
	},
	{
		displayName: 'Download Idle Limit (Seconds)',
		name: 'downloadIdleSeconds',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 600 },
		default: DEFAULT_DOWNLOAD_IDLE_SECONDS,
		description:
			'When the video download receives no bytes for this long, it is resumed from where it stopped (up to three times) before the item fails',
	},
];

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout (Minutes)',
	name: 'timeoutMinutes',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 180 },
	default: DEFAULT_TIMEOUT_MINUTES,
	description:
		'How long to wait for fal to finish one video. When it runs out, the job is cancelled on fal and the item fails with the request ID.',
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
	hint: 'fal queues the jobs beyond your account\'s concurrency limit, so a higher number is safe; it only costs open connections',
};
