import type { IDataObject } from 'n8n-workflow';

import { pause } from './cancellation';
import { ambiguousSubmitError, asJobError, falHttpError, jobError, resultGoneError, unknownJobError, type JobContext } from './errors';
import { callFal, callFalAfterStop, type FalCall } from './caller';
import type { FalOrigins } from './account';
import type { FalErrorSignals } from './answers';
import type { FalSession } from './session';

/**
 * fal's queue protocol: submit a job, read its status, read its result, cancel it. Status, result and
 * cancel live under the model's queue app (`fal-ai/minimax/requests/{id}`), not under the full
 * endpoint path, so any operation can act on a job from its request id alone (`jobRef`).
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
	metrics?: { inference_time?: number | null };
	logs?: Array<{ message?: string; level?: string; timestamp?: string }> | null;
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

/** A job's URLs from its request id and its model's queue app (e.g. `fal-ai/minimax`). */
export function jobRef(origins: FalOrigins, queueApp: string, requestId: string): QueueJob {
	const base = `${origins.queue}/${queueApp}/requests/${encodeURIComponent(requestId)}`;
	return { requestId, statusUrl: `${base}/status`, responseUrl: base, cancelUrl: `${base}/cancel` };
}

// fal's answer carries its own URLs; they are used only on the configured queue origin, so the key is
// never sent to a host the credential does not name (e.g. when a Base URL points at a proxy).
function onOrigin(url: string | undefined, origin: string, fallback: string): string {
	return url && url.startsWith(`${origin}/`) ? url : fallback;
}

export interface SubmitOptions {
	itemIndex: number;
	/** fal calls this URL when the job ends (`fal_webhook`). */
	webhookUrl?: string;
	/** See FalCall.abandon: a reason not to submit after all, asked before every attempt. */
	abandon?: () => string | undefined;
	/** fal's platform headers for this job (what fal stores of it, how long its files live). */
	headers?: IDataObject;
}

export async function submitJob(
	fal: FalSession,
	model: { endpoint: string; queueApp: string },
	input: IDataObject,
	options: SubmitOptions,
): Promise<QueueJob> {
	const { itemIndex, webhookUrl, abandon, headers } = options;
	const { ctx, origins } = fal;
	const answer = await callFal<SubmitAnswer>(
		fal,
		{
			method: 'POST',
			url: `${origins.queue}/${model.endpoint}`,
			body: input,
			qs: webhookUrl ? { fal_webhook: webhookUrl } : undefined,
			headers,
			kind: 'submit',
			what: 'submit the job',
			abandon,
		},
		{ itemIndex },
	);
	const requestId = answer.body?.request_id;
	if (typeof requestId !== 'string' || !requestId) {
		throw ambiguousSubmitError(ctx.getNode(), { itemIndex, requestId: answer.requestId }, 'fal answered, but its answer holds no request id');
	}
	const ref = jobRef(origins, model.queueApp, requestId);
	return {
		requestId,
		statusUrl: onOrigin(answer.body.status_url, origins.queue, ref.statusUrl),
		responseUrl: onOrigin(answer.body.response_url, origins.queue, ref.responseUrl),
		cancelUrl: onOrigin(answer.body.cancel_url, origins.queue, ref.cancelUrl),
		queuePosition: answer.body.queue_position,
	};
}

/**
 * A job known by its request id alone. The id does not say which queue app holds it (`fal-ai/minimax`,
 * `minimax/h3-max`…): the apps are asked in turn with a status read, a wrong app answering 404 at no cost, and the
 * first that knows the job is its app. fal knowing it nowhere is said as such (unknownJobError).
 */
export async function locateJob(
	fal: FalSession,
	requestId: string,
	apps: readonly string[],
	itemIndex: number,
): Promise<{ job: QueueJob; status: QueueStatus }> {
	for (const app of apps) {
		const job = jobRef(fal.origins, app, requestId);
		try {
			return { job, status: await getStatus(fal, job, itemIndex) };
		} catch (error) {
			if ((error as { context?: IDataObject }).context?.httpCode !== 404) throw asJobError(fal.ctx.getNode(), error, { itemIndex, requestId });
		}
	}
	throw unknownJobError(fal.ctx.getNode(), { itemIndex, requestId }, apps);
}

const QUEUE_STATES: readonly string[] = ['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED'];

export function isQueueStatus(body: unknown): body is QueueStatus {
	return !!body && typeof body === 'object' && QUEUE_STATES.includes((body as QueueStatus).status);
}

export interface StatusReadOptions {
	/** fal's logs of the job (`logs=1`). */
	withLogs?: boolean;
	/** One try, a few seconds at most: a glance at the job, not a wait for it. */
	quick?: boolean;
}

const QUICK_READ_MS = 5_000;

export async function getStatus(fal: FalSession, job: QueueJob, itemIndex: number, options: StatusReadOptions = {}): Promise<QueueStatus> {
	const context: JobContext = { itemIndex, requestId: job.requestId, mayStillRun: true };
	const call: FalCall = {
		method: 'GET',
		url: job.statusUrl,
		qs: { logs: options.withLogs ? 1 : 0 },
		kind: options.quick ? 'once' : 'read',
		timeoutMs: options.quick ? QUICK_READ_MS : undefined,
		what: 'read the job status',
		expectObject: true,
	};
	const answer = await callFal<QueueStatus>(fal, call, context);
	if (!isQueueStatus(answer.body)) {
		// a proxy's or a captive portal's answer, say: nothing about the job, so read past it while waiting
		throw jobError(fal.ctx.getNode(), 'fal sent a job status this node does not understand', context, undefined, { transient: true });
	}
	return answer.body;
}

// fal's docs do not say how soon a result is readable once the status says COMPLETED: a result that answers
// "still in progress" is read again, a few times, a second apart.
const NOT_YET_READABLE_TRIES = 5;
const NOT_YET_READABLE_PAUSE_MS = 1_000;

/** The model's output once the job has ended. */
export async function getResult(fal: FalSession, job: QueueJob, itemIndex: number): Promise<IDataObject> {
	const context: JobContext = { itemIndex, requestId: job.requestId };
	const call: FalCall = {
		method: 'GET',
		url: job.responseUrl,
		kind: 'read',
		what: 'read the job result',
		expectObject: true,
		acceptStatus: [400, 404],
	};
	let answer = await callFal<IDataObject>(fal, call, context);
	for (let tries = 1; answer.status === 400 && tries < NOT_YET_READABLE_TRIES; tries++) {
		await pause(fal.ctx, NOT_YET_READABLE_PAUSE_MS, fal.signal, context);
		answer = await callFal<IDataObject>(fal, call, context);
	}
	if (answer.status === 400) throw falHttpError(fal.ctx.getNode(), 400, answer.body, context, call.what);
	if (answer.status === 404) throw resultGoneError(fal.ctx.getNode(), context);
	if (!answer.body || typeof answer.body !== 'object') {
		throw jobError(fal.ctx.getNode(), 'fal sent a result this node does not understand', context);
	}
	return answer.body;
}

const ANY_ERROR_STATUS = Array.from({ length: 200 }, (_, i) => 400 + i);

/**
 * What fal says about a job that ended with an error: its result call answers the HTTP status and
 * fal's details (e.g. a 422 naming the input the model refused). Read once; never retried.
 */
export async function getFailure(
	fal: FalSession,
	job: QueueJob,
	itemIndex: number,
): Promise<{ status: number; body: unknown; signals?: FalErrorSignals }> {
	const answer = await callFal<unknown>(
		fal,
		{ method: 'GET', url: job.responseUrl, kind: 'once', what: 'read why the job failed', acceptStatus: ANY_ERROR_STATUS },
		{ itemIndex, requestId: job.requestId },
	);
	return { status: answer.status, body: answer.body, signals: answer.signals };
}

/** fal's answer to a cancel: asked of the runner, too late (the job ended), or no such job. */
export type CancelAnswer = 'CANCELLATION_REQUESTED' | 'ALREADY_COMPLETED' | 'NOT_FOUND';

const CANCEL_ANSWER_BY_STATUS: Record<number, CancelAnswer> = {
	202: 'CANCELLATION_REQUESTED',
	200: 'CANCELLATION_REQUESTED',
	400: 'ALREADY_COMPLETED',
	404: 'NOT_FOUND',
};

/**
 * Asks fal to cancel a job. After n8n's Stop (which aborts every other call) it still goes out: that
 * is when a cancel matters most.
 */
export async function cancelJob(fal: FalSession, job: QueueJob, itemIndex: number, timeoutMs?: number): Promise<CancelAnswer> {
	const call: FalCall = { method: 'PUT', url: job.cancelUrl, kind: 'read', what: 'cancel the job', acceptStatus: [400, 404], timeoutMs };
	const context = { itemIndex, requestId: job.requestId };
	const stopped = fal.signal?.aborted === true;
	const answer = stopped
		? await callFalAfterStop<{ status?: string }>(fal.ctx, call, context)
		: await callFal<{ status?: string }>(fal, call, context);
	const said = answer.body?.status;
	if (said === 'CANCELLATION_REQUESTED' || said === 'ALREADY_COMPLETED' || said === 'NOT_FOUND') return said;
	// fal's cancel page also lists OK: the job is cancelled
	if (said === 'OK') return 'CANCELLATION_REQUESTED';
	return CANCEL_ANSWER_BY_STATUS[answer.status] ?? 'CANCELLATION_REQUESTED';
}

/** The generated video in a result, or an error that says the result was not understood. */
export function videoOf(fal: FalSession, result: IDataObject, job: JobContext): FalFile {
	const video = result.video as FalFile | undefined;
	if (!video || typeof video.url !== 'string' || !/^https?:\/\//i.test(video.url)) {
		throw jobError(fal.ctx.getNode(), 'fal finished the job but its result holds no video URL', job);
	}
	return video;
}
