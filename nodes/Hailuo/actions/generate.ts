import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import {
	checkImageUrlOption,
	DEFAULT_TIMEOUT_MINUTES,
	generationInputFields,
	maxInFlightOption,
	maxSpendOption,
	optionsCollection,
	timeoutOption,
} from '../description/fields';
import { generationFailedError, jobError } from '../../../fal/errors';
import { getFailure, getResult, videoOf } from '../../../fal/queue';
import { waitForJob } from '../../../fal/wait';
import { checkSpending, prepareGeneration, submitGeneration, type GenerationRequest } from './generation';
import type { Operation } from './operation';
import type { Batch } from './batch';
import { videoItem, videoOutputOptions } from '../../shared/video-output';
import { deleteVideoOption, storeRequestOption } from '../privacy';

/** Generate: submit a job, wait for it, read the result, stream the MP4 into n8n. */

const properties: INodeProperties[] = [
	...generationInputFields,
	optionsCollection([...videoOutputOptions, timeoutOption, checkImageUrlOption, maxInFlightOption, maxSpendOption, storeRequestOption, deleteVideoOption]),
];

async function run(ctx: IExecuteFunctions, request: GenerationRequest, batch: Batch): Promise<INodeExecutionData> {
	const { itemIndex, options } = request;
	const { fal } = batch;
	const { job, details } = await submitGeneration(ctx, request, batch, { collectedLater: false });
	const context = { itemIndex, requestId: job.requestId };
	const ended = await waitForJob(fal, job, itemIndex, {
		timeoutMs: (options.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES) * 60_000,
		queuePosition: job.queuePosition,
		runProgress: batch.progress,
		onStop: async () => await batch.cancelOnce(itemIndex),
	}).catch((error: unknown) => {
		if ((error as { context?: IDataObject }).context?.jobCancelled) batch.ended(itemIndex, 'cancelled');
		throw error;
	});
	batch.ended(itemIndex, ended.error ? 'failed' : 'completed');
	if (ended.error) {
		const failure = await getFailure(fal, job, itemIndex);
		throw generationFailedError(ctx.getNode(), failure, ended.error, context);
	}
	const video = videoOf(fal, await getResult(fal, job, itemIndex), context);
	if (batch.failing) throw jobError(ctx.getNode(), 'Not downloaded: an earlier item failed', context);
	return await videoItem(fal, context, video, options, {
		...details,
		inferenceSeconds: ended.metrics?.inference_time ?? null,
	});
}

export const generate: Operation<GenerationRequest> = {
	name: 'Generate Video',
	value: 'generate',
	description: 'Make an MP4 from a prompt (and a first-frame image, for image-to-video models) and wait for it',
	action: 'Generate a video',
	properties: updateDisplayOptions({ show: { operation: ['generate'] } }, properties),
	prepare: prepareGeneration,
	beforeRun: checkSpending,
	run,
};
