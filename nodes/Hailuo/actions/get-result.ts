import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { optionsCollection, requestIdField, videoOutputOptions } from '../description/fields';
import { generationFailedError, jobError } from '../../../fal/errors';
import { getFailure, getResult, getStatus, videoOf } from '../../../fal/queue';
import { jobOf, prepareJobRequest, type JobRequest } from './job-reference';
import type { Operation } from './operation';
import type { Batch } from './batch';
import { videoItem, type VideoOutputOptions } from './video-output';

/**
 * Get Result: the finished job's video, exactly as Generate outputs it. It always reads the job from
 * fal, with the key, by request ID: whatever a webhook's body says is never trusted, so a forged call to
 * a resume URL cannot slip a video URL into the workflow.
 */

const properties: INodeProperties[] = [
	requestIdField,
	optionsCollection(videoOutputOptions),
];

type ResultRequest = JobRequest<VideoOutputOptions>;

async function run(ctx: IExecuteFunctions, request: ResultRequest, batch: Batch): Promise<INodeExecutionData> {
	const { itemIndex, requestId } = request;
	const { fal } = batch;
	const job = jobOf(batch, requestId);
	const context = { itemIndex, requestId };
	const status = await getStatus(fal, job, itemIndex);
	if (status.status !== 'COMPLETED') {
		const position = status.queue_position !== undefined && status.queue_position !== null ? `, position ${status.queue_position}` : '';
		throw jobError(
			ctx.getNode(),
			`The video is not ready: the job is still ${status.status}${position}`,
			{ ...context, mayStillRun: true },
			'Run Get Result again once the job has ended (wait for the webhook, or check with Get Status).',
		);
	}
	if (status.error) {
		throw generationFailedError(ctx.getNode(), await getFailure(fal, job, itemIndex), status.error, context);
	}
	const video = videoOf(fal, await getResult(fal, job, itemIndex), context);
	return await videoItem(fal, context, video, request.options, {
		inferenceSeconds: status.metrics?.inference_time ?? null,
	});
}

export const getResultOperation: Operation<ResultRequest> = {
	name: 'Get Result',
	value: 'getResult',
	description: 'Download the video of a finished job as binary data',
	action: 'Get the result of a video job',
	properties: updateDisplayOptions({ show: { operation: ['getResult'] } }, properties),
	prepare: prepareJobRequest,
	run,
};
