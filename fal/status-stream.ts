import type { IN8nHttpFullResponse } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from './account';
import { sleepUnlessAborted } from './cancellation';
import { falNetworkError, type JobContext } from './errors';
import { isQueueStatus, type QueueJob, type QueueStatus } from './queue';
import type { FalSession } from './session';
import { readWithin, ReadGaveUp, type BodyStream, type Expiry } from './stream-reader';

/**
 * fal's status stream (`…/requests/{id}/status/stream`, server-sent events): one status JSON per event,
 * the last one COMPLETED. The end of a job is seen the moment fal sends it. Anything else (refused,
 * dropped, silent) is reported as `broken` for the caller to fall back on a status read.
 */

export type StreamEnd =
	| { ended: QueueStatus }
	/** The deadline passed with the job still open; the caller looks once more before giving up. */
	| { stalled: true }
	| { broken: string; refused?: boolean; quiet?: boolean };

export interface StreamWatch {
	/** When to give up on the job; it moves while the job (or its run) moves. */
	deadline: () => number;
	/** Every status seen, from an event or from the read below. */
	onStatus: (status: QueueStatus) => void;
	/** One status read (undefined when fal's answer could not be used). */
	readStatus: () => Promise<QueueStatus | undefined>;
}

// fal's docs do not say that the stream starts with the job's current status: while nothing comes, a status
// read after this long (then after twice as long, up to the maximum) tells whether the job already ended, and the
// stream is kept open otherwise.
const FIRST_EVENT_MS = 5_000;
const SILENT_CHECK_MAX_MS = 30_000;
// Events come only when the status changes (with keep-alives between), so long quiet spells are normal;
// past this without a byte, the caller checks the job once and opens a new stream.
const QUIET_MS = 120_000;
// n8n applies a request's timeout to every wait for data, not only to the connection: it must outlast
// the quiet spells, which the reader's own limits bound.
const REQUEST_TIMEOUT_MS = QUIET_MS + 10_000;
/**
 * Opens a server-sent-events stream from fal (the job's status stream). The answer's body is the open
 * stream, or, for a non-2xx status, a body to discard; a network error is thrown as an n8n error.
 */
async function openFalStream(
	fal: FalSession,
	url: string,
	job: JobContext,
	timeoutMs: number,
): Promise<IN8nHttpFullResponse> {
	const { ctx } = fal;
	try {
		return (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, {
			method: 'GET',
			url,
			qs: { logs: 0 },
			headers: { Accept: 'text/event-stream' },
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: timeoutMs,
			abortSignal: fal.signal,
			sendCredentialsOnCrossOriginRedirect: false,
		})) as IN8nHttpFullResponse;
	} catch (error) {
		throw falNetworkError(ctx.getNode(), error, job, 'follow the job status');
	}
}

/** Splits server-sent events out of the text received so far; returns the data of complete events. */
function takeEvents(buffer: { text: string }): string[] {
	const events: string[] = [];
	for (let end = buffer.text.search(/\r?\n\r?\n/); end >= 0; end = buffer.text.search(/\r?\n\r?\n/)) {
		const raw = buffer.text.slice(0, end);
		buffer.text = buffer.text.slice(end).replace(/^\r?\n\r?\n/, '');
		const data = raw
			.split(/\r?\n/)
			.filter((line) => line.startsWith('data:'))
			.map((line) => line.slice(5).replace(/^ /, ''))
			.join('\n');
		if (data) events.push(data);
	}
	return events;
}

function parseStatus(data: string): QueueStatus | undefined {
	try {
		const status: unknown = JSON.parse(data);
		return isQueueStatus(status) ? status : undefined;
	} catch {
		return undefined;
	}
}

export async function watchStatusStream(
	fal: FalSession,
	job: QueueJob,
	itemIndex: number,
	watch: StreamWatch,
): Promise<StreamEnd> {
	const context: JobContext = { itemIndex, requestId: job.requestId, mayStillRun: true };
	const response = await openFalStream(fal, `${job.statusUrl}/stream`, context, REQUEST_TIMEOUT_MS).catch(
		(error: Error) => error,
	);
	if (response instanceof Error) return { broken: response.message };
	const body = response.body as BodyStream;
	if (response.statusCode !== 200) {
		body.destroy();
		return { broken: `HTTP ${response.statusCode}`, refused: true };
	}

	// Ends the read: n8n's Stop, or the status read below finding the job ended.
	const stop = new AbortController();
	const onCancel = () => stop.abort();
	fal.signal?.addEventListener('abort', onCancel, { once: true });
	let heard = false;
	let endedByRead: QueueStatus | undefined;
	// Until the stream says something, the job is also read now and then (it may have ended meanwhile).
	const whileSilent = (async () => {
		for (let wait = FIRST_EVENT_MS; ; ) {
			await sleepUnlessAborted(wait, stop.signal);
			if (heard || stop.signal.aborted) return;
			const status = await watch.readStatus();
			if (stop.signal.aborted) return;
			// an answer that could not be used says nothing: look again as soon
			if (!status) continue;
			watch.onStatus(status);
			if (status.status === 'COMPLETED') {
				endedByRead = status;
				stop.abort();
				return;
			}
			wait = Math.min(wait * 2, SILENT_CHECK_MAX_MS);
		}
	})();

	const expiry: Expiry = (lastChunkAt) => {
		const deadline = watch.deadline();
		const quietAt = lastChunkAt + QUIET_MS;
		return quietAt < deadline
			? { at: quietAt, kind: 'quiet', message: 'quiet for a long time' }
			: { at: deadline, kind: 'deadline', message: 'deadline' };
	};
	const buffer = { text: '' };
	try {
		for await (const chunk of readWithin(body, expiry, stop.signal)) {
			buffer.text += chunk.toString('utf8');
			for (const data of takeEvents(buffer)) {
				const status = parseStatus(data);
				if (!status) continue;
				heard = true;
				watch.onStatus(status);
				if (status.status === 'COMPLETED') return { ended: status };
			}
		}
		return endedByRead ? { ended: endedByRead } : { broken: 'the stream ended before the job did' };
	} catch (error) {
		if (endedByRead) return { ended: endedByRead };
		if (error instanceof ReadGaveUp && error.kind === 'deadline') return { stalled: true };
		const quiet = error instanceof ReadGaveUp && error.kind === 'quiet';
		return { broken: error instanceof Error ? error.message : String(error), quiet };
	} finally {
		stop.abort();
		fal.signal?.removeEventListener('abort', onCancel);
		await whileSilent;
	}
}
