import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Duration, HailuoModel } from './models';

/**
 * Checks made before any money is spent. Each failure names the parameter and the item.
 */

function invalid(node: INode, itemIndex: number, parameter: string, problem: string): NodeOperationError {
	return new NodeOperationError(node, `${parameter}: ${problem} (item ${itemIndex})`, {
		itemIndex,
		description: `Fix the "${parameter}" parameter for item ${itemIndex}. Nothing was sent to fal for this item.`,
	});
}

export function checkPrompt(node: INode, itemIndex: number, model: HailuoModel, prompt: unknown): string {
	if (typeof prompt !== 'string' || prompt.trim() === '') {
		throw invalid(node, itemIndex, 'Prompt', 'is empty');
	}
	const max = model.limits.promptMaxChars;
	if (prompt.length > max) {
		throw invalid(node, itemIndex, 'Prompt', `is ${prompt.length} characters long; the model takes at most ${max}`);
	}
	return prompt;
}

export function checkDuration(node: INode, itemIndex: number, model: HailuoModel, duration: unknown): Duration {
	const value = String(duration);
	if (!(model.durations as readonly string[]).includes(value)) {
		throw invalid(node, itemIndex, 'Duration', `must be one of ${model.durations.join(' or ')} seconds, not "${value}"`);
	}
	return value as Duration;
}

export function checkImageUrl(node: INode, itemIndex: number, url: unknown): string {
	const value = typeof url === 'string' ? url.trim() : '';
	if (value === '') throw invalid(node, itemIndex, 'Image URL', 'is empty');
	if (/^data:image\//i.test(value)) return value;
	let parsed: URL;
	try {
		parsed = new URL(value);
	} catch {
		throw invalid(node, itemIndex, 'Image URL', `"${value.slice(0, 100)}" is not a URL`);
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		throw invalid(node, itemIndex, 'Image URL', 'must start with http:// or https:// (or be a data:image URI)');
	}
	return value;
}

/** The image format from the file's first bytes, whatever its declared mime type says. */
export function sniffImageType(bytes: Buffer): string | undefined {
	if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
	if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
		return 'image/png';
	}
	if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
		return 'image/webp';
	}
	return undefined;
}

export function checkImageBytes(
	node: INode,
	itemIndex: number,
	model: HailuoModel,
	field: string,
	bytes: Buffer,
): string {
	const parameter = `Input Binary Field "${field}"`;
	const type = sniffImageType(bytes);
	if (!type || !model.limits.imageMimeTypes.includes(type)) {
		throw invalid(node, itemIndex, parameter, 'is not a JPEG, PNG or WebP image');
	}
	if (bytes.length > model.limits.imageMaxBytes) {
		const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;
		throw invalid(node, itemIndex, parameter, `is ${mb(bytes.length)}; the model takes images up to ${mb(model.limits.imageMaxBytes)}`);
	}
	return type;
}
