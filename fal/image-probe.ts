import { IMAGE_HEADER_BYTES, readImageHeader, type ImageHeader } from './image-header';
import { cancelledError, isCancelled } from './cancellation';
import { networkErrorInWords, type JobContext } from './errors';
import { plainRequest } from './plain-http';
import type { RetryPolicy } from './retry';
import type { N8nContext } from './session';

/**
 * What fal's model will find at an image URL, read before anything is paid for: a small ranged GET of
 * the first bytes through n8n's HTTP helper (so n8n's SSRF and proxy settings apply), never the key.
 */

export interface ImageProbe {
	header?: ImageHeader;
	/** The file's full size, when the host says it. */
	totalBytes?: number;
	/** Why the image could not be read, in words. */
	unreachable?: string;
}

const PROBE_TIMEOUT_MS = 20_000;
const PROBE_POLICY: RetryPolicy = { maxRetries: 1, retryOnStatus: [429, 502, 503, 504], retryOnNetworkCodes: ['ECONNRESET', 'ETIMEDOUT'], baseDelayMs: 500, maxDelayMs: 2_000 };

function fromDataUri(uri: string): ImageProbe {
	const match = /^data:[^,]*?(;base64)?,(.*)$/is.exec(uri);
	if (!match) return {};
	const bytes = match[1] ? Buffer.from(match[2], 'base64') : Buffer.from(decodeURIComponent(match[2]), 'latin1');
	return { header: readImageHeader(bytes.subarray(0, IMAGE_HEADER_BYTES)), totalBytes: bytes.length };
}

function totalFrom(headers: Record<string, unknown> | undefined, status: number): number | undefined {
	const get = (name: string) => (typeof headers?.[name] === 'string' ? (headers[name] as string) : undefined);
	const range = /\/(\d+)\s*$/.exec(get('content-range') ?? '');
	const total = Number(range ? range[1] : status === 200 ? get('content-length') : undefined);
	return Number.isFinite(total) && total > 0 ? total : undefined;
}

/** Reads the start of the image at `url`, or says why it cannot be read. */
export async function probeImageUrl(ctx: N8nContext, signal: AbortSignal | undefined, url: string, job: JobContext): Promise<ImageProbe> {
	if (/^data:/i.test(url)) return fromDataUri(url);
	let response;
	try {
		response = await plainRequest(
			ctx,
			signal,
			{
				options: {
					method: 'GET',
					url,
					headers: { Range: `bytes=0-${IMAGE_HEADER_BYTES - 1}` },
					encoding: 'stream',
					timeout: PROBE_TIMEOUT_MS,
				},
				what: 'read the image',
				policy: PROBE_POLICY,
			},
			job,
		);
	} catch (error) {
		if (isCancelled(signal)) throw cancelledError(ctx, job);
		const { httpCode, networkError } = (error as { context?: { httpCode?: number; networkError?: string } }).context ?? {};
		return { unreachable: httpCode ? `the host answered HTTP ${httpCode}` : (networkError ?? networkErrorInWords(error)) };
	}
	const chunks: Buffer[] = [];
	let read = 0;
	try {
		for await (const chunk of response.body as AsyncIterable<Buffer>) {
			chunks.push(chunk);
			read += chunk.length;
			if (read >= IMAGE_HEADER_BYTES || readImageHeader(Buffer.concat(chunks))?.height) break;
		}
	} catch (error) {
		if (read === 0) return { unreachable: networkErrorInWords(error) };
	} finally {
		(response.body as { destroy?: () => void }).destroy?.();
	}
	const bytes = Buffer.concat(chunks).subarray(0, IMAGE_HEADER_BYTES);
	return { header: readImageHeader(bytes), totalBytes: totalFrom(response.headers, response.statusCode) };
}
