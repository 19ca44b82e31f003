import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { IMAGE_HEADER_BYTES, readImageHeader } from '../../../fal/image-header';
import { takesLastFrame, type HailuoModel } from '../models';
import { uploadImage } from '../../../fal/files';
import { probeImageUrl } from '../../../fal/image-probe';
import type { FalSession } from '../../../fal/session';
import { checkImageBytes, checkImageHeader, checkImageUrl, invalid } from '../validate';

/**
 * The frames of an image-to-video job — the first frame, and the last frame of a model that takes one — each
 * from an image URL or a binary field: checked against the model's limits before anything is paid for (format,
 * size, pixel size, read from the image's header; an image URL's reachability), and turned into the URL fal
 * reads when the job runs (`image_url`, `end_image_url`; a binary image is uploaded to fal storage first).
 */

export type Frame =
	| { source: 'none' }
	| { source: 'url'; url: string }
	| { source: 'binary'; field: string; fileName: string };

/** Where a frame's parameters are, and the names a person sees in messages. */
interface FrameParameters {
	source: string;
	/** The source when the parameter is not set (workflows saved before the parameter existed). */
	defaultSource: 'url' | 'none';
	url: string;
	urlName: string;
	binaryField: string;
	binaryFieldName: string;
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

const binaryName = (which: FrameParameters, field: string) => `${which.binaryFieldName} "${field}"`;

async function binaryFrame(ctx: IExecuteFunctions, itemIndex: number, model: HailuoModel, which: FrameParameters): Promise<Frame> {
	const node = ctx.getNode();
	const field = String(ctx.getNodeParameter(which.binaryField, itemIndex, 'data')).trim();
	const binary = ctx.helpers.assertBinaryData(itemIndex, field);
	const parameter = binaryName(which, field);
	const declared = await declaredBytes(ctx, binary);
	if (declared !== undefined) checkImageBytes(node, itemIndex, model, parameter, declared);
	const mimeType = checkImageHeader(node, itemIndex, model, parameter, readImageHeader(await headerBytes(ctx, binary)));
	return { source: 'binary', field, fileName: binary.fileName ?? `frame.${mimeType.split('/')[1]}` };
}

async function urlFrame(
	ctx: IExecuteFunctions,
	itemIndex: number,
	model: HailuoModel,
	which: FrameParameters,
	probe: boolean,
): Promise<Frame> {
	const node = ctx.getNode();
	const parameter = which.urlName;
	const url = checkImageUrl(node, itemIndex, ctx.getNodeParameter(which.url, itemIndex), parameter);
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
	checkImageHeader(node, itemIndex, model, parameter, found.header);
	return { source: 'url', url };
}

/** Reads and checks one frame of an item; nothing is uploaded or paid for yet. */
export async function prepareFrame(
	ctx: IExecuteFunctions,
	itemIndex: number,
	model: HailuoModel,
	which: FrameParameters,
	probeUrl: boolean,
): Promise<Frame> {
	const takes = which === LAST_FRAME ? takesLastFrame(model) : model.firstFrame;
	if (!takes) return { source: 'none' };
	const source = String(ctx.getNodeParameter(which.source, itemIndex, which.defaultSource) ?? '');
	if (source === 'binary') return await binaryFrame(ctx, itemIndex, model, which);
	// The first frame is an image URL unless it is binary, as it always was.
	if (source === 'url' || which.defaultSource === 'url') return await urlFrame(ctx, itemIndex, model, which, probeUrl);
	if (source === 'none' || source === '') return { source: 'none' };
	throw invalid(ctx.getNode(), itemIndex, 'Last Frame', `must be "none", "url" or "binary", not "${source.slice(0, 40)}"`);
}

/** The URL to send for a frame: the URL as given, or where fal storage put the uploaded binary image. */
export async function frameUrl(
	ctx: IExecuteFunctions,
	fal: FalSession,
	itemIndex: number,
	model: HailuoModel,
	which: FrameParameters,
	frame: Frame,
): Promise<string | undefined> {
	if (frame.source === 'none') return undefined;
	if (frame.source === 'url') return frame.url;
	const parameter = binaryName(which, frame.field);
	const bytes = await ctx.helpers.getBinaryDataBuffer(itemIndex, frame.field);
	checkImageBytes(ctx.getNode(), itemIndex, model, parameter, bytes.length);
	const mimeType = checkImageHeader(ctx.getNode(), itemIndex, model, parameter, readImageHeader(bytes.subarray(0, IMAGE_HEADER_BYTES)));
	return await uploadImage(fal, { bytes, mimeType, fileName: frame.fileName }, { itemIndex });
}
