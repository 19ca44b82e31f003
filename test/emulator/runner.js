// @ts-check
'use strict';

/**
 * What the model's runner does when a job starts, before it generates anything: with validation 'runner' it
 * validates the input; then it refuses what the model itself refuses (a row's `runnerCheck`), reads every image
 * field for real (fetch-url.js) and checks the image against the model's limits (image.js). Any problem becomes
 * the job's failure: a 422 in fal's detail shape.
 */

const { validateInput, withDefaults } = require('./schema');
const { checkImage } = require('./image');
const { fetchUrl } = require('./fetch-url');
const { MODEL_LIMITS } = require('./schema');

const ERRORS_DOC = 'https://docs.fal.ai/errors';

/** @typedef {{ status: number, body: unknown, message: string, errorType: string }} Failure */

/**
 * @param {import('./schema').EndpointSpec} ep
 * @param {Record<string, unknown>} input
 * @param {{ validation: 'submit' | 'runner', fetchTimeoutMs: number, signal?: AbortSignal }} opts
 * @returns {Promise<Failure | null>}
 */
async function prepareJob(ep, input, opts) {
  if (opts.validation === 'runner') {
    const errors = validateInput(ep, input);
    if (errors.length) {
      return {
        status: 422,
        body: { detail: errors },
        message: errors.map((e) => `${e.loc.join('.')}: ${e.msg}`).join('; '),
        errorType: errors[0].type,
      };
    }
  }
  const refused = ep.runnerCheck ? ep.runnerCheck(withDefaults(ep, input)) : null;
  if (refused) {
    const detail = [{ loc: ['body', refused.field], msg: refused.msg, type: refused.type, input: input[refused.field] }];
    return { status: 422, body: { detail }, message: refused.msg, errorType: refused.type };
  }
  const fields = Object.entries(ep.fields).filter(([name, spec]) => spec.type === 'string' && spec.image && typeof input[name] === 'string');
  const problems = await Promise.all(fields.map(([name]) => checkImageUrl(String(input[name]), opts)));
  for (let i = 0; i < fields.length; i += 1) {
    const problem = problems[i];
    if (!problem) continue;
    const [field] = fields[i];
    const detail = [{
      loc: ['body', field],
      msg: problem.msg,
      type: problem.type,
      url: `${ERRORS_DOC}#${problem.type}`,
      input: input[field],
      ...(problem.ctx ? { ctx: problem.ctx } : {}),
    }];
    return { status: 422, body: { detail }, message: problem.msg, errorType: problem.type };
  }
  return null;
}

/**
 * @param {string} url @param {{ fetchTimeoutMs: number, signal?: AbortSignal }} opts
 * @returns {Promise<{ type: string, msg: string, ctx?: Record<string, unknown> } | null>}
 */
async function checkImageUrl(url, opts) {
  const got = await fetchUrl(url, { timeoutMs: opts.fetchTimeoutMs, maxBytes: MODEL_LIMITS.imageMaxBytes, signal: opts.signal });
  if ('error' in got) {
    return { type: 'file_download_error', msg: `Failed to download the file. Please check if the URL is accessible. (${got.error})` };
  }
  if ('tooLarge' in got) {
    return { type: 'file_too_large', msg: 'File size exceeds the maximum allowed size', ctx: { max_size: MODEL_LIMITS.imageMaxBytes } };
  }
  return checkImage(got.bytes);
}

module.exports = { prepareJob, ERRORS_DOC };
