import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { HailuoModel } from '../models';
import { jobError, type JobContext } from './errors';
import { callFal } from './fal';
import type { FalOrigins } from './hosts';

/**
 * fal's queue protocol: submit a job, read its status, read its result. Status and result live under
 * the model's owner/alias (`fal-ai/minimax/requests/{id}`), not under the full endpoint path.
 */

export interface QueueJob {
	requestId: string;
	statusUrl: string;
	responseUrl: string;
	cancelUrl: string;
	queuePosition?: number;
}

export type QueueState = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED';

export interface QueueStatus {
	status: QueueState;
	queue_position?: number;
	/** Set when a COMPLETED job failed. */
	error?: string | null;
	error_type?: string | null;
	metrics?: { inference_time?: number };
}

export interface FalFile {
	url: string;
	content_type?: string;
	file_name?: string;
	file_size?: number;
}

interface SubmitAnswer {
	request_id?: string;
	status_url?: string;
	response_url?: string;
	cancel_url?: string;
	queue_position?: number;
}

// fal's answer carries its own URLs; they are used only on the configured queue origin, so the key is
// never sent to a host the credential does not name (e.g. when a Base URL points at a proxy).
function onOrigin(url: string | undefined, origin: string, fallback: string): string {
	return url && url.startsWith(`${origin}/`) ? url : fallback;
}

export async function submitJob(
	ctx: IExecuteFunctions,
	origins: FalOrigins,
	model: HailuoModel,
	input: IDataObject,
	itemIndex: number,
): Promise<QueueJob> {
	const answer = await callFal<SubmitAnswer>(
		ctx,
		{ method: 'POST', url: `${origins.queue}/${model.endpoint}`, body: input, kind: 'submit', what: 'submit the job' },
		{ itemIndex },
	);
	const requestId = answer.body?.request_id;
	if (typeof requestId !== 'string' || !requestId) {
		throw jobError(ctx.getNode(), 'fal accepted the job but sent no request id', { itemIndex, requestId: answer.requestId });
	}
	const base = `${origins.queue}/${model.queueApp}/requests/${encodeURIComponent(requestId)}`;
	return {
		requestId,
		statusUrl: onOrigin(answer.body.status_url, origins.queue, `${base}/status`),
		responseUrl: onOrigin(answer.body.response_url, origins.queue, base),
		cancelUrl: onOrigin(answer.body.cancel_url, origins.queue, `${base}/cancel`),
		queuePosition: answer.body.queue_position,
	};
}

const QUEUE_STATES: readonly string[] = ['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED'];

export async function getStatus(ctx: IExecuteFunctions, job: QueueJob, itemIndex: number): Promise<QueueStatus> {
	const context: JobContext = { itemIndex, requestId: job.requestId, mayStillRun: true };
	const answer = await callFal<QueueStatus>(
		ctx,
		{ method: 'GET', url: job.statusUrl, qs: { logs: 0 }, kind: 'read', what: 'read the job status' },
		context,
	);
	if (!answer.body || !QUEUE_STATES.includes(answer.body.status)) {
		throw jobError(ctx.getNode(), 'fal sent a job status this node does not understand', context);
	}
	return answer.body;
}

/** The model's output once the job has ended. */
export async function getResult(ctx: IExecuteFunctions, job: QueueJob, itemIndex: number): Promise<IDataObject> {
	const context: JobContext = { itemIndex, requestId: job.requestId };
	const answer = await callFal<IDataObject>(
		ctx,
		{ method: 'GET', url: job.responseUrl, kind: 'read', what: 'read the job result' },
		context,
	);
	if (!answer.body || typeof answer.body !== 'object') {
		throw jobError(ctx.getNode(), 'fal sent a result this node does not understand', context);
	}
	return answer.body;
}

/**
 * What fal says about a job that ended with an error: its result call answers the HTTP status and
 * fal's details (e.g. a 422 naming the input the model refused). Read once; never retried.
 */
export async function getFailure(
	ctx: IExecuteFunctions,
	job: QueueJob,
	itemIndex: number,
): Promise<{ status: number; body: unknown }> {
	const answer = await callFal<unknown>(
		ctx,
		{ method: 'GET', url: job.responseUrl, kind: 'once', what: 'read why the job failed', acceptStatus: ANY_ERROR_STATUS },
		{ itemIndex, requestId: job.requestId },
	);
	return { status: answer.status, body: answer.body };
}

const ANY_ERROR_STATUS = Array.from({ length: 200 }, (_, i) => 400 + i);

/** The generated video in a result, or an error that says the result was not understood. */
export function videoOf(ctx: IExecuteFunctions, result: IDataObject, job: JobContext): FalFile {
	const video = result.video as FalFile | undefined;
	if (!video || typeof video.url !== 'string' || !/^https?:\/\//i.test(video.url)) {
		throw jobError(ctx.getNode(), 'fal finished the job but its result holds no video URL', job);
	}
	return video;
}
