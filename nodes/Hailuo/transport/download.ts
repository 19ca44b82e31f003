import type { IBinaryData, IN8nHttpFullResponse } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { cancelledError, isCancelled } from './cancellation';
import { causeOf, jobError, networkErrorInWords, type JobContext } from './errors';
import { header } from './fal';
import { Mp4Boxes } from './mp4-boxes';
import { plainRequest } from './plain-http';
import type { FalSession, N8nContext } from './session';
import { readWithin, ReadGaveUp, type BodyStream, type Expiry } from './stream-reader';

/**
 * The generated video, streamed from fal's CDN into n8n's binary store (to disk in filesystem mode)
 * without holding it in memory. A download that stalls (no bytes for the idle limit) or is cut is
 * resumed with a Range request from the bytes already stored; only when that fails is it an error,
 * and a truncated MP4 never reaches the next node: its length is checked against the CDN's (or fal's) figure,
 * and when neither says it, the MP4's top-level boxes must add up to the last byte, `moov` among them. The
 * CDN takes no API key: plain requests.
 */

type BinaryInput = Parameters<N8nContext['helpers']['prepareBinaryData']>[0];
/** `Readable.from`, reached through the stream class n8n gave us (the node may not import node:stream). */
type ReadableFrom = (chunks: AsyncIterable<Buffer>, options: { objectMode: false }) => BinaryInput;

export interface DownloadOptions {
	/** No bytes for this long → the connection is dropped and the download resumed. */
	idleMs: number;
	/** fal's figure for the file's size, used when the CDN sends no length. */
	expectedBytes?: number;
}

const CONNECT_TIMEOUT_MS = 60_000;
const MAX_RESUMES = 3;

function totalFrom(response: IN8nHttpFullResponse): number | undefined {
	const range = /\/(\d+)\s*$/.exec(header(response, 'content-range') ?? '');
	const total = Number(range ? range[1] : header(response, 'content-length'));
	return Number.isFinite(total) && total > 0 ? total : undefined;
}

/** GET of the video from byte `from` on. */
async function open(ctx: N8nContext, signal: AbortSignal | undefined, url: string, from: number, job: JobContext): Promise<IN8nHttpFullResponse> {
	const options = {
		method: 'GET' as const,
		url,
		headers: from > 0 ? { Range: `bytes=${from}-` } : {},
		encoding: 'stream' as const,
		timeout: CONNECT_TIMEOUT_MS,
	};
	return await plainRequest(ctx, signal, { options, what: 'download the video' }, job);
}

export async function downloadVideo(
	fal: FalSession,
	url: string,
	fileName: string,
	job: JobContext,
	options: DownloadOptions,
): Promise<IBinaryData> {
	const { ctx, signal } = fal;
	const first = await open(ctx, signal, url, 0, job);
	const total = totalFrom(first) ?? options.expectedBytes;
	// Without a length to check against, the MP4's own structure says whether it is whole.
	const boxes = total === undefined ? new Mp4Boxes() : undefined;
	let received = 0;
	const idle: Expiry = (lastChunkAt) => ({
		at: lastChunkAt + options.idleMs,
		kind: 'idle',
		message: `no bytes for ${Math.round(options.idleMs / 1000)} s`,
	});

	async function* chunks(): AsyncGenerator<Buffer> {
		let response = first;
		for (let resumes = 0; ; resumes++) {
			let problem: string;
			try {
				for await (const chunk of readWithin(response.body as BodyStream, idle, signal)) {
					received += chunk.length;
					boxes?.take(chunk);
					yield chunk;
				}
				if (total !== undefined ? received >= total : boxes?.whole()) return;
				problem =
					total !== undefined
						? `was cut short (${received} of ${total} bytes)`
						: `ended after ${received} bytes with an incomplete MP4 (its boxes do not add up, or it has no moov box)`;
			} catch (error) {
				if (isCancelled(signal)) throw cancelledError(ctx, job);
				problem = error instanceof ReadGaveUp ? `stalled (${error.message})` : `broke off (${networkErrorInWords(error)})`;
			}
			if (resumes >= MAX_RESUMES) {
				throw jobError(ctx.getNode(), `The video download ${problem}, and ${MAX_RESUMES} resumes did not finish it`, job);
			}
			response = await open(ctx, signal, url, received, job);
			const resumedAt = /bytes (\d+)-/.exec(header(response, 'content-range') ?? '');
			if (response.statusCode !== 206 || Number(resumedAt?.[1]) !== received) {
				(response.body as BodyStream).destroy();
				throw jobError(ctx.getNode(), `The video download ${problem}, and the CDN does not allow resuming it`, job);
			}
		}
	}

	const from = (first.body as { constructor: { from?: ReadableFrom } }).constructor.from;
	if (typeof from !== 'function') throw jobError(ctx.getNode(), 'The video download gave no stream', job);
	let binary: IBinaryData;
	try {
		binary = await ctx.helpers.prepareBinaryData(from(chunks(), { objectMode: false }), fileName, 'video/mp4');
	} catch (error) {
		if (isCancelled(signal)) throw cancelledError(ctx, job);
		const failure =
			error instanceof NodeOperationError || error instanceof NodeApiError
				? error
				: jobError(ctx.getNode(), 'The video could not be stored in n8n', job, `${causeOf(error)}.`);
		throw failure;
	}
	if (total !== undefined && binary.bytes !== undefined && binary.bytes !== total) {
		throw jobError(ctx.getNode(), `The video download was cut short (${binary.bytes} of ${total} bytes)`, job);
	}
	return binary;
}
