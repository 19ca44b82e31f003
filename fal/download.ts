import type { IBinaryData, IN8nHttpFullResponse } from 'n8n-workflow';

import { cancelledError, isCancelled } from './cancellation';
import { jobError, networkErrorInWords, type JobContext } from './errors';
import { header } from './answers';
import { Mp4Boxes } from './mp4-boxes';
import { plainRequest } from './plain-http';
import type { FalSession, N8nContext } from './session';

/**
 * The generated video, streamed from fal's CDN into n8n's binary store (to disk in filesystem mode) without
 * holding it in memory: the body n8n's HTTP helper returns goes to `prepareBinaryData` as it is. A download that
 * stalls (no bytes for the idle limit, which is the request's own timeout: n8n applies it to every wait for data)
 * or breaks off is tried again, and a truncated MP4 never reaches the next node: its length is checked against the
 * CDN's (or fal's) figure, and when neither says it, the MP4's top-level boxes must add up to the last byte,
 * `moov` among them. The CDN takes no API key: plain requests.
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

const MORE_TRIES = 3;

function totalFrom(response: IN8nHttpFullResponse): number | undefined {
	const total = Number(header(response, 'content-length'));
	return Number.isFinite(total) && total > 0 ? total : undefined;
}

/** Why a stored download is not the whole video, or undefined when it is. */
async function incomplete(ctx: N8nContext, binary: IBinaryData, total: number | undefined): Promise<string | undefined> {
	const bytes = binary.bytes;
	if (total !== undefined) return bytes === undefined || bytes === total ? undefined : `was cut short (${bytes} of ${total} bytes)`;
	const boxes = new Mp4Boxes();
	if (binary.id) {
		for await (const chunk of (await ctx.helpers.getBinaryStream(binary.id)) as AsyncIterable<Buffer>) boxes.take(chunk);
	} else {
		boxes.take(Buffer.from(binary.data, 'base64'));
	}
	return boxes.whole()
		? undefined
		: `ended after ${boxes.bytes} bytes with an incomplete MP4 (its boxes do not add up, or it has no moov box)`;
}

/**
 * A transfer that failed, in words. n8n ends a request whose idle limit passed by closing its connection, so a stall
 * and a connection the CDN closed look alike.
 */
function failureInWords(error: unknown, idleMs: number): string {
	return `did not finish (${networkErrorInWords(error)}, or no bytes came for ${Math.round(idleMs / 1000)} s)`;
}

export async function downloadVideo(
	fal: FalSession,
	url: string,
	fileName: string,
	job: JobContext,
	options: DownloadOptions,
): Promise<IBinaryData> {
	const { ctx, signal } = fal;
	for (let tries = 0; ; tries++) {
		const response = await plainRequest(
			ctx,
			signal,
			{ options: { method: 'GET', url, encoding: 'stream', timeout: options.idleMs }, what: 'download the video' },
			job,
		);
		const total = totalFrom(response) ?? options.expectedBytes;
		let problem: string | undefined;
		try {
			const binary = await ctx.helpers.prepareBinaryData(response.body as BinaryInput, fileName, 'video/mp4');
			problem = await incomplete(ctx, binary, total);
			if (!problem) return binary;
		} catch (error) {
			if (isCancelled(signal)) throw cancelledError(ctx, job);
			problem = failureInWords(error, options.idleMs);
		}
		if (tries >= MORE_TRIES) {
			throw jobError(ctx.getNode(), `The video download ${problem}, and ${MORE_TRIES} more tries did not finish it`, job);
		}
	}
}
