import type { IBinaryData, IN8nHttpFullResponse } from 'n8n-workflow';

import { cancelledError, isCancelled, sleepUnlessAborted } from './cancellation';
import { jobError, networkErrorInWords, type JobContext } from './errors';
import { header } from './answers';
import { Mp4Boxes } from './mp4-boxes';
import { UNKNOWN_FACTS, type VideoFacts } from './mp4-info';
import { plainRequest } from './plain-http';
import type { FalSession, N8nContext } from './session';

/**
 * The generated video, streamed from fal's CDN into n8n's binary store (to disk in filesystem mode) without
 * holding it in memory: the body n8n's HTTP helper returns goes to `prepareBinaryData` as it is, and the MP4's
 * boxes are walked as its chunks go by (what the video is, and whether it is whole; nothing read back from the
 * store). A download that stalls (no bytes for the idle limit, which is the request's own timeout: n8n applies it
 * to every wait for data), trickles past its time bound (from its size), or breaks off is tried again, and a
 * truncated MP4 never reaches the next node: its length is checked against the CDN's (or fal's) figure, and when
 * neither says it, the MP4's top-level boxes must add up to the last byte, `moov` among them. The CDN takes no
 * API key: plain requests.
 *
 * Why a second try downloads the file from its first byte rather than resuming it with a Range request: a resumed
 * video is the bytes already stored followed by the rest, one stream made of two responses. n8n's binary helpers
 * take a Buffer or a Node stream, and a node that may run on n8n Cloud cannot import node:stream to make one; joining
 * the parts in memory would defeat the streaming. A Hailuo video is a few MB, so a second download costs little.
 */

type BinaryInput = Parameters<N8nContext['helpers']['prepareBinaryData']>[0];

export interface DownloadOptions {
	/** No bytes for this long → the download is tried again. */
	idleMs: number;
	/** fal's figure for the file's size, used when the CDN sends no length. */
	expectedBytes?: number;
}

export interface DownloadedVideo {
	binary: IBinaryData;
	/** The file's length as it streamed by (n8n 1.x's in-memory mode does not count it). */
	bytes: number;
	facts: VideoFacts;
}

const MORE_TRIES = 3;

/**
 * The time bound of one try's body (from the response's headers on): the file at FLOOR_BYTES_PER_SEC, plus twice
 * the idle limit. 32 KB/s (256 kbit/s) is below any link n8n runs on: a 20 MB video is given 10 minutes more than
 * the allowance, where a 10 Mbit/s line takes 16 s. Without a size, a fixed half hour.
 */
export const FLOOR_BYTES_PER_SEC = 32 * 1024;
const NO_SIZE_BOUND_MS = 30 * 60_000;
const WATCHDOG_TICK_MS = 1_000;

export function transferBoundMs(total: number | undefined, idleMs: number): number {
	return total === undefined ? NO_SIZE_BOUND_MS : 2 * idleMs + Math.ceil((total / FLOOR_BYTES_PER_SEC) * 1000);
}

function totalFrom(response: IN8nHttpFullResponse): number | undefined {
	const total = Number(header(response, 'content-length'));
	return Number.isFinite(total) && total > 0 ? total : undefined;
}

interface Body {
	on(event: string | symbol, listener: (...args: never[]) => void): unknown;
	off(event: string | symbol, listener: (...args: never[]) => void): unknown;
	destroy?(error?: Error): void;
}

/**
 * Shows `onChunk` every chunk that n8n's binary store reads from the body, without changing how the body flows.
 * The store starts reading in one of two ways: a `'data'` listener (the in-memory, database and S3 modes, which
 * leave the body to start flowing by that listener) or `'readable'` and `read()` (filesystem mode writes the body
 * with `fs.writeFile`, an async iterator), and Node emits `'data'` for every chunk either way. So the listener is
 * added at the moment the store adds its own, no earlier: added before, it would start the body flowing while the
 * store is still awaiting its folder and those chunks would miss the file; added with the body paused first, the
 * in-memory store's listener would never start it: nothing would move until a timeout ended the connection.
 */
function watchChunks(body: unknown, onChunk: (chunk: Buffer) => void): boolean {
	const stream = body as Partial<Body> | undefined;
	if (typeof stream?.on !== 'function' || typeof stream.off !== 'function') return false;
	const { on, off } = { on: stream.on.bind(stream), off: stream.off.bind(stream) };
	const onNewListener = (event: string | symbol) => {
		if (event !== 'data' && event !== 'readable') return;
		off('newListener', onNewListener);
		on('data', onChunk);
	};
	on('newListener', onNewListener);
	return true;
}

class Overdue extends Error {}

/** n8n's store of the body, ended (the body destroyed, the wait given up) once the bound has passed. */
async function storeWithin(ctx: N8nContext, body: Body, fileName: string, boundMs: number): Promise<IBinaryData> {
	const store = ctx.helpers.prepareBinaryData(body as unknown as BinaryInput, fileName, 'video/mp4');
	store.catch(() => undefined); // it may lose the race below and fail later
	const finished = new AbortController();
	const deadline = Date.now() + boundMs;
	const overdue = (async () => {
		while (!finished.signal.aborted && Date.now() < deadline) {
			await sleepUnlessAborted(Math.min(WATCHDOG_TICK_MS, deadline - Date.now()), finished.signal);
		}
		if (finished.signal.aborted) return await store; // the race is over: this result goes nowhere
		const error = new Overdue();
		body.destroy?.(error);
		throw error;
	})();
	try {
		return await Promise.race([store, overdue]);
	} finally {
		finished.abort();
	}
}

/** Why a stored download is not the whole video, or undefined when it is. */
async function incomplete(ctx: N8nContext, binary: IBinaryData, bytes: number, total: number | undefined, walk?: Mp4Boxes) {
	if (total !== undefined) return bytes === total ? undefined : `was cut short (${bytes} of ${total} bytes)`;
	if (!walk) {
		// The walk did not see the body (no Node stream, or a count unlike the store's; neither seen in n8n 1.123 or
		// 2.41): the stored file is read back.
		walk = new Mp4Boxes();
		if (binary.id) {
			for await (const chunk of (await ctx.helpers.getBinaryStream(binary.id)) as AsyncIterable<Buffer>) walk.take(chunk);
		} else {
			walk.take(Buffer.from(binary.data, 'base64'));
		}
	}
	return walk.whole()
		? undefined
		: `ended after ${walk.bytes} bytes with an incomplete MP4 (its boxes do not add up, or it has no moov box)`;
}

/**
 * A transfer that failed, in words. n8n ends a request whose idle limit passed by closing its connection, so a stall
 * and a connection the CDN closed look alike.
 */
function failureInWords(error: unknown, idleMs: number, boundMs: number, total: number | undefined): string {
	if (error instanceof Overdue) {
		const bound = total === undefined ? "the bound for a file whose size neither fal nor the CDN gives" : `the bound for ${total} bytes: ${FLOOR_BYTES_PER_SEC / 1024} KB a second at the least, plus twice the idle limit`;
		return `was still under way after ${Math.round(boundMs / 1000)} s (${bound})`;
	}
	return `did not finish (${networkErrorInWords(error)}, or no bytes came for ${Math.round(idleMs / 1000)} s)`;
}

export async function downloadVideo(
	fal: FalSession,
	url: string,
	fileName: string,
	job: JobContext,
	options: DownloadOptions,
): Promise<DownloadedVideo> {
	const { ctx, signal } = fal;
	for (let tries = 0; ; tries++) {
		const response = await plainRequest(
			ctx,
			signal,
			{ options: { method: 'GET', url, encoding: 'stream', timeout: options.idleMs }, what: 'download the video' },
			job,
		);
		const total = totalFrom(response) ?? options.expectedBytes;
		const boundMs = transferBoundMs(total, options.idleMs);
		const walk = new Mp4Boxes();
		const watched = watchChunks(response.body, (chunk: Buffer) => walk.take(chunk));
		let problem: string | undefined;
		try {
			const binary = await storeWithin(ctx, response.body as Body, fileName, boundMs);
			// The store's count and the walk's agree unless the walk missed a chunk: then it says nothing.
			const stored = binary.bytes ?? (binary.id ? undefined : Buffer.byteLength(binary.data, 'base64'));
			const seen = watched && (stored === undefined || stored === walk.bytes);
			const bytes = seen ? walk.bytes : (stored ?? walk.bytes);
			problem = await incomplete(ctx, binary, bytes, total, seen ? walk : undefined);
			if (!problem) return { binary, bytes, facts: seen ? walk.facts() : UNKNOWN_FACTS };
		} catch (error) {
			if (isCancelled(signal)) throw cancelledError(ctx, job);
			problem = failureInWords(error, options.idleMs, boundMs, total);
		}
		if (tries >= MORE_TRIES) {
			throw jobError(ctx.getNode(), `The video download ${problem}, and ${MORE_TRIES} more tries did not finish it`, job);
		}
	}
}
