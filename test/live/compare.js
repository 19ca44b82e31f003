// @ts-check
'use strict';

/**
 * Shapes, not values: what two answers to the same call must share for the emulator to be called true to fal. A
 * JSON body becomes the tree of its keys and value types (`{detail:[{loc:[string],msg:string,type:string}]}`); an
 * observation's shape is a flat record of such strings, status codes, header presence and event kinds. Two shapes
 * match when every key has the same value on both sides.
 */

/**
 * The shape of a JSON value: objects by their sorted keys, arrays by the shapes of their elements (each distinct one
 * once), scalars by their type.
 * @param {unknown} v @returns {string}
 */
function shapeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    const kinds = [...new Set(v.map(shapeOf))].sort();
    return `[${kinds.join('|')}]`;
  }
  if (typeof v === 'object') {
    const o = /** @type {Record<string, unknown>} */ (v);
    return `{${Object.keys(o).sort().map((k) => `${k}:${shapeOf(o[k])}`).join(',')}}`;
  }
  return typeof v;
}

/**
 * The shape of an HTTP answer's body: its JSON shape, `text/html` (a proxy's page, say), `empty`, or `text`.
 * @param {{ json: unknown, text: string, headers: Headers }} a @returns {string}
 */
function bodyShape(a) {
  if (a.json !== undefined) return shapeOf(a.json);
  if (!a.text) return 'empty';
  const type = mediaType(a.headers.get('content-type'));
  return type === 'text/html' ? 'text/html' : `text (${type || 'no content-type'})`;
}

/** `text/event-stream; charset=utf-8` → `text/event-stream`. @param {string | null} v */
function mediaType(v) {
  return (v || '').split(';')[0].trim().toLowerCase();
}

/** 'yes' when the header came, else 'no'. @param {Headers} headers @param {string} name */
function has(headers, name) {
  return headers.get(name) !== null ? 'yes' : 'no';
}

/**
 * @typedef {Record<string, string | number | boolean | null>} Shape
 * @typedef {{ key: string, target: string, emulator: string }} Diff
 */

/** @param {unknown} v @returns {string} */
function show(v) {
  return v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * The keys on which two shapes differ (a key missing on one side differs too).
 * @param {Shape} target @param {Shape} emulator @returns {Diff[]}
 */
function diffShapes(target, emulator) {
  /** @type {Diff[]} */
  const diffs = [];
  const keys = [...new Set([...Object.keys(target), ...Object.keys(emulator)])];
  for (const key of keys) {
    const a = show(target[key]);
    const b = show(emulator[key]);
    if (a !== b) diffs.push({ key, target: a, emulator: b });
  }
  return diffs;
}

/** `s` cut to `n` characters (an ellipsis marks the cut). @param {string} s @param {number} n */
function cut(s, n) {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** `s` padded with spaces to `n` characters. @param {string} s @param {number} n */
function pad(s, n) {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/**
 * @typedef {object} Row  one observation, as the table shows it
 * @property {string} name
 * @property {string} title
 * @property {'match' | 'differs' | 'skipped'} verdict
 * @property {string} target     the target's summary
 * @property {string} emulator   the emulator's summary
 * @property {Diff[]} diffs
 * @property {string[]} notes     timings and facts shown, not compared
 */

const WIDTH = { name: 16, side: 44 };

/** @param {string[]} cells */
const line = (cells) => cells.join(' | ').trimEnd();

/** The table's heading (two lines). @param {string} targetName  the target's column: 'fal' or 'target' @returns {string[]} */
function tableHead(targetName) {
  const head = line([pad('observation', WIDTH.name), pad(targetName, WIDTH.side), pad('emulator', WIDTH.side), 'match / differs']);
  return [head, '-'.repeat(head.length)];
}

/**
 * One observation: its line, then its differences and notes, indented.
 * @param {Row} r @param {string} targetName @returns {string[]}
 */
function tableRow(r, targetName) {
  const out = [line([pad(r.name, WIDTH.name), pad(cut(r.target, WIDTH.side), WIDTH.side), pad(cut(r.emulator, WIDTH.side), WIDTH.side), r.verdict])];
  const NONE = show(undefined);
  for (const d of r.diffs) if (d.target !== NONE && d.emulator !== NONE) out.push(`    ≠ ${d.key}: ${targetName} ${d.target}  |  emulator ${d.emulator}`);
  // what one side answered and the other did not reach (it stopped earlier): one line per side
  for (const [who, mine, other] of /** @type {const} */ ([[targetName, 'target', 'emulator'], ['emulator', 'emulator', 'target']])) {
    const only = r.diffs.filter((d) => d[mine] !== NONE && d[other] === NONE).map((d) => `${d.key} ${d[mine]}`);
    if (only.length) out.push(`    ≠ only the ${who}: ${only.join('; ')}`);
  }
  for (const n of r.notes) out.push(`    · ${n}`);
  return out;
}

module.exports = { shapeOf, bodyShape, mediaType, has, diffShapes, tableHead, tableRow, cut };
