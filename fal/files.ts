import type { IDataObject } from 'n8n-workflow';

import { jobError, type JobContext } from './errors';
import { callFal } from './caller';
import { plainRequest } from './plain-http';
import type { FalSession } from './session';

/**
 * An input image uploaded to fal's storage: initiate (with the key), then a PUT of the bytes to the
 * signed upload URL (no key). Neither creates a paid job, so both are retried on transient faults.
 */

interface InitiateAnswer {
	upload_url?: string;
	file_url?: string;
}

const UPLOAD_TIMEOUT_MS = 120_000;

export interface ImageUpload {
	bytes: Buffer;
	mimeType: string;
	fileName: string;
}

/** Uploads an image to fal's storage and returns the URL fal's models read it from. */
export async function uploadImage(fal: FalSession, image: ImageUpload, job: JobContext, headers?: IDataObject): Promise<string> {
	const answer = await callFal<InitiateAnswer>(
		fal,
		{
			method: 'POST',
			url: `${fal.origins.storage}/storage/upload/initiate`,
			qs: { storage_type: 'fal-cdn-v3' },
			body: { content_type: image.mimeType, file_name: image.fileName },
			headers,
			kind: 'read',
			what: 'start the image upload',
		},
		job,
	);
	const { upload_url: uploadUrl, file_url: fileUrl } = answer.body ?? {};
	if (typeof uploadUrl !== 'string' || typeof fileUrl !== 'string') {
		throw jobError(fal.ctx.getNode(), 'fal storage sent no upload URL for the image', job);
	}
	await putBytes(fal, uploadUrl, image, job);
	return fileUrl;
}

async function putBytes(fal: FalSession, uploadUrl: string, image: ImageUpload, job: JobContext) {
	await plainRequest(
		fal.ctx,
		fal.signal,
		{
			options: {
				method: 'PUT',
				url: uploadUrl,
				body: image.bytes,
				headers: { 'Content-Type': image.mimeType },
				timeout: UPLOAD_TIMEOUT_MS,
			},
			what: 'upload the image to fal storage',
		},
		job,
	);
}
