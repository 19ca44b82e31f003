import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { asJobError, detailText, jobError, RESULT_RETENTION_WORDS } from '../../fal/errors';
import { getFailure, getResult, locateJob, videoOf, type QueueJob } from '../../fal/queue';
import { FalSession } from '../../fal/session';
import { waitForJob } from '../../fal/wait';
import { QUEUE_APPS } from '../shared/models/table';
import { videoItem } from '../shared/video-output';
import { DEFAULT_RESULT_WAIT_SECONDS, type TriggerOptions } from './description';

/**
 * The execution a delivery started: the job's video read from fal by request id, with the key, exactly as Get Result
 * reads it (streamed into n8n's binary data, tried again after a cut), and never from the delivery's body. This runs
 * in the execution, not in the webhook: fal has had its answer, and n8n keeps binary data made here with the
 * execution (n8n 1.123 loses binary data a webhook call makes while other deliveries run).
 */

/**
 * The delivered job on fal: its id does not say which model's queue app holds it, so the apps are asked in turn. fal
 * knowing it nowhere, after it signed a delivery for it, means the job is past fal's retention or is another account's.
 */
async function deliveredJob(ctx: IExecuteFunctions, fal: FalSession, requestId: string, itemIndex: number): Promise<QueueJob> {
	try {
		return (await locateJob(fal, requestId, QUEUE_APPS, itemIndex)).job;
	} catch (error) {
		if ((error as { context?: IDataObject }).context?.httpCode !== 404) throw asJobError(ctx.getNode(), error, { itemIndex, requestId });
		throw jobError(
			ctx.getNode(),
			'fal no longer knows the job this delivery is about (HTTP 404 from every model\'s queue)',
			{ itemIndex, requestId },
			`The delivery is fal's, but the job is past fal's retention (${RESULT_RETENTION_WORDS}), or it belongs to another fal account than this credential's key (Options → Only Deliveries for fal.ai User keeps those out).`,
		);
	}
}

async function collect(ctx: IExecuteFunctions, fal: FalSession, delivery: IDataObject, itemIndex: number, options: TriggerOptions): Promise<INodeExecutionData> {
	const requestId = String(delivery.requestId);
	const json: IDataObject = {
		requestId,
		status: delivery.status ?? null,
		error: delivery.error ?? null,
		payloadError: delivery.payloadError ?? null,
		falUserId: delivery.falUserId ?? null,
		query: delivery.query ?? {},
	};
	const job = await deliveredJob(ctx, fal, requestId, itemIndex);
	// The delivery says the job ended; what it ended with is read from fal. A job whose end fal cannot give yet is
	// read again for a while, and never cancelled (it is not this execution's).
	const ended = await waitForJob(fal, job, itemIndex, {
		timeoutMs: (options.resultWaitSeconds ?? DEFAULT_RESULT_WAIT_SECONDS) * 1000,
		cancelOnStall: false,
		onStop: async () => 'the job had ended on fal',
	});
	if (ended.error) {
		const failure = await getFailure(fal, job, itemIndex);
		return { json: { ...json, status: 'ERROR', error: detailText(failure.body) ?? ended.error }, pairedItem: { item: itemIndex } };
	}
	json.status = 'OK';
	json.error = null;
	const context = { itemIndex, requestId };
	const video = videoOf(fal, await getResult(fal, job, itemIndex), context);
	const item = await videoItem(fal, context, video, options, { inferenceSeconds: ended.metrics?.inference_time ?? null });
	return { ...item, json: { ...item.json, ...json } };
}

export async function collectVideos(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const options = this.getNodeParameter('options', 0, {}) as TriggerOptions;
	const fal = await FalSession.open(this, (options.resultWaitSeconds ?? DEFAULT_RESULT_WAIT_SECONDS) * 1000);
	const out: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const delivery = items[itemIndex].json;
		if (typeof delivery.requestId !== 'string') {
			throw new NodeOperationError(this.getNode(), 'The Hailuo Trigger got an item that is no fal delivery', { itemIndex });
		}
		out.push(await collect(this, fal, delivery, itemIndex, options));
	}
	return [out];
}
