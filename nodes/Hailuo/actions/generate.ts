import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import {
	checkImageUrlOption,
	DEFAULT_TIMEOUT_MINUTES,
	generationInputFields,
	maxInFlightOption,
	timeoutOption,
	videoOutputOptions,
} from '../description/fields';
import { modelInput, priceOf, secondsOf, STANDARD_IMAGE_TO_VIDEO, type Duration, type HailuoModel } from '../models';
import { generationFailedError, jobError } from '../transport/errors';
import { getFailure, getResult, submitJob, videoOf } from '../transport/queue';
import { waitForJob } from '../transport/wait';
import { checkDuration, checkPrompt } from '../validate';
import { firstFrameUrl, prepareFirstFrame, type FirstFrame } from './first-frame';
import type { Operation } from './operation';
import type { RunContext } from './run-context';
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
		options: [...videoOutputOptions, timeoutOption, checkImageUrlOption, maxInFlightOption],
	},
];

interface GenerateOptions extends VideoOutputOptions {
	timeoutMinutes?: number;
	checkImageUrl?: boolean;
}

export interface GenerateRequest {
	itemIndex: number;
	model: HailuoModel;
	prompt: string;
	frame: FirstFrame;
	duration?: Duration;
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
	const frame = await prepareFirstFrame(ctx, itemIndex, model, options.checkImageUrl !== false);
	return { itemIndex, model, prompt, frame, duration, promptOptimizer, options };
}

async function run(ctx: IExecuteFunctions, request: GenerateRequest, runContext: RunContext): Promise<INodeExecutionData> {
	const { itemIndex, model, options } = request;
	const { origins } = runContext;
	const imageUrl = await firstFrameUrl(ctx, itemIndex, model, request.frame, origins);
	if (runContext.stopping) throw jobError(ctx.getNode(), 'Not submitted: an earlier item failed', { itemIndex });
	const input = modelInput(model, { ...request, imageUrl });

	const job = await submitJob(ctx, origins, model, input, { itemIndex, gate: runContext.gate });
	runContext.submitted(itemIndex, job.requestId);
	const context = { itemIndex, requestId: job.requestId };
	const timeoutMs = (options.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES) * 60_000;
	const ended = await waitForJob(ctx, job, itemIndex, { timeoutMs });
	runContext.ended(itemIndex, !ended.error);
	if (ended.error) {
		const failure = await getFailure(ctx, job, itemIndex);
		throw generationFailedError(ctx.getNode(), failure, ended.error, context);
	}
	const video = videoOf(ctx, await getResult(ctx, job, itemIndex), context);
	if (runContext.stopping) throw jobError(ctx.getNode(), 'Not downloaded: an earlier item failed', context);

	return await videoItem(ctx, context, video, options, {
		duration: secondsOf(model, request.duration) ?? null,
		prompt: request.prompt,
		promptOptimizer: request.promptOptimizer,
		imageSource: request.frame.source === 'none' ? null : request.frame.source,
		imageUrl: imageUrl ?? null,
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
