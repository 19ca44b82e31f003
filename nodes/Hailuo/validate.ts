import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ImageHeader } from '../../fal/image-header';
import type { HailuoModel } from '../shared/models/table';

/**
 * Checks made before any money is spent. Each failure names the parameter and the item; the limits
 * come from the model table.
 */

export function invalid(node: INode, itemIndex: number, parameter: string, problem: string, advice?: string): NodeOperationError {
	return new NodeOperationError(node, `${parameter}: ${problem} (item ${itemIndex})`, {
		itemIndex,
		description: [advice, `Fix the "${parameter}" parameter for item ${itemIndex}. Nothing was sent to fal for this item.`]
			.filter(Boolean)
			.join(' '),
	});
}

export function checkPrompt(node: INode, itemIndex: number, model: HailuoModel, prompt: unknown): string {
	if (typeof prompt !== 'string' || prompt.trim() === '') {
		throw invalid(node, itemIndex, 'Prompt', 'is empty');
	}
	const max = model.promptMaxChars;
	if (prompt.length > max) {
		throw invalid(node, itemIndex, 'Prompt', `is ${prompt.length} characters long; the model takes at most ${max}`);
	}
	return prompt;
}

const words = (resolution: string) => resolution.replace('P', 'p');

/** A last frame only at the resolutions the model makes first-and-last-frame videos at. */
export function checkLastFrameResolution(node: INode, itemIndex: number, model: HailuoModel, resolution: string | undefined): void {
	const allowed = model.images.last?.atResolutions;
	if (!allowed || !resolution || allowed.includes(resolution)) return;
	throw invalid(
		node,
		itemIndex,
		'Last Frame',
		`the model makes videos with a last frame at ${allowed.map(words).join(' or ')} only, not at ${words(resolution)}`,
		`Choose Resolution ${allowed.map(words).join(' or ')}, or Last Frame "None".`,
	);
}

/** An image URL given in `parameter` (Image URL, Last Frame URL). */
export function checkImageUrl(node: INode, itemIndex: number, url: unknown, parameter = 'Image URL'): string {
	const value = typeof url === 'string' ? url.trim() : '';
	if (value === '') throw invalid(node, itemIndex, parameter, 'is empty');
	if (/^data:image\//i.test(value)) return value;
	let parsed: URL;
	try {
		parsed = new URL(value);
	} catch {
		throw invalid(node, itemIndex, parameter, `"${value.slice(0, 100)}" is not a URL`);
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		throw invalid(node, itemIndex, parameter, 'must start with http:// or https:// (or be a data:image URI)');
	}
	return value;
}

const MB = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

/** The image's size in bytes against the model's limit. */
export function checkImageBytes(node: INode, itemIndex: number, model: HailuoModel, parameter: string, bytes: number): void {
	const max = model.imageLimits.maxBytes;
	if (bytes > max) throw invalid(node, itemIndex, parameter, `is ${MB(bytes)}; the model takes images up to ${MB(max)}`);
}

const SIZE_ADVICE =
	'Hailuo needs first and last frames whose short side is over 300 px and whose width:height is between 2:5 and 5:2.';

/** The image's format and pixel size, read from its header, against the model's limits; returns the header. */
export function checkImageHeader(
	node: INode,
	itemIndex: number,
	model: HailuoModel,
	parameter: string,
	header: ImageHeader | undefined,
): ImageHeader {
	const limits = model.imageLimits;
	if (!header || !limits.mimeTypes.includes(header.format)) {
		const found = header ? ` (it is ${header.format.replace('image/', '').toUpperCase()})` : '';
		throw invalid(node, itemIndex, parameter, `is not a JPEG, PNG or WebP image${found}`);
	}
	const { width, height } = header;
	if (!width || !height) {
		throw invalid(node, itemIndex, parameter, 'is not a complete image: its size cannot be read (a truncated file?)');
	}
	if (Math.min(width, height) <= limits.shortSideOverPx) {
		throw invalid(node, itemIndex, parameter, `is ${width}×${height} px; its short side must be over ${limits.shortSideOverPx} px`, SIZE_ADVICE);
	}
	const aspect = width / height;
	if (aspect < limits.minAspect || aspect > limits.maxAspect) {
		const ratio = Math.round(Math.max(aspect, 1 / aspect) * 10) / 10;
		throw invalid(
			node,
			itemIndex,
			parameter,
			`is ${width}×${height} px (ratio ${ratio}:1); the model takes ratios between 2:5 and 5:2`,
			SIZE_ADVICE,
		);
	}
	return header;
}

// fal's request ids are UUIDs; fal's URLs of a job carry one after its queue app: …/<owner>/<app>/requests/<id>[/status…]
const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JOB_URL = /^https?:\/\/[^/]+\/([\w.-]+\/[\w.-]+)\/requests\/([0-9a-f-]{36})(?:[/?#].*)?$/i;

/** A request ID, as given or taken out of a fal URL of the job (which also names its queue app). */
export function checkRequestId(node: INode, itemIndex: number, requestId: unknown): { requestId: string; queueApp?: string } {
	const value = typeof requestId === 'string' ? requestId.trim() : typeof requestId === 'number' ? String(requestId) : '';
	if (value === '') throw invalid(node, itemIndex, 'Request ID', 'is empty', 'Map it from the item of Submit, e.g. {{ $json.requestId }}.');
	if (REQUEST_ID.test(value)) return { requestId: value.toLowerCase() };
	const url = JOB_URL.exec(value);
	if (url && REQUEST_ID.test(url[2])) return { requestId: url[2].toLowerCase(), queueApp: url[1] };
	throw invalid(
		node,
		itemIndex,
		'Request ID',
		`"${value.slice(0, 80)}" is not a fal request ID (a UUID such as 764cabcf-b745-4b3e-ae38-1200304cf45b) nor a fal URL of a job (…/requests/<id>/status)`,
	);
}

export function checkWebhookUrl(node: INode, itemIndex: number, url: unknown): string | undefined {
	const value = typeof url === 'string' ? url.trim() : '';
	if (value === '') return undefined;
	let parsed: URL | undefined;
	try {
		parsed = new URL(value);
	} catch {
		parsed = undefined;
	}
	if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
		throw invalid(node, itemIndex, 'Webhook URL', `"${value.slice(0, 100)}" is not an http(s) URL`);
	}
	return value;
}
