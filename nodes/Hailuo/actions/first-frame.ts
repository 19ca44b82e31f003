import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { IMAGE_HEADER_BYTES, readImageHeader } from '../../../fal/image-header';
import type { HailuoModel } from '../models';
import { uploadImage } from '../../../fal/files';
import { probeImageUrl } from '../../../fal/image-probe';
import type { FalSession } from '../../../fal/session';
import { checkImageBytes, checkImageHeader, checkImageUrl, invalid } from '../validate';

/**
 * The first frame of an image-to-video job, from an image URL or a binary field: checked against the
 * model's limits before anything is paid for (format, size, pixel size, read from the image's header),
 * and turned into the `image_url` fal reads when the job runs (a binary image is uploaded first).
 */

export type FirstFrame =
	| { source: 'none' }
	| { source: 'url'; url: string }
	| { source: 'binary'; field: string; fileName: string };

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

async function binaryFrame(ctx: IExecuteFunctions, itemIndex: number, model: HailuoModel): Promise<FirstFrame> {
	const node = ctx.getNode();
	const field = String(ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim();
	const binary = ctx.helpers.assertBinaryData(itemIndex, field);
	const parameter = `Input Binary Field "${field}"`;
	const declared = await declaredBytes(ctx, binary);
	if (declared !== undefined) checkImageBytes(node, itemIndex, model, parameter, declared);
	const mimeType = checkImageHeader(node, itemIndex, model, parameter, readImageHeader(await headerBytes(ctx, binary)));
	return { source: 'binary', field, fileName: binary.fileName ?? `frame.${mimeType.split('/')[1]}` };
}

async function urlFrame(ctx: IExecuteFunctions, itemIndex: number, model: HailuoModel, probe: boolean): Promise<FirstFrame> {
	const node = ctx.getNode();
	const url = checkImageUrl(node, itemIndex, ctx.getNodeParameter('imageUrl', itemIndex));
	if (!probe) return { source: 'url', url };
	const found = await probeImageUrl(ctx, ctx.getExecutionCancelSignal(), url, { itemIndex });
	if (found.unreachable) {
		throw invalid(
			node,
			itemIndex,
			'Image URL',
			`could not be read (${found.unreachable}); fal could not read it either`,
			'Use a public http(s) URL of the image, or turn off Options → Check Image URL when the host refuses this check but fal can read it.',
		);
	}
	if (found.totalBytes !== undefined) checkImageBytes(node, itemIndex, model, 'Image URL', found.totalBytes);
	checkImageHeader(node, itemIndex, model, 'Image URL', found.header);
	return { source: 'url', url };
}

/** Reads and checks an item's first frame; nothing is uploaded or paid for yet. */
export async function prepareFirstFrame(
	ctx: IExecuteFunctions,
	itemIndex: number,
	model: HailuoModel,
	probeUrl: boolean,
): Promise<FirstFrame> {
	if (!model.firstFrame) return { source: 'none' };
	if (ctx.getNodeParameter('imageSource', itemIndex, 'url') === 'binary') return await binaryFrame(ctx, itemIndex, model);
	return await urlFrame(ctx, itemIndex, model, probeUrl);
}

/** The `image_url` to send: the URL as given, or where fal storage put the uploaded binary image. */
export async function firstFrameUrl(
	ctx: IExecuteFunctions,
	fal: FalSession,
	itemIndex: number,
	model: HailuoModel,
	frame: FirstFrame,
): Promise<string | undefined> {
	if (frame.source === 'none') return undefined;
	if (frame.source === 'url') return frame.url;
	const parameter = `Input Binary Field "${frame.field}"`;
	const bytes = await ctx.helpers.getBinaryDataBuffer(itemIndex, frame.field);
	checkImageBytes(ctx.getNode(), itemIndex, model, parameter, bytes.length);
	const mimeType = checkImageHeader(ctx.getNode(), itemIndex, model, parameter, readImageHeader(bytes.subarray(0, IMAGE_HEADER_BYTES)));
	return await uploadImage(fal, { bytes, mimeType, fileName: frame.fileName }, { itemIndex });
}
