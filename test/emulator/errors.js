// @ts-check
'use strict';

/**
 * fal's error vocabulary, and the answers built from it (faults, failed jobs, the [emulator:fail=…] marker).
 *
 * fal has two kinds of error (fal's docs, "Model Errors" and "Request Errors"):
 * - a **model error** is the model's own answer: a `detail` list of `{loc, msg, type, url, ctx?, input?}` and the
 *   header `X-Fal-Retryable: true|false` ("whether retrying the exact same request might succeed"); fal's toolkit
 *   sets it on every model error it raises (false unless the model says otherwise);
 * - a **request error** is the platform's (timeouts, runners, the connection): a flat `{detail, error_type}` and the
 *   header `X-Fal-Error-Type` (the same value). A 504 after the submit's own `X-Fal-Request-Timeout` ran out also
 *   carries `X-Fal-Request-Timeout-Type: user`, which fal's client takes as "do not retry".
 * The emulator never mixes the two (*assumed*: fal's docs document each header for its own kind only).
 */

const { STATUS_CODES } = require('node:http');

const ERRORS_DOC = 'https://docs.fal.ai/errors';

/**
 * fal's request error types and their typical status (fal's docs, "Request Error Types").
 * @type {Record<string, { status: number, detail: string }>}
 */
const REQUEST_ERRORS = {
  request_timeout: { status: 504, detail: 'Request timed out' },
  startup_timeout: { status: 504, detail: 'The runner did not start within the allowed time' },
  runner_scheduling_failure: { status: 503, detail: 'No runner could be allocated to handle the request' },
  runner_connection_timeout: { status: 503, detail: 'The connection to the runner timed out' },
  runner_disconnected: { status: 503, detail: 'The runner disconnected unexpectedly during processing' },
  runner_connection_refused: { status: 503, detail: 'The runner refused the connection' },
  runner_connection_error: { status: 503, detail: 'A connection error occurred with the runner' },
  runner_incomplete_response: { status: 502, detail: 'The runner sent an incomplete response payload' },
  runner_server_error: { status: 500, detail: 'The runner encountered an internal server error' },
  client_disconnected: { status: 499, detail: 'The client closed the connection before the response was sent' },
  client_cancelled: { status: 499, detail: 'Request was cancelled' },
  bad_request: { status: 400, detail: 'The request was malformed' },
  internal_error: { status: 500, detail: 'An unexpected internal error occurred' },
};

/**
 * fal's model error types that are not about one input's value (fal's docs, "Model Errors"; the input-value types
 * such as image_too_small come from the runner, runner.js). `retryable`: what fal's page says the header carries
 * ('either': "can be true or false", the model decides).
 * @type {Record<string, { status: number, msg: string, retryable: boolean | 'either' }>}
 */
const MODEL_ERRORS = {
  internal_server_error: { status: 500, msg: 'Internal server error', retryable: 'either' },
  generation_timeout: { status: 504, msg: 'Generation timeout', retryable: 'either' },
  downstream_service_error: { status: 400, msg: 'Downstream service error', retryable: 'either' },
  downstream_service_unavailable: { status: 500, msg: 'Downstream service unavailable', retryable: 'either' },
  content_policy_violation: {
    status: 422,
    msg: 'The content could not be processed because it contained material flagged by a content checker.',
    retryable: false,
  },
  feature_not_supported: { status: 422, msg: 'Feature not supported', retryable: false },
};

/** The request error type a bare 5xx fault gets. @type {Record<number, string>} */
const DEFAULT_REQUEST_ERROR = {
  500: 'internal_error',
  502: 'runner_incomplete_response',
  503: 'runner_scheduling_failure',
  504: 'request_timeout',
};

/**
 * @typedef {object} ErrorAnswer  an error as the HTTP answer gives it
 * @property {number} status
 * @property {unknown} body
 * @property {Record<string, string>} headers
 */

/**
 * @typedef {object} ErrorOptions
 * @property {number} [status]       instead of the type's typical status
 * @property {boolean} [retryable]   X-Fal-Retryable (model errors: default false; request errors: only when given)
 * @property {'user'} [timeoutType] X-Fal-Request-Timeout-Type
 * @property {string} [detail]       request errors: the detail text; model errors: the msg
 */

/** Adds X-Fal-Retryable and X-Fal-Request-Timeout-Type as `o` asks. @param {ErrorOptions} o @param {Record<string, string>} headers */
function extraHeaders(o, headers) {
  if (o.retryable !== undefined) headers['x-fal-retryable'] = String(o.retryable);
  if (o.timeoutType) headers['x-fal-request-timeout-type'] = o.timeoutType;
  return headers;
}

/** A request (infrastructure) error. @param {string} type @param {ErrorOptions} [o] @returns {ErrorAnswer} */
function requestError(type, o = {}) {
  const known = REQUEST_ERRORS[type];
  const status = o.status ?? known?.status ?? 500;
  const detail = o.detail ?? known?.detail ?? `${STATUS_CODES[status] || 'Error'}`;
  return { status, body: { detail, error_type: type }, headers: extraHeaders(o, { 'x-fal-error-type': type }) };
}

/** A model error (a `detail` list). @param {string} type @param {ErrorOptions & { loc?: (string|number)[] }} [o] @returns {ErrorAnswer} */
function modelError(type, o = {}) {
  const known = MODEL_ERRORS[type];
  const status = o.status ?? known?.status ?? 422;
  const msg = o.detail ?? known?.msg ?? type;
  const detail = [{ loc: o.loc ?? ['body'], msg, type, url: `${ERRORS_DOC}#${type}` }];
  return { status, body: { detail }, headers: extraHeaders({ ...o, retryable: o.retryable ?? false }, {}) };
}

/**
 * The headers a job's failure carries on its result, from the shape of its body: a `detail` list is a model error
 * (X-Fal-Retryable: false unless the failure says otherwise: every input problem is), a flat `error_type` a request
 * error (X-Fal-Error-Type).
 * @param {{ body: unknown, errorType?: string, headers?: Record<string, string> }} f
 * @returns {Record<string, string>}
 */
function failureHeaders(f) {
  if (f.headers) return f.headers;
  const body = /** @type {{ detail?: unknown, error_type?: string }} */ (f.body);
  if (body && Array.isArray(body.detail)) return { 'x-fal-retryable': 'false' };
  const type = (body && body.error_type) || f.errorType;
  return type ? { 'x-fal-error-type': type } : {};
}

/** @typedef {import('./runner').Failure & { headers?: Record<string, string> }} JobFailure */

/**
 * A job failure from an error answer. @param {ErrorAnswer} a @returns {JobFailure}
 */
function jobFailure(a) {
  const body = /** @type {{ detail: unknown, error_type?: string }} */ (a.body);
  if (Array.isArray(body.detail)) {
    const first = /** @type {{ msg: string, type: string }} */ (body.detail[0]);
    return { status: a.status, body: a.body, headers: a.headers, message: first.msg, errorType: first.type };
  }
  return { status: a.status, body: a.body, headers: a.headers, message: String(body.detail), errorType: String(body.error_type) };
}

/**
 * The failure a type names: a model error type, or a request error type. Unknown types throw.
 * @param {string} type @param {ErrorOptions} [o] @returns {JobFailure}
 */
function failureOf(type, o = {}) {
  if (MODEL_ERRORS[type]) return jobFailure(modelError(type, o));
  if (REQUEST_ERRORS[type]) return jobFailure(requestError(type, o));
  throw new TypeError(`unknown fal error type ${type}: one of ${[...Object.keys(MODEL_ERRORS), ...Object.keys(REQUEST_ERRORS)].join(', ')}`);
}

/**
 * A prompt containing `[emulator:fail]` fails its job at the end of the generation with a model error 500
 * (internal_server_error, "Generation failed (emulator)", X-Fal-Retryable: false); `[emulator:fail=TYPE]` with that
 * fal error type (model or request), `[emulator:fail=TYPE,retryable]` with X-Fal-Retryable: true.
 */
const FAIL_MARKER = /\[emulator:fail(?:=([a-z_]+)(,retryable)?)?\]/;

/** The failure a prompt asks for, or null. @param {unknown} prompt @returns {JobFailure | null} */
function markerFailure(prompt) {
  const m = typeof prompt === 'string' ? FAIL_MARKER.exec(prompt) : null;
  if (!m) return null;
  if (!m[1]) return jobFailure(modelError('internal_server_error', { detail: 'Generation failed (emulator)', retryable: m[2] !== undefined }));
  try {
    return failureOf(m[1], m[2] ? { retryable: true } : {});
  } catch (e) {
    const detail = `emulator: ${e instanceof Error ? e.message : String(e)}`;
    return { status: 500, body: { detail }, headers: {}, message: detail, errorType: 'emulator_error' };
  }
}

module.exports = {
  REQUEST_ERRORS, MODEL_ERRORS, DEFAULT_REQUEST_ERROR, ERRORS_DOC, requestError, modelError, extraHeaders, failureHeaders, failureOf,
  markerFailure, FAIL_MARKER,
};
