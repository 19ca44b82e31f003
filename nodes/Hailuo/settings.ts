import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { Setting, SettingValue } from '../shared/models/inputs';
import type { HailuoModel } from '../shared/models/table';
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
