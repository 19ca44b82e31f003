// @ts-check
'use strict';

/**
 * The models the emulator knows (one row per fal endpoint) and fal/FastAPI-style (pydantic v2) input validation.
 * Limits live in MODEL_LIMITS so they are easy to correct.
 */

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
 *   | { type: 'boolean', required?: boolean, default?: boolean }} FieldSpec
 *
 * @typedef {object} EndpointRow  one fal endpoint, as the table below writes it
 * @property {string} id           full endpoint id, e.g. 'fal-ai/minimax/hailuo-2.3/standard/image-to-video'
 * @property {string} title        fal's display name
 * @property {string} category     'image-to-video' | 'text-to-video'
 * @property {string[]} fields     input fields, in fal's order: names from FIELDS ('duration' takes `durations`,
 *                                 'resolution' takes `resolutions`)
 * @property {string[]} [durations]  the `duration` enum, default first
 * @property {string[]} [resolutions]  the `resolution` enum, in fal's order
 * @property {string} [defaultResolution]  its default (else the first)
 * @property {Record<string, number>} [prices]  USD per video: by duration ({ '6': 0.28, '10': 0.56 }), or { video: n }
 * @property {Record<string, number>} [pricesPerSecond]  USD per second of video, by resolution (fal bills per second)
 * @property {(input: Record<string, unknown>) => { field: string, type: string, msg: string } | null} [runnerCheck]
 *   what the model (MiniMax, behind fal) refuses when the job starts although fal's schema lets it through
 *
 * @typedef {object} EndpointSpec  a row, expanded
 * @property {string} id
 * @property {string} owner        'fal-ai'
 * @property {string} alias        'minimax' (status/result/cancel URLs use owner/alias only)
 * @property {Record<string, FieldSpec>} fields  input schema, in fal's field order
 * @property {{ field: string, fileName: string, contentType: string }} output  the output File
 * @property {Record<string, number>} prices  USD per video (by duration, or `video`); empty for a per-second row
 * @property {Record<string, number> | undefined} pricesPerSecond  USD per second, by resolution
 * @property {{ unit_price: number, unit: string, currency: string }} price  what the pricing API answers (the
 *   default video's price, or the default resolution's price per second)
 * @property {EndpointRow['runnerCheck']} runnerCheck
 * @property {{ display_name: string, category: string, description: string }} metadata
 */

/** Every input field a row can name. */
const FIELDS = Object.freeze({
  prompt: Object.freeze({ type: 'string', required: true, minLength: 1, maxLength: MODEL_LIMITS.promptMaxChars }),
  image_url: Object.freeze({ type: 'string', required: true, image: true }),
  prompt_optimizer: Object.freeze({ type: 'boolean', default: true }),
  end_image_url: Object.freeze({ type: 'string', image: true }),
});

/** @param {string} id @param {string} name @param {string[] | undefined} values @param {string} [byDefault] @returns {FieldSpec} */
function enumField(id, name, values, byDefault) {
  if (!values || !values.length) throw new TypeError(`${id}: a ${name} field needs ${name}s`);
  if (byDefault !== undefined && !values.includes(byDefault)) throw new TypeError(`${id}: ${name} default ${byDefault} is not a value`);
  return { type: 'enum', values: [...values], default: byDefault ?? values[0] };
}

/** @param {EndpointRow} row @returns {EndpointSpec} */
function endpoint(row) {
  const [owner, alias] = row.id.split('/');
  /** @type {Record<string, FieldSpec>} */
  const fields = {};
  for (const name of row.fields) {
    if (name === 'duration') {
      fields.duration = enumField(row.id, name, row.durations);
    } else if (name === 'resolution') {
      fields.resolution = enumField(row.id, name, row.resolutions, row.defaultResolution);
    } else {
      const spec = /** @type {Record<string, FieldSpec>} */ (FIELDS)[name];
      if (!spec) throw new TypeError(`${row.id}: unknown field ${name}`);
      fields[name] = spec;
    }
  }
  /** @type {{ unit_price: number, unit: string, currency: string }} */
  let price;
  if (row.pricesPerSecond) {
    const first = row.defaultResolution ?? (row.resolutions ? row.resolutions[0] : 'video');
    if (typeof row.pricesPerSecond[first] !== 'number') throw new TypeError(`${row.id}: no price per second for ${first}`);
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
    output: { field: 'video', fileName: 'output.mp4', contentType: 'video/mp4' },
    prices: { ...row.prices },
    pricesPerSecond: row.pricesPerSecond ? { ...row.pricesPerSecond } : undefined,
    price,
    runnerCheck: row.runnerCheck,
    metadata: { display_name: row.title, category: row.category, description: `${row.title} (emulated)` },
  });
}

/** The endpoint table: one row per fal endpoint. */
const ENDPOINTS = Object.freeze([
  endpoint({
    id: 'fal-ai/minimax/hailuo-2.3/standard/image-to-video',
    title: 'MiniMax Hailuo 2.3 Standard Image to Video',
    category: 'image-to-video',
    fields: ['prompt', 'image_url', 'duration', 'prompt_optimizer'],
    durations: ['6', '10'],
    prices: { 6: 0.28, 10: 0.56 },
  }),
  // The rest of the Hailuo 2.3 family, read from each endpoint's page on fal (llms.txt), November 2026.
  endpoint({
    id: 'fal-ai/minimax/hailuo-2.3/standard/text-to-video',
    title: 'MiniMax Hailuo 2.3 Standard Text to Video',
    category: 'text-to-video',
    fields: ['prompt', 'duration', 'prompt_optimizer'],
    durations: ['6', '10'],
    prices: { 6: 0.28, 10: 0.56 },
  }),
  endpoint({
    id: 'fal-ai/minimax/hailuo-2.3/pro/image-to-video',
    title: 'MiniMax Hailuo 2.3 Pro Image to Video',
    category: 'image-to-video',
    fields: ['prompt', 'image_url', 'prompt_optimizer'],
    prices: { video: 0.49 },
  }),
  endpoint({
    id: 'fal-ai/minimax/hailuo-2.3/pro/text-to-video',
    title: 'MiniMax Hailuo 2.3 Pro Text to Video',
    category: 'text-to-video',
    fields: ['prompt', 'prompt_optimizer'],
    prices: { video: 0.49 },
  }),
  endpoint({
    id: 'fal-ai/minimax/hailuo-2.3-fast/standard/image-to-video',
    title: 'MiniMax Hailuo 2.3 Fast Image to Video',
    category: 'image-to-video',
    fields: ['prompt', 'image_url', 'duration', 'prompt_optimizer'],
    durations: ['6', '10'],
    prices: { 6: 0.19, 10: 0.32 },
  }),
  endpoint({
    id: 'fal-ai/minimax/hailuo-2.3-fast/pro/image-to-video',
    title: 'MiniMax Hailuo 2.3 Fast Pro Image to Video',
    category: 'image-to-video',
    fields: ['prompt', 'image_url', 'prompt_optimizer'],
    prices: { video: 0.33 },
  }),
  // Hailuo 02: the one endpoint whose page on fal could be read (llms.txt, December 2026). "$0.045/sec" at 768P,
  // "roughly $0.017/sec" at 512P. 10 s is allowed at both (the page's only duration limit is for 1080p).
  endpoint({
    id: 'fal-ai/minimax/hailuo-02/standard/image-to-video',
    title: 'MiniMax Hailuo 02 [Standard] (Image to Video)',
    category: 'image-to-video',
    fields: ['prompt', 'image_url', 'duration', 'prompt_optimizer', 'resolution', 'end_image_url'],
    durations: ['6', '10'],
    resolutions: ['512P', '768P'],
    defaultResolution: '768P',
    pricesPerSecond: { '768P': 0.045, '512P': 0.017 },
    // fal's schema takes end_image_url at 512P; MiniMax's API makes first-and-last-frame videos at 768P and 1080P
    // only (fal's page is silent). Never kinder than fal: the job fails when it starts, as MiniMax would refuse it.
    // `input` has the schema's defaults filled in.
    runnerCheck: (input) =>
      input.end_image_url !== undefined && input.resolution === '512P'
        ? { field: 'end_image_url', type: 'value_error', msg: 'A last frame (end_image_url) is not supported at 512P resolution' }
        : null,
  }),
]);

/** @param {string} id @returns {EndpointSpec | undefined} */
function findEndpoint(id) {
  return ENDPOINTS.find((e) => e.id === id);
}

/** @param {string} owner @param {string} alias @returns {boolean} */
function isKnownApp(owner, alias) {
  return ENDPOINTS.some((e) => e.owner === owner && e.alias === alias);
}

/**
 * @typedef {{ type: string, loc: (string|number)[], msg: string, input?: unknown, ctx?: Record<string, unknown> }} FieldError
 */

const TRUE_STRINGS = new Set(['1', 'on', 't', 'true', 'y', 'yes']);
const FALSE_STRINGS = new Set(['0', 'off', 'f', 'false', 'n', 'no']);

/**
 * Pydantic v2 (lax mode) boolean check: true/false, 0/1 and the usual strings pass; anything else fails.
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
    const loc = ['body', name];
    if (!(name in obj) || obj[name] === undefined) {
      if (spec.required) errors.push({ type: 'missing', loc, msg: 'Field required', input: obj });
      continue;
    }
    const v = obj[name];
    if (spec.type === 'string') {
      if (typeof v !== 'string') {
        errors.push({ type: 'string_type', loc, msg: 'Input should be a valid string', input: v });
      } else if (spec.minLength !== undefined && v.length < spec.minLength) {
        const n = spec.minLength;
        errors.push({
          type: 'string_too_short',
          loc,
          msg: `String should have at least ${n} character${n === 1 ? '' : 's'}`,
          input: v,
          ctx: { min_length: n },
        });
      } else if (spec.maxLength !== undefined && [...v].length > spec.maxLength) {
        const n = spec.maxLength;
        errors.push({
          type: 'string_too_long',
          loc,
          msg: `String should have at most ${n} characters`,
          input: v,
          ctx: { max_length: n },
        });
      }
    } else if (spec.type === 'enum') {
      if (typeof v !== 'string' || !spec.values.includes(v)) {
        const expected = spec.values.map((x) => `'${x}'`).join(spec.values.length === 2 ? ' or ' : ', ');
        errors.push({ type: 'enum', loc, msg: `Input should be ${expected}`, input: v, ctx: { expected } });
      }
    } else if (spec.type === 'boolean') {
      const e = checkBoolean(v);
      if (e) errors.push({ ...e, loc });
    }
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
 * What a finished job costs: the price of the duration it ran with, or the row's one price; for a row billed per
 * second, its resolution's price per second times its seconds.
 * @param {EndpointSpec} ep @param {Record<string, unknown>} input @returns {number}
 */
function priceFor(ep, input) {
  const used = withDefaults(ep, input);
  if (ep.pricesPerSecond) {
    const perSecond = ep.pricesPerSecond[String(used.resolution ?? 'video')] ?? ep.price.unit_price;
    return Math.round(perSecond * Number(used.duration ?? 6) * 1000) / 1000;
  }
  const byDuration = used.duration !== undefined ? ep.prices[String(used.duration)] : undefined;
  return byDuration !== undefined ? byDuration : ep.price.unit_price;
}

module.exports = { ENDPOINTS, FIELDS, MODEL_LIMITS, endpoint, findEndpoint, isKnownApp, validateInput, withDefaults, priceFor };
