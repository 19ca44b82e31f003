import type { IExecuteFunctions } from 'n8n-workflow';

import { locateJob, type QueueJob, type QueueStatus } from '../../../fal/queue';
import { QUEUE_APPS } from '../../shared/models/table';
import { checkRequestId } from '../validate';
import type { Batch } from './batch';

/**
 * The job a follow-up operation (Get Status, Get Result, Cancel) acts on: its request ID (or a fal URL of the job,
 * which also names its queue app), checked before any call. A bare ID does not say which model's queue app holds the
 * job: the node asks the apps of the models it knows in turn (a wrong app answers 404 and costs nothing).
 */

export interface JobRequest<Options> {
	itemIndex: number;
	requestId: string;
	/** The queue app a pasted fal URL named; otherwise every app the node knows is asked. */
	queueApp?: string;
	options: Options;
}

export async function prepareJobRequest<Options>(ctx: IExecuteFunctions, itemIndex: number): Promise<JobRequest<Options>> {
	const { requestId, queueApp } = checkRequestId(ctx.getNode(), itemIndex, ctx.getNodeParameter('requestId', itemIndex));
	const options = ctx.getNodeParameter('options', itemIndex, {}) as Options;
	return { itemIndex, requestId, queueApp, options };
}

/** The queue apps that may hold the job, in the order they are asked. */
export const queueAppsOf = (request: JobRequest<unknown>): readonly string[] => (request.queueApp ? [request.queueApp] : QUEUE_APPS);

/** The job and its status now, from the app that holds it. */
export async function locate(batch: Batch, request: JobRequest<unknown>): Promise<{ job: QueueJob; status: QueueStatus }> {
	return await locateJob(batch.fal, request.requestId, queueAppsOf(request), request.itemIndex);
}
