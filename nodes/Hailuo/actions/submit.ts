import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import {
	checkImageUrlOption,
	generationInputFields,
	maxInFlightOption,
	maxSpendOption,
	optionsCollection,
} from '../description/fields';
import { checkSpending, prepareGeneration, submitGeneration, type GenerationRequest } from './generation';
import type { Operation } from './operation';
import type { Batch } from './batch';
import { checkWebhookUrl } from '../validate';

/**
 * Submit: every check Generate makes, the upload of a binary image, the submit, and the answer at once:
 * the execution does not wait for the video. Get Status, Get Result and Cancel take it from there.
 */

const webhookOption: INodeProperties = {
	displayName: 'Webhook URL',
	name: 'webhookUrl',
	type: 'string',
	default: '',
	placeholder: 'e.g. {{ $execution.resumeUrl }}',
	description:
		'URL that fal calls when the job ends (fal_webhook). Use {{ $execution.resumeUrl }} with a following Wait node set to "On Webhook Call"; then collect the video with Get Result, which reads it from fal by request ID.',
};

const properties: INodeProperties[] = [
	...generationInputFields,
	optionsCollection([webhookOption, checkImageUrlOption, maxInFlightOption, maxSpendOption]),
];

async function prepare(ctx: IExecuteFunctions, itemIndex: number): Promise<GenerationRequest> {
	const request = await prepareGeneration(ctx, itemIndex);
	request.options.webhookUrl = checkWebhookUrl(ctx.getNode(), itemIndex, request.options.webhookUrl);
	return request;
}

async function run(ctx: IExecuteFunctions, request: GenerationRequest, batch: Batch): Promise<INodeExecutionData> {
	const { webhookUrl } = request.options;
	const { job, details } = await submitGeneration(ctx, request, batch, webhookUrl);
	return {
		json: {
			requestId: job.requestId,
			status: 'IN_QUEUE',
			queuePosition: job.queuePosition ?? null,
			...details,
			webhookUrl: webhookUrl ?? null,
		},
		pairedItem: { item: request.itemIndex },
	};
}

export const submit: Operation<GenerationRequest> = {
	name: 'Submit Video',
	value: 'submit',
	description: 'Start a video on fal and return its request ID at once, without waiting for it',
	action: 'Submit a video job',
	properties: updateDisplayOptions({ show: { operation: ['submit'] } }, properties),
	prepare,
	beforeRun: checkSpending,
	run,
};
