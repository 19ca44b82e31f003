import type { IExecuteFunctions } from 'n8n-workflow';

import type { JobContext } from './errors';
import { openFalStream } from './fal';
import { isQueueStatus, type QueueJob, type QueueStatus } from './queue';
import { readWithin, ReadGaveUp, type BodyStream, type Expiry } from './stream-reader';

/**
 * fal's status stream (`…/requests/{id}/status/stream`, server-sent events): one status JSON per event,
 * the last one COMPLETED. The end of a job is seen the moment fal sends it. Anything else (refused,
 * dropped, silent) is reported as `broken` for the caller to fall back on polling.
 */

export type StreamEnd =
	| { ended: QueueStatus }
	| { timedOut: QueueStatus | undefined }
	| { broken: string; refused?: boolean; quiet?: boolean; last?: QueueStatus };

// fal sends the job's current status as the first event; a stream that says nothing for this long is
// not working (a proxy holding it, say).
const FIRST_EVENT_MS = 5_000;
// After that, events come only when the status changes, so long quiet spells are normal; past this,
// the caller checks the job once and opens a new stream.
const QUIET_MS = 120_000;
// n8n applies a request's timeout to every wait for data, not only to the connection: it must outlast
// the quiet spells, which the reader's own limits bound.
const REQUEST_TIMEOUT_MS = QUIET_MS + 10_000;

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
	ctx: IExecuteFunctions,
	job: QueueJob,
	itemIndex: number,
	deadline: number,
): Promise<StreamEnd> {
	const context: JobContext = { itemIndex, requestId: job.requestId, mayStillRun: true };
	const signal = ctx.getExecutionCancelSignal();
	const response = await openFalStream(ctx, `${job.statusUrl}/stream`, context, REQUEST_TIMEOUT_MS).catch(
		(error: Error) => error,
	);
	if (response instanceof Error) return { broken: response.message };
	const body = response.body as BodyStream;
	if (response.statusCode !== 200) {
		body.destroy();
		return { broken: `HTTP ${response.statusCode}`, refused: true };
	}
	let last: QueueStatus | undefined;
	const expiry: Expiry = (lastChunkAt) => {
		const quietAt = lastChunkAt + (last ? QUIET_MS : FIRST_EVENT_MS);
		return quietAt < deadline
			? { at: quietAt, kind: 'quiet', message: last ? 'quiet for a long time' : 'silent' }
			: { at: deadline, kind: 'deadline', message: 'deadline' };
	};
	const buffer = { text: '' };
	try {
		for await (const chunk of readWithin(body, expiry, signal)) {
			buffer.text += chunk.toString('utf8');
			for (const data of takeEvents(buffer)) {
				const status = parseStatus(data);
				if (!status) continue;
				last = status;
				if (status.status === 'COMPLETED') return { ended: status };
			}
		}
		return { broken: 'the stream ended before the job did', last };
	} catch (error) {
		if (error instanceof ReadGaveUp && error.kind === 'deadline') return { timedOut: last };
		const quiet = error instanceof ReadGaveUp && error.kind === 'quiet' && last !== undefined;
		return { broken: error instanceof Error ? error.message : String(error), quiet, last };
	}
}
