import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { requestIdField } from '../description/fields';
import { cancelJob, jobRef, type CancelAnswer } from '../../../fal/queue';
import { prepareJobRequest, queueAppsOf, type JobRequest } from './job-reference';
import type { Operation } from './operation';
import type { Batch } from './batch';

/** Cancel: asks fal to cancel a job; the output says what fal answered. */

const properties: INodeProperties[] = [requestIdField];

const IN_WORDS: Record<CancelAnswer, string> = {
	CANCELLATION_REQUESTED: 'fal accepted the cancel: a queued job is dropped and not billed; a running job is asked to stop',
	ALREADY_COMPLETED: 'the job had already ended; nothing was cancelled',
	NOT_FOUND: 'fal knows no job with this request ID in any model\'s queue (a typo, another fal account, or a job past fal\'s retention)',
};

async function run(_ctx: IExecuteFunctions, request: JobRequest<object>, batch: Batch): Promise<INodeExecutionData> {
	const { itemIndex, requestId } = request;
	// a wrong app answers NOT_FOUND at no cost: the apps are asked in turn, as for the other operations
	let answer: CancelAnswer = 'NOT_FOUND';
	for (const app of queueAppsOf(request)) {
		answer = await cancelJob(batch.fal, jobRef(batch.fal.origins, app, requestId), itemIndex);
		if (answer !== 'NOT_FOUND') break;
	}
	return {
		json: { requestId, cancelled: answer === 'CANCELLATION_REQUESTED', falAnswer: answer, message: IN_WORDS[answer] },
		pairedItem: { item: itemIndex },
	};
}

export const cancel: Operation<JobRequest<object>> = {
	name: 'Cancel',
	value: 'cancel',
	description: 'Ask fal to cancel a submitted job',
	action: 'Cancel a video job',
	properties: updateDisplayOptions({ show: { operation: ['cancel'] } }, properties),
	prepare: prepareJobRequest,
	run,
};
