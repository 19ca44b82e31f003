// @ts-check
'use strict';

/**
 * The free observations: calls that create no paid job. Each runs once on the target and once on the emulator and
 * returns a shape (compared), a summary (the table's cell) and notes (shown, not compared). The paid ones are in
 * jobs.js.
 */

const { randomUUID } = require('node:crypto');
const { KEY_CHECK, PRICING_PATH } = require('../../dist/fal/account');
const { bodyShape, mediaType, has, cut } = require('./compare');

/**
 * @typedef {import('./side').Side} Side
 * @typedef {import('./side').Answer} Answer
 * @typedef {import('./compare').Shape} Shape
 * @typedef {{ shape: Shape, summary: string, notes?: string[] } | { skipped: string }} SideResult
 *
 * @typedef {object} Model  the model the paid observations submit (the cheapest with a first frame)
 * @property {string} endpoint
 * @property {string} queueApp
 * @property {string} displayName
 * @property {string} duration
 * @property {number} listUsd   its list price (models.ts)
 *
 * @typedef {object} Ctx  what every observation may use
 * @property {Side} target
 * @property {Model} model
 * @property {Buffer} image         the sample first frame (JPEG)
 * @property {number} jobTimeoutMs  how long a job may take
 * @property {{ unitPrice: number, unit: string } | undefined} livePrice  the target's pricing answer, when it gave one
 * @property {() => number} priceUsd  the price counted for one job: the list price, or fal's live price when higher
 * @property {import('./h3').H3Model} h3  the H3 Max Turbo job's model, input and price (h3.js)
 * @property {number} reserved   what the current paid observation counted (taken back if its submit creates no job)
 * @property {(side: Side, input: unknown, o?: { key?: string, qs?: Record<string, string>, endpoint?: string, probe?: boolean }) => Promise<Answer>} submit
 *   a submit to the model, or to `endpoint` (on the target, refused past --max-jobs; any answer with a request id
 *   counts as a job); `probe`: a submit meant to be refused, whose refusal keeps the reservation for the job after it
 * @property {(side: Side, id: string, queueApp?: string) => { requestId: string, statusUrl: string, responseUrl: string, cancelUrl: string }} jobRef
 *   a job's URLs under the model's queue app, or `queueApp`
 *
 * @typedef {object} Observation
 * @property {string} name
 * @property {string} title
 * @property {(ctx: Ctx) => { usd: number, what: string }} [paid]  a paid call: counted against the cap first
 * @property {(side: Side) => string | undefined} [needs]  why it cannot run on this side (an earlier one failed)
 * @property {(side: Side, ctx: Ctx) => Promise<SideResult>} run
 */

/** A key fal cannot know, in the shape of fal's keys (`<key id>:<secret>`). */
const INVALID_KEY = '7a1ce5e2-0000-4000-8000-000000000000:00000000000000000000000000000000';
/** An input field no Hailuo model takes. */
const UNKNOWN_FIELD = 'live_contract_unknown_field';

/** fal's `detail` (or platform `error.message`) text, shortened, for a note. @param {Answer} a */
function detailOf(a) {
  const j = /** @type {any} */ (a.json);
  const d = j && (j.detail ?? (j.error && j.error.message) ?? j.message);
  if (d === undefined) return a.json === undefined ? cut(a.text.replace(/\s+/g, ' '), 80) : '(no detail)';
  return cut(typeof d === 'string' ? d : JSON.stringify(d), 120);
}

/** The usual shape of one answer, under a prefix. @param {string} p @param {Answer} a @returns {Shape} */
function answerShape(p, a) {
  return { [`${p}http`]: a.status, [`${p}body`]: bodyShape(a), [`${p}x-fal-request-id`]: has(a.headers, 'x-fal-request-id') };
}

/** @type {Observation} */
const credentialTest = {
  name: 'credential-test',
  title: "the credential test's request (storage upload initiate) with the key",
  async run(side) {
    const a = await side.call(KEY_CHECK.method, side.origins.storage + KEY_CHECK.url, { qs: KEY_CHECK.qs, body: KEY_CHECK.body });
    const scopeHeader = [...a.headers.keys()].find((h) => /scope/i.test(h));
    const scopeKey = a.json && typeof a.json === 'object' ? Object.keys(a.json).find((k) => /scope/i.test(k)) : undefined;
    const scope = scopeHeader ? `${scopeHeader}: ${a.headers.get(scopeHeader)}` : scopeKey ? `${scopeKey}: ${JSON.stringify(/** @type {any} */ (a.json)[scopeKey])}` : 'not said';
    return {
      shape: answerShape('', a),
      summary: `${a.status} ${bodyShape(a)}`,
      notes: [`${a.ms} ms; the key's scope: ${scope}${a.status >= 400 ? `; "${detailOf(a)}"` : ''}`],
    };
  },
};

/** @type {Observation} */
const pricing = {
  name: 'pricing',
  title: "the pricing call (the key's scope)",
  async run(side, ctx) {
    const a = await side.call('GET', side.origins.api + PRICING_PATH, { qs: { endpoint_id: ctx.model.endpoint } });
    const prices = /** @type {any} */ (a.json)?.prices;
    const price = Array.isArray(prices) ? prices.find((p) => p && p.endpoint_id === ctx.model.endpoint) : undefined;
    const notes = [`${a.ms} ms`];
    if (price && typeof price.unit_price === 'number') {
      if (side === ctx.target) ctx.livePrice = { unitPrice: price.unit_price, unit: String(price.unit ?? 'video') };
      notes.push(`${price.currency ?? ''} ${price.unit_price} per ${price.unit}; list price USD ${ctx.model.listUsd.toFixed(2)} per ${ctx.model.duration} s video`);
    } else if (a.status === 401 || a.status === 403) {
      notes.push(`refused (${a.status}): "${detailOf(a)}" — an API-scope key${a.status === 403 ? ', or a proxy in front of fal' : ''}?`);
    }
    return {
      shape: { ...answerShape('', a), 'content-type': mediaType(a.headers.get('content-type')) },
      summary: `${a.status} ${bodyShape(a)}`,
      notes,
    };
  },
};

/** @type {Observation} */
const invalidKey = {
  name: 'invalid-key',
  title: 'a wrong key on the queue (submit, status)',
  async run(side, ctx) {
    const sub = await ctx.submit(side, {}, { key: INVALID_KEY });
    const st = await side.call('GET', ctx.jobRef(side, randomUUID()).statusUrl, { key: INVALID_KEY, qs: { logs: '0' } });
    return {
      shape: { ...answerShape('submit ', sub), ...answerShape('status ', st) },
      summary: `submit ${sub.status}, status ${st.status} ${bodyShape(st)}`,
      notes: [`submit: "${detailOf(sub)}"; status: "${detailOf(st)}"`],
    };
  },
};

/** @type {Observation} */
const unknownRequest = {
  name: 'unknown-request',
  title: 'a request id that does not exist (status, result, cancel)',
  async run(side, ctx) {
    const ref = ctx.jobRef(side, randomUUID());
    const st = await side.call('GET', ref.statusUrl, { qs: { logs: '0' } });
    const res = await side.call('GET', ref.responseUrl);
    const can = await side.call('PUT', ref.cancelUrl);
    return {
      shape: { ...answerShape('status ', st), ...answerShape('result ', res), ...answerShape('cancel ', can) },
      summary: `status ${st.status}, result ${res.status}, cancel ${can.status}`,
      notes: [`status: "${detailOf(st)}"; result: "${detailOf(res)}"; cancel: ${cut(can.text, 60)}`],
    };
  },
};

/** @type {Observation} */
const unknownField = {
  name: 'unknown-field',
  title: 'a submit with an unknown field (prompt and image left out, so that it cannot run)',
  async run(side, ctx) {
    const a = await ctx.submit(side, { duration: ctx.model.duration, prompt_optimizer: true, [UNKNOWN_FIELD]: 'x' });
    const notes = [];
    const id = /** @type {any} */ (a.json)?.request_id;
    if (a.status < 300 && typeof id === 'string') {
      // accepted: validation happens later on this side; the job cannot run (no prompt), cancel it at once anyway
      const c = await side.call('PUT', ctx.jobRef(side, id).cancelUrl);
      notes.push(`accepted as job ${id}, cancelled at once (${c.status})`);
    }
    const detail = /** @type {any} */ (a.json)?.detail;
    const errors = Array.isArray(detail) ? detail.filter((e) => e && typeof e === 'object') : [];
    const named = errors.find((e) => Array.isArray(e.loc) && e.loc.includes(UNKNOWN_FIELD));
    if (a.status >= 300) notes.push(`${a.ms} ms; ${errors.map((e) => `${e.type} ${JSON.stringify(e.loc)}`).join(', ') || `"${detailOf(a)}"`}`);
    return {
      shape: {
        ...answerShape('', a),
        'error types': [...new Set(errors.map((e) => String(e.type)))].sort().join(',') || '(none)',
        'the unknown field': named ? `${named.type} at ${JSON.stringify(named.loc)}` : 'not named',
      },
      summary: `${a.status} ${named ? named.type : 'unknown field not named'}`,
      notes,
    };
  },
};

/** @type {Observation} */
const upload = {
  name: 'upload',
  title: 'the sample image uploaded to fal storage (initiate, PUT, read back)',
  async run(side, ctx) {
    const init = await side.call('POST', `${side.origins.storage}/storage/upload/initiate`, {
      qs: { storage_type: 'fal-cdn-v3' },
      body: { content_type: 'image/jpeg', file_name: 'live-frame.jpg' },
    });
    const j = /** @type {any} */ (init.json) || {};
    /** @type {Shape} */
    const shape = answerShape('initiate ', init);
    if (typeof j.upload_url !== 'string' || typeof j.file_url !== 'string') {
      return { shape, summary: `initiate ${init.status}, no upload URL`, notes: [`"${detailOf(init)}"`] };
    }
    // the signed upload URL and the file URL take no key (fal's client sends none)
    const put = await side.call('PUT', j.upload_url, { key: null, raw: ctx.image, headers: { 'content-type': 'image/jpeg' } });
    const read = await side.call('GET', j.file_url, { key: null });
    const same = read.status === 200 && read.bytes.equals(ctx.image);
    if (same) side.state.imageUrl = j.file_url;
    Object.assign(shape, {
      put: put.status,
      'read back': read.status,
      'read back content-type': mediaType(read.headers.get('content-type')),
      'same bytes': same,
    });
    return {
      shape,
      summary: `initiate ${init.status}, PUT ${put.status}, read ${read.status}${same ? ' (same bytes)' : ''}`,
      notes: [`${ctx.image.length} bytes; file on ${new URL(j.file_url).host}; initiate ${init.ms} ms, PUT ${put.ms} ms, read ${read.ms} ms`],
    };
  },
};

const FREE = [credentialTest, pricing, invalidKey, unknownRequest, unknownField, upload];

module.exports = { FREE, INVALID_KEY, UNKNOWN_FIELD, detailOf, answerShape };
