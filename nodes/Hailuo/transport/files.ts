import type { IBinaryData, IExecuteFunctions, IN8nHttpFullResponse } from 'n8n-workflow';

import { falNetworkError, jobError, type JobContext } from './errors';
import { callFal } from './fal';
import type { FalOrigins } from './hosts';

/**
 * Files in and out of fal: an input image uploaded to fal's storage, and the generated video streamed
 * from fal's CDN into n8n's binary store. The signed upload URL and the CDN take no API key, so those
 * two requests are plain, unauthenticated ones.
 */

interface InitiateAnswer {
	upload_url?: string;
	file_url?: string;
}

/** A Buffer or a Readable stream, as n8n's prepareBinaryData takes it. */
type BinaryInput = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0];

const UPLOAD_TIMEOUT_MS = 120_000;
// A download streams; this bounds a stalled connection, not the size of the video.
const DOWNLOAD_TIMEOUT_MS = 600_000;

export interface ImageUpload {
	bytes: Buffer;
	mimeType: string;
	fileName: string;
}

/** Uploads an image to fal's storage and returns the URL fal's models read it from. */
export async function uploadImage(
	ctx: IExecuteFunctions,
	origins: FalOrigins,
	image: ImageUpload,
	job: JobContext,
): Promise<string> {
	const answer = await callFal<InitiateAnswer>(
		ctx,
		{
			method: 'POST',
			url: `${origins.storage}/storage/upload/initiate`,
			qs: { storage_type: 'fal-cdn-v3' },
			body: { content_type: image.mimeType, file_name: image.fileName },
			kind: 'read',
			what: 'start the image upload',
		},
		job,
	);
	const { upload_url: uploadUrl, file_url: fileUrl } = answer.body ?? {};
	if (typeof uploadUrl !== 'string' || typeof fileUrl !== 'string') {
		throw jobError(ctx.getNode(), 'fal storage sent no upload URL for the image', job);
	}
	await putBytes(ctx, uploadUrl, image, job);
	return fileUrl;
}

async function putBytes(ctx: IExecuteFunctions, uploadUrl: string, image: ImageUpload, job: JobContext) {
	let status: number;
	try {
		const response = await ctx.helpers.httpRequest({
			method: 'PUT',
			url: uploadUrl,
			body: image.bytes,
			headers: { 'Content-Type': image.mimeType },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: UPLOAD_TIMEOUT_MS,
		});
		status = response.statusCode;
	} catch (error) {
		throw falNetworkError(ctx.getNode(), error, job, 'upload the image');
	}
	if (status < 200 || status >= 300) {
		throw jobError(ctx.getNode(), `fal storage refused the image upload (HTTP ${status})`, job);
	}
}

/**
 * Streams the video into n8n's binary store (to disk in filesystem mode) without holding it in
 * memory, and checks that all of it arrived.
 */
export async function downloadVideo(
	ctx: IExecuteFunctions,
	url: string,
	fileName: string,
	job: JobContext,
): Promise<IBinaryData> {
	let response: IN8nHttpFullResponse;
	try {
		response = await ctx.helpers.httpRequest({
			method: 'GET',
			url,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: DOWNLOAD_TIMEOUT_MS,
		});
	} catch (error) {
		throw falNetworkError(ctx.getNode(), error, job, 'download the video');
	}
	const stream = response.body as BinaryInput;
	if (response.statusCode < 200 || response.statusCode >= 300) {
		(stream as { resume?: () => void }).resume?.();
		throw jobError(ctx.getNode(), `The video download failed (HTTP ${response.statusCode})`, job);
	}
	const length = Number(response.headers?.['content-length']);
	const expectedBytes = Number.isFinite(length) && length > 0 ? length : undefined;

	let binary: IBinaryData;
	try {
		binary = await ctx.helpers.prepareBinaryData(stream, fileName, 'video/mp4');
	} catch (error) {
		throw falNetworkError(ctx.getNode(), error, job, 'download the video');
	}
	if (expectedBytes !== undefined && binary.bytes !== undefined && binary.bytes !== expectedBytes) {
		throw jobError(
			ctx.getNode(),
			`The video download was cut short (${binary.bytes} of ${expectedBytes} bytes)`,
			job,
			'Run the node again with the request id, or fetch the video URL.',
		);
	}
	return binary;
}
