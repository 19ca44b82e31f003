// @ts-check
'use strict';

/**
 * The models the emulator knows (rows in endpoints.js, expanded here) and fal/FastAPI-style (pydantic v2) input
 * validation (each value's check in pydantic.js). Limits live in MODEL_LIMITS so they are easy to correct.
 */

const { checkBoolean, checkString, checkEnum, checkStrictInt, checkStringList } = require('./pydantic');
const { ROWS } = require('./endpoints');

/** MiniMax's limits for the first and last frame images and the prompt (see /work/shared/model.md). */
const MODEL_LIMITS = Object.freeze({
  promptMaxChars: 2000,
  imageMaxBytes: 20 * 1024 * 1024,
  imageMinShortSide: 301, // "short side over 300 px"
  imageMinAspect: 2 / 5,
  imageMaxAspect: 5 / 2,
  imageFormats: Object.freeze(['jpeg', 'png', 'webp']),
});

/**
 * @typedef {{ type: 'string', required?: boolean, minLength?: number, maxLength?: number, image?: boolean }
 *   | { type: 'enum', required?: boolean, values: string[], default?: string }
 *   | { type: 'boolean', required?: boolean, default?: boolean }
 *   | { type: 'integer', required?: boolean, ge: number, le: number, default?: number }
 *   | { type: 'list', required?: boolean, minItems: number, maxItems: number, image: boolean }} FieldSpec
 *
 * @typedef {object} EndpointRow  one fal endpoint, as endpoints.js writes it
 * @property {string} id           full endpoint id, e.g. 'fal-ai/minimax/hailuo-2.3/standard/image-to-video'
 * @property {string} title        fal's display name
 * @property {string} category     'image-to-video' | 'text-to-video'
 * @property {string[]} fields     input fields, in fal's order: names from FIELDS, or 'duration' (takes `durations`
 *   or `durationRange`), 'resolution' (`resolutions`), 'aspect_ratio' (`aspectRatios`), 'reference_image_urls'
 *   (`referenceImages`)
 * @property {string[]} [durations]  the `duration` enum of strings, default first
 * @property {[number, number]} [durationRange]  or a strict integer `duration` in this range (whole seconds)
 * @property {string[]} [resolutions]  the `resolution` enum, in fal's order
 * @property {string} [defaultResolution]  its default (else the first)
 * @property {string[]} [aspectRatios]  the `aspect_ratio` enum
 * @property {string} [defaultAspectRatio]
 * @property {{ min: number, max: number }} [referenceImages]  how many `reference_image_urls`
 * @property {string[]} [required]  fields that are required here and have no default
 * @property {number} [promptMaxChars]  the prompt's limit (else MODEL_LIMITS.promptMaxChars)
 * @property {Record<string, number>} [prices]  USD per video: by duration ({ '6': 0.28, '10': 0.56 }), or { video: n }
 * @property {Record<string, number>} [pricesPerSecond]  USD per second of video, by resolution, or { video: n }
 * @property {string} [pricedAt]   the resolution whose price per second the pricing call answers (else the default)
 * @property {number} [fixedSeconds]  a row with no duration field: how long its videos are
 * @property {{ included: number, usdPer1000: number }} [referenceTokens]  reference images' tokens billed beyond
 *   `included`
 * @property {'audio' | 'silent'} [video]  the video served: with a stereo audio track, or without (default)
 * @property {(input: Record<string, unknown>) => { field: string, type: string, msg: string } | null} [runnerCheck]
 *   what the model (MiniMax, behind fal) refuses when the job starts although fal's schema lets it through
 *
 * @typedef {object} EndpointSpec  a row, expanded
 * @property {string} id
 * @property {string} owner        'fal-ai' or 'minimax'
 * @property {string} alias        'minimax', 'h3-max'… (status/result/cancel URLs use owner/alias only)
 * @property {Record<string, FieldSpec>} fields  input schema, in fal's field order
 * @property {{ field: string, fileName: string, contentType: string, video: 'audio' | 'silent' }} output  the output File
 * @property {Record<string, number>} prices  USD per video (by duration, or `video`); empty for a per-second row
 * @property {Record<string, number> | undefined} pricesPerSecond  USD per second, by resolution (or `video`)
 * @property {number | undefined} fixedSeconds
 * @property {{ included: number, usdPer1000: number } | undefined} referenceTokens
 * @property {{ unit_price: number, unit: string, currency: string }} price  what the pricing API answers (the
 *   default video's price, or a resolution's price per second)
 * @property {EndpointRow['runnerCheck']} runnerCheck
 * @property {{ display_name: string, category: string, description: string }} metadata
 */

/** Every input field a row can name as is. */
const FIELDS = Object.freeze({
  prompt: Object.freeze({ type: 'string', required: true, minLength: 1, maxLength: MODEL_LIMITS.promptMaxChars }),
  image_url: Object.freeze({ type: 'string', required: true, image: true }),
  prompt_optimizer: Object.freeze({ type: 'boolean', default: true }),
  end_image_url: Object.freeze({ type: 'string', image: true }),
  prompt_expansion_mode: Object.freeze({ type: 'enum', required: true, values: ['disabled', 'balanced', 'quality'] }),
});

/** @param {string} id @param {string} name @param {string[] | undefined} values @param {string} [byDefault] @param {boolean} [required] @returns {FieldSpec} */
function enumField(id, name, values, byDefault, required) {
  if (!values || !values.length) throw new TypeError(`${id}: a ${name} field needs ${name}s`);
  if (required) return { type: 'enum', required: true, values: [...values] };
  if (byDefault !== undefined && !values.includes(byDefault)) throw new TypeError(`${id}: ${name} default ${byDefault} is not a value`);
  return { type: 'enum', values: [...values], default: byDefault ?? values[0] };
}

/** @param {EndpointRow} row @param {string} name @returns {FieldSpec} */
function fieldFor(row, name) {
  const required = (row.required || []).includes(name);
  if (name === 'duration' && row.durationRange) {
    const [ge, le] = row.durationRange;
    return required ? { type: 'integer', required: true, ge, le } : { type: 'integer', ge, le, default: ge };
  }
  if (name === 'duration') return enumField(row.id, name, row.durations, undefined, required);
  if (name === 'resolution') return enumField(row.id, name, row.resolutions, row.defaultResolution, required);
  if (name === 'aspect_ratio') return enumField(row.id, 'aspect ratio', row.aspectRatios, row.defaultAspectRatio, required);
  if (name === 'reference_image_urls') {
    if (!row.referenceImages) throw new TypeError(`${row.id}: a reference_image_urls field needs referenceImages`);
    return { type: 'list', required: true, minItems: row.referenceImages.min, maxItems: row.referenceImages.max, image: true };
  }
  const spec = /** @type {Record<string, FieldSpec>} */ (FIELDS)[name];
  if (!spec) throw new TypeError(`${row.id}: unknown field ${name}`);
  if (name === 'prompt' && row.promptMaxChars) return { ...FIELDS.prompt, maxLength: row.promptMaxChars };
  return spec;
}

/** @param {EndpointRow} row @returns {EndpointSpec} */
function endpoint(row) {
  const [owner, alias] = row.id.split('/');
  /** @type {Record<string, FieldSpec>} */
  const fields = {};
  for (const name of row.fields) fields[name] = fieldFor(row, name);
  /** @type {{ unit_price: number, unit: string, currency: string }} */
  let price;
  if (row.pricesPerSecond) {
    const first = row.pricedAt ?? row.defaultResolution ?? (row.resolutions ? row.resolutions[0] : 'video');
    if (typeof row.pricesPerSecond[first] !== 'number') throw new TypeError(`${row.id}: no price per second for ${first}`);
    for (const r of row.resolutions || []) {
      if (typeof row.pricesPerSecond[r] !== 'number') throw new TypeError(`${row.id}: no price per second for ${r}`);
    }
    price = { unit_price: row.pricesPerSecond[first], unit: 'second', currency: 'USD' };
  } else {
    const first = row.durations ? row.durations[0] : 'video';
    if (!row.prices || typeof row.prices[first] !== 'number') throw new TypeError(`${row.id}: no price for ${first}`);
    price = { unit_price: row.prices[first], unit: 'video', currency: 'USD' };
  }
  return Object.freeze({
    id: row.id,
    owner,
    alias,
    fields,
    output: { field: 'video', fileName: 'output.mp4', contentType: 'video/mp4', video: row.video ?? 'silent' },
    prices: { ...row.prices },
    pricesPerSecond: row.pricesPerSecond ? { ...row.pricesPerSecond } : undefined,
    fixedSeconds: row.fixedSeconds,
    referenceTokens: row.referenceTokens ? { ...row.referenceTokens } : undefined,
    price,
    runnerCheck: row.runnerCheck,
    metadata: { display_name: row.title, category: row.category, description: `${row.title} (emulated)` },
  });
}

/** The endpoint table: one row per fal endpoint. */
const ENDPOINTS = Object.freeze(ROWS.map(endpoint));

/** @param {string} id @returns {EndpointSpec | undefined} */
function findEndpoint(id) {
  return ENDPOINTS.find((e) => e.id === id);
}

/** @param {string} owner @param {string} alias @returns {boolean} */
function isKnownApp(owner, alias) {
  return ENDPOINTS.some((e) => e.owner === owner && e.alias === alias);
}

/** @typedef {import('./pydantic').FieldError} FieldError */

/** @param {FieldSpec} spec @param {unknown} v @returns {FieldError[]} errors with `loc` relative to the field */
function checkValue(spec, v) {
  /** @type {FieldError | null} */
  let e = null;
  if (spec.type === 'string') e = checkString(v, spec);
  else if (spec.type === 'enum') e = checkEnum(v, spec);
  else if (spec.type === 'boolean') e = checkBoolean(v);
  else if (spec.type === 'integer') e = checkStrictInt(v, spec);
  else if (spec.type === 'list') return checkStringList(v, spec);
  return e ? [e] : [];
}

/**
 * Validates a request body against an endpoint's input schema, the way fal's FastAPI apps answer 422 (pydantic v2):
 * every field error in schema order, then one `extra_forbidden` per unknown field.
 * @param {EndpointSpec} ep
 * @param {unknown} body  parsed JSON body
 * @returns {FieldError[]}  empty when valid
 */
function validateInput(ep, body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return [
      {
        type: 'model_attributes_type',
        loc: ['body'],
        msg: 'Input should be a valid dictionary or object to extract fields from',
        input: body,
      },
    ];
  }
  const obj = /** @type {Record<string, unknown>} */ (body);
  /** @type {FieldError[]} */
  const errors = [];
  for (const [name, spec] of Object.entries(ep.fields)) {
    if (!(name in obj) || obj[name] === undefined) {
      if (spec.required) errors.push({ type: 'missing', loc: ['body', name], msg: 'Field required', input: obj });
      continue;
    }
    for (const e of checkValue(spec, obj[name])) errors.push({ ...e, loc: ['body', name, ...e.loc] });
  }
  for (const [name, v] of Object.entries(obj)) {
    if (!(name in ep.fields)) errors.push({ type: 'extra_forbidden', loc: ['body', name], msg: 'Extra inputs are not permitted', input: v });
  }
  return errors;
}

/**
 * The input with schema defaults filled in (what the model actually runs with).
 * @param {EndpointSpec} ep @param {Record<string, unknown>} input @returns {Record<string, unknown>}
 */
function withDefaults(ep, input) {
  /** @type {Record<string, unknown>} */
  const out = { ...input };
  for (const [name, spec] of Object.entries(ep.fields)) {
    if (out[name] === undefined && 'default' in spec && spec.default !== undefined) out[name] = spec.default;
  }
  return out;
}

/**
 * How many tokens a reference image costs (assumed: the model sees it with its short side at 512 px, in 16-px
 * patches, the long side scaled alike and cut down to whole patches): 1:1 → 32 × 32 = 1,024 (fal's page),
 * 6:5 → 32 × 38 = 1,216 (a public calibration of fal's bill), 2:3 → 32 × 48 = 1,536.
 * @param {number} width @param {number} height @returns {number}
 */
function referenceTokens(width, height) {
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  if (!(short > 0)) return 0;
  return 32 * Math.floor((32 * long) / short);
}

/** @param {number} usd */
const roundUsd = (usd) => Math.round(usd * 1e6) / 1e6;

/**
 * What a finished job costs: the price of the duration it ran with, or the row's one price; for a row billed per
 * second, its resolution's price per second times its seconds; for reference images, their tokens beyond those
 * included (`usage.referenceTokens`, counted by the runner from the images it read).
 * @param {EndpointSpec} ep @param {Record<string, unknown>} input @param {{ referenceTokens?: number }} [usage]
 * @returns {number}
 */
function priceFor(ep, input, usage) {
  const used = withDefaults(ep, input);
  if (ep.pricesPerSecond) {
    const perSecond = ep.pricesPerSecond[String(used.resolution ?? 'video')] ?? ep.price.unit_price;
    const seconds = Number(used.duration ?? ep.fixedSeconds ?? 6);
    let usd = perSecond * seconds;
    if (ep.referenceTokens) {
      const beyond = Math.max(0, (usage?.referenceTokens ?? 0) - ep.referenceTokens.included);
      usd += (beyond / 1000) * ep.referenceTokens.usdPer1000;
    }
    return roundUsd(usd);
  }
  const byDuration = used.duration !== undefined ? ep.prices[String(used.duration)] : undefined;
  return byDuration !== undefined ? byDuration : ep.price.unit_price;
}

module.exports = {
  ENDPOINTS, FIELDS, MODEL_LIMITS, endpoint, findEndpoint, isKnownApp, validateInput, withDefaults, priceFor, referenceTokens,
};
