import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { optionsCollection, requestIdField } from '../description/fields';
import { getStatus } from '../../../fal/queue';
import { locate, prepareJobRequest, type JobRequest } from './job-reference';
import type { Operation } from './operation';
import type { Batch } from './batch';

/** Get Status: where a job is (queued, in progress, ended), optionally with fal's logs. */

const properties: INodeProperties[] = [
	requestIdField,
	optionsCollection([
			{
				displayName: 'Include Logs',
				name: 'includeLogs',
				type: 'boolean',
				default: false,
				description: 'Whether to include the log lines fal recorded for the job',
			},
		]),
];

type StatusRequest = JobRequest<{ includeLogs?: boolean }>;

async function run(_ctx: IExecuteFunctions, request: StatusRequest, batch: Batch): Promise<INodeExecutionData> {
	const { itemIndex, requestId } = request;
	const withLogs = request.options.includeLogs === true;
	const { job, status: found } = await locate(batch, request);
	const status = withLogs ? await getStatus(batch.fal, job, itemIndex, { withLogs }) : found;
	const json: IDataObject = {
		requestId,
		status: status.status,
		queuePosition: status.queue_position ?? null,
		logs: withLogs ? ((status.logs ?? []) as IDataObject[]) : null,
		inferenceSeconds: status.metrics?.inference_time ?? null,
		ended: status.status === 'COMPLETED',
		failed: status.status === 'COMPLETED' && !!status.error,
	};
	if (status.error) {
		json.error = status.error;
		json.errorType = status.error_type ?? null;
	}
	return { json, pairedItem: { item: itemIndex } };
}

export const getStatusOperation: Operation<StatusRequest> = {
	name: 'Get Status',
	value: 'getStatus',
	description: 'Read where a submitted job is: queued, in progress or ended',
	action: 'Get the status of a video job',
	properties: updateDisplayOptions({ show: { operation: ['getStatus'] } }, properties),
	prepare: prepareJobRequest,
	run,
};
