// @ts-check
'use strict';

/**
 * One input value checked the way fal's FastAPI apps check it (pydantic v2), worded as pydantic words it: the error
 * `type`, `msg` and `ctx` of pydantic-core. `loc` is left empty here; schema.js puts the field's location in.
 */

/**
 * @typedef {{ type: string, loc: (string|number)[], msg: string, input?: unknown, ctx?: Record<string, unknown> }} FieldError
 */

const TRUE_STRINGS = new Set(['1', 'on', 't', 'true', 'y', 'yes']);
const FALSE_STRINGS = new Set(['0', 'off', 'f', 'false', 'n', 'no']);

/**
 * Lax boolean: true/false, 0/1 and the usual strings pass; anything else fails.
 * @param {unknown} v @returns {FieldError | null}
 */
function checkBoolean(v) {
  if (typeof v === 'boolean') return null;
  if (typeof v === 'number' && (v === 0 || v === 1)) return null;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (TRUE_STRINGS.has(s) || FALSE_STRINGS.has(s)) return null;
    return { type: 'bool_parsing', loc: [], msg: 'Input should be a valid boolean, unable to interpret input', input: v };
  }
  if (typeof v === 'number') {
    return { type: 'bool_parsing', loc: [], msg: 'Input should be a valid boolean, unable to interpret input', input: v };
  }
  return { type: 'bool_type', loc: [], msg: 'Input should be a valid boolean', input: v };
}

/**
 * A string with optional length limits (counted in code points, as Python counts).
 * @param {unknown} v @param {{ minLength?: number, maxLength?: number }} spec @returns {FieldError | null}
 */
function checkString(v, spec) {
  if (typeof v !== 'string') return { type: 'string_type', loc: [], msg: 'Input should be a valid string', input: v };
  const length = [...v].length;
  if (spec.minLength !== undefined && length < spec.minLength) {
    const n = spec.minLength;
    return { type: 'string_too_short', loc: [], msg: `String should have at least ${n} character${n === 1 ? '' : 's'}`, input: v, ctx: { min_length: n } };
  }
  if (spec.maxLength !== undefined && length > spec.maxLength) {
    const n = spec.maxLength;
    return { type: 'string_too_long', loc: [], msg: `String should have at most ${n} character${n === 1 ? '' : 's'}`, input: v, ctx: { max_length: n } };
  }
  return null;
}

/**
 * How pydantic-core lists the allowed values: `'a' or 'b'`, `'a', 'b' or 'c'`.
 * @param {string[]} values @returns {string}
 */
function expectedList(values) {
  const quoted = values.map((x) => `'${x}'`);
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/**
 * A str Enum member by value ("768P"; "768p" and 768 are refused).
 * @param {unknown} v @param {{ values: string[] }} spec @returns {FieldError | null}
 */
function checkEnum(v, spec) {
  if (typeof v === 'string' && spec.values.includes(v)) return null;
  const expected = expectedList(spec.values);
  return { type: 'enum', loc: [], msg: `Input should be ${expected}`, input: v, ctx: { expected } };
}

/**
 * A strict integer with bounds (`Field(strict=True, ge=…, le=…)`): a string "8", a number 8.5 and a boolean are
 * `int_type`; out of bounds is `greater_than_equal` / `less_than_equal`. (JSON's 8.0 reaches the emulator as 8.)
 * @param {unknown} v @param {{ ge?: number, le?: number }} spec @returns {FieldError | null}
 */
function checkStrictInt(v, spec) {
  if (typeof v !== 'number' || !Number.isInteger(v)) return { type: 'int_type', loc: [], msg: 'Input should be a valid integer', input: v };
  if (spec.ge !== undefined && v < spec.ge) {
    return { type: 'greater_than_equal', loc: [], msg: `Input should be greater than or equal to ${spec.ge}`, input: v, ctx: { ge: spec.ge } };
  }
  if (spec.le !== undefined && v > spec.le) {
    return { type: 'less_than_equal', loc: [], msg: `Input should be less than or equal to ${spec.le}`, input: v, ctx: { le: spec.le } };
  }
  return null;
}

/**
 * A list of strings with a length range (`list[str] = Field(min_length=…, max_length=…)`). Too long is reported
 * alone (pydantic stops reading); otherwise every item's error, with its index in `loc`; the minimum is checked
 * "after validation", when the items are fine.
 * @param {unknown} v @param {{ minItems?: number, maxItems?: number }} spec @returns {FieldError[]}
 */
function checkStringList(v, spec) {
  if (!Array.isArray(v)) return [{ type: 'list_type', loc: [], msg: 'Input should be a valid list', input: v }];
  const n = v.length;
  if (spec.maxItems !== undefined && n > spec.maxItems) {
    const max = spec.maxItems;
    return [{
      type: 'too_long',
      loc: [],
      msg: `List should have at most ${max} item${max === 1 ? '' : 's'} after validation, not ${n}`,
      input: v,
      ctx: { field_type: 'List', max_length: max, actual_length: n },
    }];
  }
  /** @type {FieldError[]} */
  const errors = [];
  v.forEach((item, i) => {
    const e = checkString(item, {});
    if (e) errors.push({ ...e, loc: [i] });
  });
  if (errors.length) return errors;
  if (spec.minItems !== undefined && n < spec.minItems) {
    const min = spec.minItems;
    return [{
      type: 'too_short',
      loc: [],
      msg: `List should have at least ${min} item${min === 1 ? '' : 's'} after validation, not ${n}`,
      input: v,
      ctx: { field_type: 'List', min_length: min, actual_length: n },
    }];
  }
  return [];
}

module.exports = { checkBoolean, checkString, checkEnum, checkStrictInt, checkStringList, expectedList };
