import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { DEFAULT_TIMEOUT_MINUTES, generationInputFields, timeoutOption, videoOutputOptions } from '../description/fields';
import { priceOf, STANDARD_IMAGE_TO_VIDEO, type Duration, type HailuoModel } from '../models';
import { generationFailedError } from '../transport/errors';
import { uploadImage } from '../transport/files';
import type { FalOrigins } from '../transport/hosts';
import { getFailure, getResult, submitJob, videoOf } from '../transport/queue';
import { waitForJob } from '../transport/wait';
import { checkDuration, checkImageBytes, checkImageUrl, checkPrompt } from '../validate';
import type { Operation } from './operation';
import { videoItem, type VideoOutputOptions } from './video-output';

/** Generate: submit an image-to-video job, wait for it, read the result, stream the MP4 into n8n. */

const properties: INodeProperties[] = [
	...generationInputFields,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [...videoOutputOptions, timeoutOption],
	},
];

interface GenerateOptions extends VideoOutputOptions {
	timeoutMinutes?: number;
}

type ImageInput = { source: 'url'; url: string } | { source: 'binary'; field: string };

export interface GenerateRequest {
	itemIndex: number;
	model: HailuoModel;
	prompt: string;
	image: ImageInput;
	duration: Duration;
	promptOptimizer: boolean;
	options: GenerateOptions;
}

async function prepare(ctx: IExecuteFunctions, itemIndex: number): Promise<GenerateRequest> {
	const node = ctx.getNode();
	const model = STANDARD_IMAGE_TO_VIDEO;
	const prompt = checkPrompt(node, itemIndex, model, ctx.getNodeParameter('prompt', itemIndex));
	const duration = checkDuration(node, itemIndex, model, ctx.getNodeParameter('duration', itemIndex, model.defaultDuration));
	const promptOptimizer = ctx.getNodeParameter('promptOptimizer', itemIndex, true) as boolean;
	const options = ctx.getNodeParameter('options', itemIndex, {}) as GenerateOptions;

	let image: ImageInput;
	if (ctx.getNodeParameter('imageSource', itemIndex, 'url') === 'binary') {
		const field = String(ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim();
		ctx.helpers.assertBinaryData(itemIndex, field);
		checkImageBytes(node, itemIndex, model, field, await ctx.helpers.getBinaryDataBuffer(itemIndex, field));
		image = { source: 'binary', field };
	} else {
		image = { source: 'url', url: checkImageUrl(node, itemIndex, ctx.getNodeParameter('imageUrl', itemIndex)) };
	}
	return { itemIndex, model, prompt, image, duration, promptOptimizer, options };
}

async function imageUrlFor(ctx: IExecuteFunctions, request: GenerateRequest, origins: FalOrigins): Promise<string> {
	if (request.image.source === 'url') return request.image.url;
	const { itemIndex, model } = request;
	const { field } = request.image;
	const metadata = ctx.helpers.assertBinaryData(itemIndex, field);
	const bytes = await ctx.helpers.getBinaryDataBuffer(itemIndex, field);
	const mimeType = checkImageBytes(ctx.getNode(), itemIndex, model, field, bytes);
	const fileName = metadata.fileName ?? `frame.${mimeType.split('/')[1]}`;
	return await uploadImage(ctx, origins, { bytes, mimeType, fileName }, { itemIndex });
}

async function run(ctx: IExecuteFunctions, request: GenerateRequest, origins: FalOrigins): Promise<INodeExecutionData> {
	const { itemIndex, model, options } = request;
	const imageUrl = await imageUrlFor(ctx, request, origins);
	const input: IDataObject = {
		prompt: request.prompt,
		image_url: imageUrl,
		duration: request.duration,
		prompt_optimizer: request.promptOptimizer,
	};

	const job = await submitJob(ctx, origins, model, input, itemIndex);
	const context = { itemIndex, requestId: job.requestId };
	const timeoutMs = (options.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES) * 60_000;
	const ended = await waitForJob(ctx, job, itemIndex, { timeoutMs });
	if (ended.error) {
		const failure = await getFailure(ctx, job, itemIndex);
		throw generationFailedError(ctx.getNode(), failure, ended.error, context);
	}
	const video = videoOf(ctx, await getResult(ctx, job, itemIndex), context);

	return await videoItem(ctx, context, video, options, {
		duration: Number(request.duration),
		prompt: request.prompt,
		promptOptimizer: request.promptOptimizer,
		imageSource: request.image.source,
		imageUrl,
		model: model.endpoint,
		costUsd: priceOf(model, request.duration),
		inferenceSeconds: ended.metrics?.inference_time ?? null,
	});
}

export const generate: Operation<GenerateRequest> = {
	name: 'Generate Video From Image',
	value: 'generate',
	description: 'Turn a first-frame image and a prompt into an MP4 and wait for it',
	action: 'Generate a video from an image',
	properties: updateDisplayOptions({ show: { operation: ['generate'] } }, properties),
	prepare,
	run,
};
