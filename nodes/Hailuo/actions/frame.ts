import type { IBinaryData, IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { IMAGE_HEADER_BYTES, readImageHeader } from '../../../fal/image-header';
import { uploadImage } from '../../../fal/files';
import { probeImageUrl } from '../../../fal/image-probe';
import type { FalSession } from '../../../fal/session';
import { takesLastFrame, type HailuoModel } from '../../shared/models/table';
import { checkImageBytes, checkImageHeader, checkImageUrl, invalid } from '../validate';

/**
 * The images of a job — the first frame, the last frame of a model that takes one, the reference images of a model
 * that reads them — each from an image URL or a binary field: checked against the model's limits before anything is
 * paid for (format, size, pixel size, read from the image's header; an image URL's reachability), and turned into the
 * URL fal reads when the job runs (a binary image is uploaded to fal storage first).
 */

export type Frame =
	| { source: 'none' }
	| { source: 'url'; url: string; width?: number; height?: number }
	| { source: 'binary'; field: string; fileName: string; width?: number; height?: number };

/** How a person names an image's parameters in messages. */
interface ImageNames {
	urlName: string;
	binaryFieldName: string;
}

/** Where a frame's parameters are. */
interface FrameParameters extends ImageNames {
	source: string;
	/** The source when the parameter is not set (workflows saved before the parameter existed). */
	defaultSource: 'url' | 'none';
	url: string;
	binaryField: string;
}

export const FIRST_FRAME: FrameParameters = {
	source: 'imageSource',
	defaultSource: 'url',
	url: 'imageUrl',
	urlName: 'Image URL',
	binaryField: 'binaryPropertyName',
	binaryFieldName: 'Input Binary Field',
};

export const LAST_FRAME: FrameParameters = {
	source: 'lastFrameSource',
	defaultSource: 'none',
	url: 'lastFrameUrl',
	urlName: 'Last Frame URL',
	binaryField: 'lastFrameBinaryPropertyName',
	binaryFieldName: 'Last Frame Binary Field',
};

/** The n-th reference image (from 1), an entry of the Reference Images parameter. */
const referenceNames = (n: number): ImageNames => ({ urlName: `Reference Image ${n} URL`, binaryFieldName: `Reference Image ${n} Binary Field` });

/** The binary's size in bytes, as n8n states it (without reading the data). */
async function declaredBytes(ctx: IExecuteFunctions, binary: IBinaryData): Promise<number | undefined> {
	if (typeof binary.bytes === 'number') return binary.bytes;
	if (binary.id) return (await ctx.helpers.getBinaryMetadata(binary.id)).fileSize;
	return binary.data ? Math.floor((binary.data.length * 3) / 4) : undefined;
}

/** The first bytes of a binary, without reading the rest of it. */
async function headerBytes(ctx: IExecuteFunctions, binary: IBinaryData): Promise<Buffer> {
	if (!binary.id) return Buffer.from(binary.data, 'base64').subarray(0, IMAGE_HEADER_BYTES);
	const stream = await ctx.helpers.getBinaryStream(binary.id, 64 * 1024);
	const chunks: Buffer[] = [];
	let read = 0;
	try {
		for await (const chunk of stream as AsyncIterable<Buffer>) {
			chunks.push(chunk);
			read += chunk.length;
			if (read >= IMAGE_HEADER_BYTES) break;
		}
	} finally {
		stream.destroy();
	}
	return Buffer.concat(chunks).subarray(0, IMAGE_HEADER_BYTES);
}

const binaryName = (names: ImageNames, field: string) => `${names.binaryFieldName} "${field}"`;

async function binaryFrame(ctx: IExecuteFunctions, itemIndex: number, model: HailuoModel, names: ImageNames, field: string): Promise<Frame> {
	const node = ctx.getNode();
	const binary = ctx.helpers.assertBinaryData(itemIndex, field);
	const parameter = binaryName(names, field);
	const declared = await declaredBytes(ctx, binary);
	if (declared !== undefined) checkImageBytes(node, itemIndex, model, parameter, declared);
	const header = checkImageHeader(node, itemIndex, model, parameter, readImageHeader(await headerBytes(ctx, binary)));
	const fileName = binary.fileName ?? `frame.${header.format.split('/')[1]}`;
	return { source: 'binary', field, fileName, width: header.width, height: header.height };
}

async function urlFrame(ctx: IExecuteFunctions, itemIndex: number, model: HailuoModel, names: ImageNames, raw: unknown, probe: boolean): Promise<Frame> {
	const node = ctx.getNode();
	const parameter = names.urlName;
	const url = checkImageUrl(node, itemIndex, raw, parameter);
	if (!probe) return { source: 'url', url };
	const found = await probeImageUrl(ctx, ctx.getExecutionCancelSignal(), url, { itemIndex });
	if (found.unreachable) {
		throw invalid(
			node,
			itemIndex,
			parameter,
			`could not be read (${found.unreachable}); fal could not read it either`,
			'Use a public http(s) URL of the image, or turn off Options → Check Image URL when the host refuses this check but fal can read it.',
		);
	}
	if (found.totalBytes !== undefined) checkImageBytes(node, itemIndex, model, parameter, found.totalBytes);
	const header = checkImageHeader(node, itemIndex, model, parameter, found.header);
	return { source: 'url', url, width: header.width, height: header.height };
}

/** Reads and checks one frame of an item; nothing is uploaded or paid for yet. */
export async function prepareFrame(
	ctx: IExecuteFunctions,
	itemIndex: number,
	model: HailuoModel,
	which: FrameParameters,
	probeUrl: boolean,
): Promise<Frame> {
	const takes = which === LAST_FRAME ? takesLastFrame(model) : model.images.first;
	if (!takes) return { source: 'none' };
	const source = String(ctx.getNodeParameter(which.source, itemIndex, which.defaultSource) ?? '');
	if (source === 'binary') {
		const field = String(ctx.getNodeParameter(which.binaryField, itemIndex, 'data')).trim();
		return await binaryFrame(ctx, itemIndex, model, which, field);
	}
	// The first frame is an image URL unless it is binary, as it always was.
	if (source === 'url' || which.defaultSource === 'url') {
		return await urlFrame(ctx, itemIndex, model, which, ctx.getNodeParameter(which.url, itemIndex), probeUrl);
	}
	if (source === 'none' || source === '') return { source: 'none' };
	throw invalid(ctx.getNode(), itemIndex, 'Last Frame', `must be "none", "url" or "binary", not "${source.slice(0, 40)}"`);
}

interface ReferenceEntry {
	source?: string;
	url?: unknown;
	binaryPropertyName?: unknown;
}

/** Reads and checks the reference images of an item (a model that reads them): as many as the model takes. */
export async function prepareReferences(ctx: IExecuteFunctions, itemIndex: number, model: HailuoModel, probeUrl: boolean): Promise<Frame[]> {
	const allowed = model.images.references;
	if (!allowed) return [];
	const given = (ctx.getNodeParameter('referenceImages.image', itemIndex, []) as ReferenceEntry[]) ?? [];
	// an Image URL whose expression gives a list stands for as many references (a list per item)
	const entries = given.flatMap((entry) =>
		entry.source !== 'binary' && Array.isArray(entry.url) ? entry.url.map((url: unknown) => ({ source: 'url', url })) : [entry],
	);
	if (entries.length < allowed.min || entries.length > allowed.max) {
		throw invalid(
			ctx.getNode(),
			itemIndex,
			'Reference Images',
			`has ${entries.length} image${entries.length === 1 ? '' : 's'}; the model takes ${allowed.min} to ${allowed.max}`,
		);
	}
	const frames: Frame[] = [];
	for (const [i, entry] of entries.entries()) {
		const names = referenceNames(i + 1);
		frames.push(
			entry.source === 'binary'
				? await binaryFrame(ctx, itemIndex, model, names, String(entry.binaryPropertyName ?? 'data').trim())
				: await urlFrame(ctx, itemIndex, model, names, entry.url, probeUrl),
		);
	}
	return frames;
}

/** Where a binary image is uploaded with: the storage upload's headers (its lifecycle). */
export type UploadHeaders = IDataObject;

async function sentUrl(
	ctx: IExecuteFunctions,
	fal: FalSession,
	itemIndex: number,
	model: HailuoModel,
	names: ImageNames,
	frame: Frame,
	uploadHeaders: UploadHeaders,
) {
	if (frame.source === 'none') return undefined;
	if (frame.source === 'url') return frame.url;
	const parameter = binaryName(names, frame.field);
	const bytes = await ctx.helpers.getBinaryDataBuffer(itemIndex, frame.field);
	checkImageBytes(ctx.getNode(), itemIndex, model, parameter, bytes.length);
	const header = checkImageHeader(ctx.getNode(), itemIndex, model, parameter, readImageHeader(bytes.subarray(0, IMAGE_HEADER_BYTES)));
	return await uploadImage(fal, { bytes, mimeType: header.format, fileName: frame.fileName }, { itemIndex }, uploadHeaders);
}

/** The URL to send for a frame: the URL as given, or where fal storage put the uploaded binary image. */
export async function frameUrl(
	ctx: IExecuteFunctions,
	fal: FalSession,
	itemIndex: number,
	model: HailuoModel,
	which: FrameParameters,
	frame: Frame,
	uploadHeaders: UploadHeaders,
): Promise<string | undefined> {
	return await sentUrl(ctx, fal, itemIndex, model, which, frame, uploadHeaders);
}

/** The URLs to send for the reference images, in their order. */
export async function referenceUrls(
	ctx: IExecuteFunctions,
	fal: FalSession,
	itemIndex: number,
	model: HailuoModel,
	frames: readonly Frame[],
	uploadHeaders: UploadHeaders,
): Promise<string[]> {
	const urls: string[] = [];
	for (const [i, frame] of frames.entries()) urls.push((await sentUrl(ctx, fal, itemIndex, model, referenceNames(i + 1), frame, uploadHeaders)) as string);
	return urls;
}
