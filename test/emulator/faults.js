// @ts-check
'use strict';

/**
 * One-shot faults, consumed in order by the first matching call (after the key was checked, on routes that need one).
 *
 * @typedef {object} FaultSpec
 * @property {string} route          one of ROUTES
 * @property {number} [times]        how many matching calls (or, for 'webhook', deliveries) it hits (default 1)
 * @property {number} [status]       answer this HTTP status instead of the normal answer
 * @property {unknown} [body]        JSON body for that answer (default {"detail": "<status text> (emulator fault)"})
 * @property {Record<string, string>} [headers]  extra response headers, e.g. {'retry-after': '1'} or a redirect's location
 * @property {number} [delayMs]      wait this long first (alone: a slow but normal answer; 'webhook': a late delivery)
 * @property {boolean} [reset]       destroy the socket without answering
 * @property {boolean} [afterAccept] submit only: create the job, then destroy the socket (the ambiguous case)
 * @property {number} [lateAnswerMs] submit only: create the job, then answer normally this much later (the answer is
 *   still on its way when, say, n8n's Stop is pressed)
 * @property {number} [cutAfterBytes] cdn/file/sample/stream: send the headers and this many body bytes, then destroy the socket
 * @property {number} [stallAfterBytes] cdn/file/sample/stream: send the headers and this many body bytes, then nothing
 *   more, the socket left open (until the client gives up or the emulator closes)
 * @property {number} [endAfterBytes] cdn only: answer without a Content-Length (chunked) and end the body cleanly
 *   after this many bytes (a proxy that shortens the file without saying so)
 * @property {boolean} [withoutFileSize]  result only: the answer's file has no file_size
 * @property {boolean} [silent]      stream only: answer 200 with SSE headers and never send anything (a dead stream)
 * @property {boolean} [commentsOnly] stream only: answer 200, send fal's keep-alive comments, never an event (alive)
 * @property {boolean} [duplicate]   webhook only: deliver the same body twice
 * @property {boolean} [signGatewayId]  webhook only: a gateway_request_id other than request_id (fal retried the job
 *   inside its infrastructure), and the signed x-fal-webhook-request-id header carries the gateway id
 * @property {string} [payloadError] webhook only: `payload: null` and this `payload_error` (fal could not serialise it)
 * @property {string} [userId]       webhook only: signed for this fal user id instead of the emulator's own
 * @property {string} [errorType]    a fal request error (errors.js REQUEST_ERRORS): its status unless `status` is given,
 *   body {detail, error_type}, header X-Fal-Error-Type
 * @property {string} [modelError]   a fal model error (errors.js MODEL_ERRORS): its status unless `status` is given,
 *   body {detail: [{loc, msg, type, url}]}, header X-Fal-Retryable (`retryable`, default false)
 * @property {boolean} [retryable]   the header X-Fal-Retryable: true|false on the error answer
 * @property {'user'} [timeoutType]  the header X-Fal-Request-Timeout-Type (a 504 after the client's own
 *   X-Fal-Request-Timeout: fal's client does not retry it)
 *
 * Route 'job' (not an HTTP call): the next job the runner picks up fails with `errorType` or `modelError` (one of
 * them; `retryable`, `timeoutType`, `status` as above): status COMPLETED with error and error_type, the result the
 * error answer, not billed.
 */

const { STATUS_CODES } = require('node:http');
const { REQUEST_ERRORS, MODEL_ERRORS, DEFAULT_REQUEST_ERROR, requestError, modelError, extraHeaders } = require('./errors');

const ROUTES = new Set([
  'submit', 'status', 'stream', 'result', 'cancel', 'initiate', 'upload', 'file', 'cdn', 'pricing', 'models', 'sample',
  'webhook', 'job', 'jwks',
]);
const BODY_ROUTES = new Set(['cdn', 'file', 'sample', 'stream']);
const WEBHOOK_KEYS = new Set(['route', 'times', 'delayMs', 'duplicate', 'signGatewayId', 'payloadError', 'userId']);
const JOB_KEYS = new Set(['route', 'times', 'errorType', 'modelError', 'retryable', 'timeoutType', 'status']);

/** Default x-fal-error-type per 5xx status (fal's documented request error types). */
const ERROR_TYPES = DEFAULT_REQUEST_ERROR;

/** Checks errorType / modelError / retryable / timeoutType, and fills `status` from the type. @param {FaultSpec} s */
function normalizeError(s) {
  if (s.errorType !== undefined && s.modelError !== undefined) throw new TypeError('a fault takes errorType or modelError, not both');
  if (s.errorType !== undefined && !REQUEST_ERRORS[s.errorType]) {
    throw new TypeError(`errorType must be one of fal's request error types: ${Object.keys(REQUEST_ERRORS).join(', ')}`);
  }
  if (s.modelError !== undefined && !MODEL_ERRORS[s.modelError]) {
    throw new TypeError(`modelError must be one of ${Object.keys(MODEL_ERRORS).join(', ')}`);
  }
  if (s.retryable !== undefined && typeof s.retryable !== 'boolean') throw new TypeError('retryable must be true or false');
  if (s.timeoutType !== undefined && s.timeoutType !== 'user') throw new TypeError("timeoutType must be 'user'");
  if (s.route === 'job') {
    const extra = Object.keys(s).filter((k) => !JOB_KEYS.has(k));
    if (extra.length) throw new TypeError(`a job fault takes only ${[...JOB_KEYS].join(', ')}; got ${extra.join(', ')}`);
    if (s.errorType === undefined && s.modelError === undefined) throw new TypeError('a job fault needs errorType or modelError');
  }
  const type = s.errorType ?? s.modelError;
  const known = type && (REQUEST_ERRORS[type] || MODEL_ERRORS[type]);
  return known && s.status === undefined ? { ...s, status: known.status } : s;
}

/**
 * The answer of a fault with a status: a model error, a request error (a bare 5xx gets its default type), or a plain
 * `{detail}`; the fault's `body` replaces the body. Headers X-Fal-Error-Type / X-Fal-Retryable /
 * X-Fal-Request-Timeout-Type as the fault says (a header in the fault's own `headers` wins).
 * @param {FaultSpec & { status: number }} f @returns {{ body: unknown, headers: Record<string, string> }}
 */
function faultAnswer(f) {
  const s = f.status;
  const opts = { status: s, retryable: f.retryable, timeoutType: f.timeoutType };
  /** @type {{ body: unknown, headers: Record<string, string> }} */
  let a;
  if (f.modelError) {
    a = modelError(f.modelError, opts);
  } else {
    const type = f.errorType ?? (s >= 500 ? ERROR_TYPES[s] || 'internal_error' : undefined);
    const detail = f.errorType ? undefined : `${STATUS_CODES[s] || 'Error'} (emulator fault)`;
    a = type ? requestError(type, { ...opts, detail }) : { body: { detail }, headers: extraHeaders(opts, {}) };
  }
  const own = new Set(Object.keys(f.headers || {}).map((k) => k.toLowerCase()));
  const headers = Object.fromEntries(Object.entries(a.headers).filter(([k]) => !own.has(k)));
  return { body: f.body !== undefined ? f.body : a.body, headers };
}

/** @param {unknown} spec @returns {FaultSpec & { remaining: number }} */
function normalize(spec) {
  if (!spec || typeof spec !== 'object') throw new TypeError('fault spec must be an object');
  const s = /** @type {FaultSpec} */ (spec);
  if (!ROUTES.has(s.route)) throw new TypeError(`fault route must be one of ${[...ROUTES].join(', ')}; got ${s.route}`);
  if (s.afterAccept && s.route !== 'submit') throw new TypeError('afterAccept applies to route "submit" only');
  if (s.lateAnswerMs !== undefined) {
    if (s.route !== 'submit') throw new TypeError('lateAnswerMs applies to route "submit" only');
    if (!(typeof s.lateAnswerMs === 'number' && s.lateAnswerMs >= 0)) throw new TypeError('lateAnswerMs must be a number >= 0');
  }
  for (const k of /** @type {const} */ (['cutAfterBytes', 'stallAfterBytes'])) {
    if (s[k] === undefined) continue;
    if (!BODY_ROUTES.has(s.route)) throw new TypeError(`${k} applies to routes ${[...BODY_ROUTES].join(', ')} only`);
    if (!(Number.isInteger(s[k]) && s[k] >= 0)) throw new TypeError(`${k} must be an integer >= 0`);
  }
  if (s.silent && s.route !== 'stream') throw new TypeError('silent applies to route "stream" only');
  if (s.commentsOnly && s.route !== 'stream') throw new TypeError('commentsOnly applies to route "stream" only');
  if (s.endAfterBytes !== undefined && (s.route !== 'cdn' || !(Number.isInteger(s.endAfterBytes) && s.endAfterBytes >= 0))) {
    throw new TypeError('endAfterBytes applies to route "cdn" only, as an integer >= 0');
  }
  if (s.withoutFileSize && s.route !== 'result') throw new TypeError('withoutFileSize applies to route "result" only');
  if (s.duplicate && s.route !== 'webhook') throw new TypeError('duplicate applies to route "webhook" only');
  if (s.route === 'webhook') {
    const extra = Object.keys(s).filter((k) => !WEBHOOK_KEYS.has(k));
    if (extra.length) throw new TypeError(`a webhook fault takes only ${[...WEBHOOK_KEYS].slice(1).join(', ')}; got ${extra.join(', ')}`);
    for (const k of /** @type {const} */ (['payloadError', 'userId'])) {
      if (s[k] !== undefined && !(typeof s[k] === 'string' && s[k] !== '')) throw new TypeError(`${k} must be a non-empty string`);
    }
  } else if (['signGatewayId', 'payloadError', 'userId'].some((k) => k in s)) {
    throw new TypeError('signGatewayId, payloadError and userId apply to route "webhook" only');
  }
  if (s.delayMs !== undefined && !(typeof s.delayMs === 'number' && s.delayMs >= 0)) throw new TypeError('delayMs must be a number >= 0');
  if (s.status !== undefined && !(Number.isInteger(s.status) && s.status >= 200 && s.status <= 599)) {
    throw new TypeError(`fault status must be an HTTP status; got ${s.status}`);
  }
  const times = s.times === undefined ? 1 : s.times;
  if (!(Number.isInteger(times) && times >= 1)) throw new TypeError('fault times must be a positive integer');
  return { ...normalizeError(s), remaining: times };
}

class FaultQueue {
  constructor() {
    /** @type {(FaultSpec & { remaining: number })[]} */
    this.items = [];
  }

  /** @param {unknown} spec */
  add(spec) {
    const list = Array.isArray(spec) ? spec : [spec];
    const normalized = list.map(normalize); // validate all before queueing any
    this.items.push(...normalized);
    return normalized.length;
  }

  clear() {
    this.items.length = 0;
  }

  /** The first queued fault for this route, without consuming it. @param {string} route */
  peek(route) {
    return this.items.find((f) => f.route === route);
  }

  /** Consumes one use of the first queued fault for this route. @param {string} route @returns {FaultSpec | undefined} */
  take(route) {
    const i = this.items.findIndex((f) => f.route === route);
    if (i < 0) return undefined;
    const f = this.items[i];
    f.remaining -= 1;
    if (f.remaining <= 0) this.items.splice(i, 1);
    const { remaining, ...spec } = f;
    return spec;
  }

  /** Queued faults (copies), for the admin endpoint. */
  list() {
    return this.items.map((f) => ({ ...f }));
  }
}

module.exports = { FaultQueue, ERROR_TYPES, faultAnswer };
