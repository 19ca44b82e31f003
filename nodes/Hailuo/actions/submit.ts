import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

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
import { deleteVideoOption, storeRequestOption } from '../privacy';

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
		'URL that fal calls when the job ends (fal_webhook). For a batch, the production URL of a Hailuo Trigger (one execution per job, the video in it). For one item, {{ $execution.resumeUrl }} with a following Wait node set to "On Webhook Call", then Get Result.',
};

/** The URL without its query: fal calls it with the query as given, which a trigger then reads. */
const withoutQuery = (url: string) => url.split('?')[0].replace(/\/+$/, '');

/**
 * A Wait node resumed by a webhook resumes its execution once, with that one request: with several items sending
 * their webhooks to this execution's resume URL, every job but the first would be paid for and never collected.
 */
function refuseSharedResumeUrl(ctx: IExecuteFunctions, requests: GenerationRequest[]): void {
	if (requests.length < 2) return;
	const resumeUrl = withoutQuery(String(ctx.evaluateExpression('{{ $execution.resumeUrl }}', 0) ?? ''));
	const sharing = requests.filter((request) => request.options.webhookUrl && withoutQuery(request.options.webhookUrl) === resumeUrl);
	if (!resumeUrl || sharing.length < 2) return;
	throw new NodeOperationError(
		ctx.getNode(),
		`Webhook URL: ${sharing.length} items would send their jobs' webhooks to this execution's resume URL, which only one of them can resume`,
		{
			description:
				'Nothing was submitted. A Wait node resumed by a webhook carries one item, so the other videos would be paid for and never collected. For a batch, put the production URL of a Hailuo Trigger in Webhook URL (one execution per job, with its video), or leave Webhook URL empty and use Wait (after a time interval) → Get Result with Options → Wait for the Video.',
		},
	);
}

async function beforeRun(ctx: IExecuteFunctions, requests: GenerationRequest[], batch: Batch): Promise<void> {
	refuseSharedResumeUrl(ctx, requests);
	await checkSpending(ctx, requests, batch);
}

const properties: INodeProperties[] = [
	...generationInputFields,
	optionsCollection([webhookOption, checkImageUrlOption, maxInFlightOption, maxSpendOption, storeRequestOption, deleteVideoOption]),
];

async function prepare(ctx: IExecuteFunctions, itemIndex: number): Promise<GenerationRequest> {
	const request = await prepareGeneration(ctx, itemIndex);
	request.options.webhookUrl = checkWebhookUrl(ctx.getNode(), itemIndex, request.options.webhookUrl);
	return request;
}

async function run(ctx: IExecuteFunctions, request: GenerationRequest, batch: Batch): Promise<INodeExecutionData> {
	const { webhookUrl } = request.options;
	const { job, details } = await submitGeneration(ctx, request, batch, { webhookUrl, collectedLater: true });
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
	beforeRun,
	run,
};
