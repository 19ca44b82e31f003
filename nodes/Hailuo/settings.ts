import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { Setting, SettingValue } from '../shared/models/inputs';
import { MODELS, type HailuoModel } from '../shared/models/table';
import { invalid } from './validate';

/**
 * An item's settings for its model — every setting of the model's row, read from its node parameter (per item, so
 * expressions work), checked against the row's values or range, and keyed by fal's field as the request sends them.
 * A setting left empty takes the row's default.
 */

/** A value in words for messages: "768p", "6 seconds". */
export function valueWords(setting: Setting, value: SettingValue): string {
	if (setting.role === 'resolution') return String(value).replace(/P$/, 'p');
	return String(value);
}

function listWords(setting: Setting, values: readonly SettingValue[]): string {
	const words = values.map((value) => valueWords(setting, value));
	const list = words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}` : words.join('');
	return setting.role === 'duration' ? `${list} seconds` : list;
}

/** Every setting any model takes, by node parameter. */
const ALL_SETTINGS = new Map<string, Setting>(MODELS.flatMap((model) => model.settings.map((setting) => [setting.parameter, setting] as const)));

const isEmpty = (value: unknown) => value === undefined || value === null || value === '';

/** One setting's value, checked; throws an error naming the parameter and the item. */
export function checkSetting(ctx: IExecuteFunctions, itemIndex: number, setting: Setting, raw: unknown): SettingValue {
	const node = ctx.getNode();
	if (isEmpty(raw)) return setting.default;
	const shown = String(raw).slice(0, 40);
	if (setting.kind === 'choice') {
		const found = setting.values.find((value) => value.toLowerCase() === String(raw).trim().toLowerCase());
		if (found === undefined) throw invalid(node, itemIndex, setting.label, `must be ${listWords(setting, setting.values)}, not "${shown}"`);
		return found;
	}
	if (setting.kind === 'integer') {
		const number = typeof raw === 'number' ? raw : Number(String(raw).trim());
		if (!Number.isInteger(number) || number < setting.min || number > setting.max) {
			const unit = setting.role === 'duration' ? ' seconds' : '';
			throw invalid(node, itemIndex, setting.label, `must be a whole number from ${setting.min} to ${setting.max}${unit}, not "${shown}"`);
		}
		return number;
	}
	if (typeof raw === 'boolean') return raw;
	if (raw === 'true' || raw === 'false') return raw === 'true';
	throw invalid(node, itemIndex, setting.label, `must be true or false, not "${shown}"`);
}

/** Every setting of the item's model, by fal field. */
export function readSettings(ctx: IExecuteFunctions, itemIndex: number, model: HailuoModel): Record<string, SettingValue> {
	const values: Record<string, SettingValue> = {};
	for (const setting of model.settings) {
		values[setting.field] = checkSetting(ctx, itemIndex, setting, ctx.getNodeParameter(setting.parameter, itemIndex, setting.default));
	}
	return values;
}

/** The settings as the output item shows them, by node parameter (the duration and resolution apart). */
export function settingsOutput(model: HailuoModel, values: Readonly<Record<string, SettingValue>>): IDataObject {
	const output: IDataObject = {};
	for (const setting of model.settings) if (!setting.role) output[setting.parameter] = values[setting.field];
	return output;
}

/** A parameter of some models, and whether this model takes it. */
interface ModelParameter {
	parameter: string;
	label: string;
	empty: unknown;
	takes: (model: HailuoModel) => boolean;
}

const MODEL_PARAMETERS: readonly ModelParameter[] = [
	{ parameter: 'imageUrl', label: 'Image URL', empty: '', takes: (model) => model.images.first },
	{ parameter: 'lastFrameSource', label: 'Last Frame', empty: 'none', takes: (model) => model.images.last !== undefined },
	{ parameter: 'referenceImages', label: 'Reference Images', empty: {}, takes: (model) => model.images.references !== undefined },
	{ parameter: 'cameraMovement', label: 'Camera Movement', empty: [], takes: (model) => model.cameraCommands === true },
];

const isUnset = (value: unknown, empty: unknown) =>
	isEmpty(value) || JSON.stringify(value) === JSON.stringify(empty) || (Array.isArray(value) && value.length === 0);

/**
 * Parameters set on the node that the item's model does not take (a Model chosen by expression keeps every field),
 * in words for the output item: nothing of them was sent, and nothing silently changed the video.
 */
export function notApplied(ctx: IExecuteFunctions, itemIndex: number, model: HailuoModel): string[] {
	const set = ctx.getNode().parameters;
	const byParameter = new Map<string, ModelParameter>(MODEL_PARAMETERS.map((entry) => [entry.parameter, entry]));
	for (const other of [...ALL_SETTINGS.values()]) {
		if (!byParameter.has(other.parameter)) {
			byParameter.set(other.parameter, {
				parameter: other.parameter,
				label: other.label,
				empty: other.default,
				takes: (m) => m.settings.some((setting) => setting.parameter === other.parameter),
			});
		}
	}
	const notices: string[] = [];
	for (const entry of byParameter.values()) {
		if (!(entry.parameter in set) || entry.takes(model)) continue;
		const value = ctx.getNodeParameter(entry.parameter, itemIndex, entry.empty);
		if (isUnset(value, entry.empty)) continue;
		notices.push(`${entry.label} does not apply to ${model.displayName}: it was not sent${fixedWords(model, entry.parameter)}.`);
	}
	return notices;
}

/** What the model does instead, for a length or a resolution it does not take. */
function fixedWords(model: HailuoModel, parameter: string): string {
	if ((parameter === 'duration' || parameter === 'durationSeconds') && model.fixedSeconds) return `; its videos are ${model.fixedSeconds} s`;
	if (parameter === 'resolution' && model.fixedResolution) return `; its videos are ${model.fixedResolution.replace(/P$/, 'p')}`;
	return '';
}
