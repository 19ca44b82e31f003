import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { generationFailedError, jobError } from '../../../fal/errors';
import { getFailure, getResult, videoOf, type QueueJob, type QueueStatus } from '../../../fal/queue';
import { waitForJob } from '../../../fal/wait';
import { videoItem, videoOutputOptions, type VideoOutputOptions } from '../../shared/video-output';
import { DEFAULT_TIMEOUT_MINUTES, optionsCollection, requestIdField, timeoutOption } from '../description/fields';
import type { Batch } from './batch';
import { locate, prepareJobRequest, type JobRequest } from './job-reference';
import type { Operation } from './operation';

/**
 * Get Result: the finished job's video, exactly as Generate outputs it. It always reads the job from
 * fal, with the key, by request ID: whatever a webhook's body says is never trusted, so a forged call to
 * a resume URL cannot slip a video URL into the workflow. With Wait for the Video it follows a job that has
 * not ended yet, as Generate does; the job is not this run's, so neither a stall nor Stop cancels it.
 */

const waitForVideoOption: INodeProperties = {
	displayName: 'Wait for the Video',
	name: 'waitForVideo',
	type: 'boolean',
	default: false,
	description:
		'Whether to wait for a job that is still queued or running (followed as Generate follows it, up to Timeout) instead of failing the item at once. The job is never cancelled by this node.',
};

const properties: INodeProperties[] = [
	requestIdField,
	optionsCollection([waitForVideoOption, { ...timeoutOption, description: 'With Wait for the Video: how long a job may go without moving before the item fails (the job is not cancelled)' }, ...videoOutputOptions]),
];

type ResultRequest = JobRequest<VideoOutputOptions & { waitForVideo?: boolean; timeoutMinutes?: number }>;

/** The job's status, once ended when asked to wait for it. */
async function endedStatus(request: ResultRequest, job: QueueJob, found: QueueStatus, batch: Batch): Promise<QueueStatus> {
	const { itemIndex, requestId, options } = request;
	if (!options.waitForVideo || found.status === 'COMPLETED') return found;
	return await waitForJob(batch.fal, job, itemIndex, {
		timeoutMs: (options.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES) * 60_000,
		runProgress: batch.progress,
		cancelOnStall: false,
		onStop: async () => {
			const words = 'the job was not cancelled (this run did not submit it): collect it later with Get Result';
			batch.fal.ctx.logger.info(`Hailuo: the execution was stopped while Get Result waited for fal job ${requestId} (item ${itemIndex}); ${words}`, {
				requestId,
				itemIndex,
			});
			return words;
		},
	});
}

async function run(ctx: IExecuteFunctions, request: ResultRequest, batch: Batch): Promise<INodeExecutionData> {
	const { itemIndex, requestId } = request;
	const { fal } = batch;
	const context = { itemIndex, requestId };
	const { job, status: found } = await locate(batch, request);
	const status = await endedStatus(request, job, found, batch);
	if (status.status !== 'COMPLETED') {
		const position = status.queue_position !== undefined && status.queue_position !== null ? `, position ${status.queue_position}` : '';
		throw jobError(
			ctx.getNode(),
			`The video is not ready: the job is still ${status.status}${position}`,
			{ ...context, mayStillRun: true },
			'Run Get Result again once the job has ended (wait for the webhook, or check with Get Status), or turn on Options → Wait for the Video.',
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
	description: 'Download the video of a finished job as binary data (optionally waiting for it to finish)',
	action: 'Get the result of a video job',
	properties: updateDisplayOptions({ show: { operation: ['getResult'] } }, properties),
	prepare: prepareJobRequest,
	run,
};
