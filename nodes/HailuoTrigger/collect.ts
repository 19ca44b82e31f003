import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { HAILUO_QUEUE_APP } from '../../fal/account';
import { detailText } from '../../fal/errors';
import { getFailure, getResult, jobRef, videoOf } from '../../fal/queue';
import { FalSession } from '../../fal/session';
import { waitForJob } from '../../fal/wait';
import { videoItem } from '../shared/video-output';
import { DEFAULT_RESULT_WAIT_SECONDS, type TriggerOptions } from './description';

/**
 * The execution a delivery started: the job's video read from fal by request id, with the key, exactly as Get Result
 * reads it (streamed into n8n's binary data, tried again after a cut), and never from the delivery's body. This runs
 * in the execution, not in the webhook: fal has had its answer, and n8n keeps binary data made here with the
 * execution (n8n 1.123 loses binary data a webhook call makes while other deliveries run).
 */

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
	const job = jobRef(fal.origins, HAILUO_QUEUE_APP, requestId);
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
