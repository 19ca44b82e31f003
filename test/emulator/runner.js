// @ts-check
'use strict';

/**
 * What the model's runner does when a job starts, before it generates anything: with validation 'runner' it
 * validates the input; then it refuses what the model itself refuses (a row's `runnerCheck`), reads every image
 * field for real (fetch-url.js: `image_url`, `end_image_url`, each of `reference_image_urls`) and checks each image
 * against the model's limits (image.js). Any problem becomes the job's failure: a 422 in fal's detail shape. The
 * reference images it read are counted in tokens (what fal bills beyond those included).
 */

const { validateInput, withDefaults, referenceTokens, MODEL_LIMITS } = require('./schema');
const { checkImage, sniffImage } = require('./image');
const { fetchUrl } = require('./fetch-url');

const ERRORS_DOC = 'https://docs.fal.ai/errors';

/** @typedef {{ status: number, body: unknown, message: string, errorType: string }} Failure */
/** @typedef {{ referenceTokens: number }} Usage  what the runner measured of the inputs, for the bill */

/**
 * @param {import('./schema').EndpointSpec} ep
 * @param {Record<string, unknown>} input
 * @param {{ validation: 'submit' | 'runner', fetchTimeoutMs: number, signal?: AbortSignal, onUsage?: (u: Usage) => void }} opts
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
  const images = imageInputs(ep, input);
  const read = await Promise.all(images.map((img) => checkImageUrl(img.url, opts)));
  for (let i = 0; i < images.length; i += 1) {
    const { problem } = read[i];
    if (!problem) continue;
    const detail = [{
      loc: images[i].loc,
      msg: problem.msg,
      type: problem.type,
      url: `${ERRORS_DOC}#${problem.type}`,
      input: images[i].url,
      ...(problem.ctx ? { ctx: problem.ctx } : {}),
    }];
    return { status: 422, body: { detail }, message: problem.msg, errorType: problem.type };
  }
  if (opts.onUsage) {
    let tokens = 0;
    images.forEach((img, i) => {
      const info = read[i].info;
      if (img.reference && info) tokens += referenceTokens(info.width, info.height);
    });
    opts.onUsage({ referenceTokens: tokens });
  }
  return null;
}

/**
 * Every image URL of the input, with its location in fal's `loc` terms.
 * @param {import('./schema').EndpointSpec} ep @param {Record<string, unknown>} input
 * @returns {{ loc: (string | number)[], url: string, reference: boolean }[]}
 */
function imageInputs(ep, input) {
  /** @type {{ loc: (string | number)[], url: string, reference: boolean }[]} */
  const out = [];
  for (const [name, spec] of Object.entries(ep.fields)) {
    const v = input[name];
    if (spec.type === 'string' && spec.image && typeof v === 'string') out.push({ loc: ['body', name], url: v, reference: false });
    if (spec.type === 'list' && spec.image && Array.isArray(v)) {
      v.forEach((u, i) => {
        if (typeof u === 'string') out.push({ loc: ['body', name, i], url: u, reference: true });
      });
    }
  }
  return out;
}

/**
 * @param {string} url @param {{ fetchTimeoutMs: number, signal?: AbortSignal }} opts
 * @returns {Promise<{ problem: { type: string, msg: string, ctx?: Record<string, unknown> } | null, info?: import('./image').ImageInfo | null }>}
 */
async function checkImageUrl(url, opts) {
  const got = await fetchUrl(url, { timeoutMs: opts.fetchTimeoutMs, maxBytes: MODEL_LIMITS.imageMaxBytes, signal: opts.signal });
  if ('error' in got) {
    return { problem: { type: 'file_download_error', msg: `Failed to download the file. Please check if the URL is accessible. (${got.error})` } };
  }
  if ('tooLarge' in got) {
    return { problem: { type: 'file_too_large', msg: 'File size exceeds the maximum allowed size', ctx: { max_size: MODEL_LIMITS.imageMaxBytes } } };
  }
  return { problem: checkImage(got.bytes), info: sniffImage(got.bytes) };
}

module.exports = { prepareJob, ERRORS_DOC };
