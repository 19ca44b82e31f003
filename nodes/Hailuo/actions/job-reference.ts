import type { IExecuteFunctions } from 'n8n-workflow';

import { HAILUO_QUEUE_APP } from '../../../fal/account';
import { jobRef, type QueueJob } from '../../../fal/queue';
import { checkRequestId } from '../validate';
import type { Batch } from './batch';

/**
 * The job a follow-up operation (Get Status, Get Result, Cancel) acts on: its request ID, checked before
 * any call. Every Hailuo model on fal shares one queue app (`fal-ai/minimax`), so the ID alone is enough.
 */

export interface JobRequest<Options> {
	itemIndex: number;
	requestId: string;
	options: Options;
}

export async function prepareJobRequest<Options>(ctx: IExecuteFunctions, itemIndex: number): Promise<JobRequest<Options>> {
	const requestId = checkRequestId(ctx.getNode(), itemIndex, ctx.getNodeParameter('requestId', itemIndex));
	const options = ctx.getNodeParameter('options', itemIndex, {}) as Options;
	return { itemIndex, requestId, options };
}

export function jobOf(batch: Batch, requestId: string): QueueJob {
	return jobRef(batch.fal.origins, HAILUO_QUEUE_APP, requestId);
}
