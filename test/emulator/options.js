// @ts-check
'use strict';

/** startEmulator's options: defaults and checks (a bad option throws a TypeError at once). */

/**
 * @typedef {object} EmulatorOptions
 * @property {string} [apiKey]       a key of API scope (fal's default scope: models, queue, storage; not the
 *   platform's admin calls); default 'test-key'
 * @property {string} [adminKey]     a second accepted key, of ADMIN scope (also the pricing call); default none
 * @property {'on-change' | 'at-once'} [streamFirstEvent]  whether the status stream starts with the job's current
 *   status ('at-once') or sends only changes ('on-change', the default: fal's docs do not promise a first event)
 * @property {number} [port]         0 = a random free port (default); the host is always 127.0.0.1
 * @property {number} [queueMs]      least time a job stays IN_QUEUE (default 50)
 * @property {number} [progressMs]   time a job stays IN_PROGRESS, from its start (default 150; never before the
 *   runner has read its image)
 * @property {number} [cancelMs]     time a running job takes to stop after a cancel (default 100)
 * @property {'stop' | 'ignore'} [inProgressCancel]  what the runner does when a cancel asks it to stop: 'stop'
 *   (default: it ends COMPLETED with the cancellation error after cancelMs) or 'ignore' (fal documents that stopping
 *   is up to the app: the job goes on to its video, billed)
 * @property {number} [concurrency]  most jobs IN_PROGRESS at once, like a fal account's limit (default 0 = no limit)
 * @property {boolean} [reportQueuePosition]  whether submit and status answers carry queue_position (default true;
 *   false: a queue whose position says nothing, so that only the jobs' own moves show progress)
 * @property {number} [videoBytes]   size of the served video: the fixture MP4 plus one `free` box of padding
 * @property {number} [cdnBytesPerSec]  pace CDN downloads at this rate (default 0 = as fast as possible)
 * @property {number} [latencyMs]    extra delay before every HTTP answer (default 0)
 * @property {number} [imageFetchTimeoutMs]  the runner's deadline to fetch an image URL (default 5000)
 * @property {number} [webhookRetryMs]  first retry delay of a failed webhook delivery, doubling (default 500)
 * @property {'submit' | 'runner'} [validation]  where input validation 422s appear: at submit (default), or as
 *   the job's failure after queueing (result 422), for testing both behaviours
 * @property {number} [streamKeepAliveMs]  the status stream's keep-alive comment comes this often while the stream
 *   is open (default 15000, fal's figure; 0 = never)
 * @property {boolean} [pricingNeedsAdmin]  the pricing call refuses API-scope keys with 403, as fal's older API
 *   reference had it (default false: fal's current pricing page takes any valid key)
 */

/** @typedef {Required<Omit<EmulatorOptions, 'videoBytes'>> & { videoBytes?: number }} ResolvedOptions */

/** @param {unknown} v @param {string} name @param {number} dflt */
function nonNegative(v, name, dflt) {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TypeError(`${name} must be a number >= 0`);
  return v;
}

/**
 * @template {string} T
 * @param {unknown} v @param {string} name @param {readonly T[]} allowed @returns {T}
 */
function oneOf(v, name, allowed) {
  if (v === undefined) return allowed[0];
  if (!allowed.includes(/** @type {T} */ (v))) throw new TypeError(`${name} must be ${allowed.map((a) => `'${a}'`).join(' or ')}`);
  return /** @type {T} */ (v);
}

/** @param {EmulatorOptions} opts @returns {ResolvedOptions} */
function resolveOptions(opts) {
  const known = new Set(['apiKey', 'adminKey', 'streamFirstEvent', 'reportQueuePosition', 'port', 'queueMs', 'progressMs', 'cancelMs', 'inProgressCancel', 'concurrency',
    'videoBytes', 'cdnBytesPerSec', 'latencyMs', 'imageFetchTimeoutMs', 'webhookRetryMs', 'validation', 'streamKeepAliveMs',
    'pricingNeedsAdmin']);
  const unknown = Object.keys(opts).filter((k) => !known.has(k));
  if (unknown.length) throw new TypeError(`unknown emulator option ${unknown.join(', ')}`);
  const o = {
    apiKey: opts.apiKey === undefined ? 'test-key' : opts.apiKey,
    adminKey: opts.adminKey === undefined ? '' : opts.adminKey,
    streamFirstEvent: oneOf(opts.streamFirstEvent, 'streamFirstEvent', /** @type {const} */ (['on-change', 'at-once'])),
    port: nonNegative(opts.port, 'port', 0),
    queueMs: nonNegative(opts.queueMs, 'queueMs', 50),
    progressMs: nonNegative(opts.progressMs, 'progressMs', 150),
    cancelMs: nonNegative(opts.cancelMs, 'cancelMs', 100),
    inProgressCancel: oneOf(opts.inProgressCancel, 'inProgressCancel', /** @type {const} */ (['stop', 'ignore'])),
    concurrency: nonNegative(opts.concurrency, 'concurrency', 0),
    reportQueuePosition: opts.reportQueuePosition === undefined ? true : opts.reportQueuePosition === true,
    videoBytes: opts.videoBytes,
    cdnBytesPerSec: nonNegative(opts.cdnBytesPerSec, 'cdnBytesPerSec', 0),
    latencyMs: nonNegative(opts.latencyMs, 'latencyMs', 0),
    imageFetchTimeoutMs: nonNegative(opts.imageFetchTimeoutMs, 'imageFetchTimeoutMs', 5000),
    webhookRetryMs: nonNegative(opts.webhookRetryMs, 'webhookRetryMs', 500),
    validation: oneOf(opts.validation, 'validation', /** @type {const} */ (['submit', 'runner'])),
    streamKeepAliveMs: nonNegative(opts.streamKeepAliveMs, 'streamKeepAliveMs', 15000),
    pricingNeedsAdmin: opts.pricingNeedsAdmin === undefined ? false : opts.pricingNeedsAdmin,
  };
  if (typeof o.pricingNeedsAdmin !== 'boolean') throw new TypeError('pricingNeedsAdmin must be true or false');
  if (!o.apiKey || typeof o.apiKey !== 'string') throw new TypeError('apiKey must be a non-empty string');
  if (typeof o.adminKey !== 'string' || o.adminKey === o.apiKey) throw new TypeError('adminKey must be a string other than apiKey');
  if (!Number.isInteger(o.concurrency)) throw new TypeError('concurrency must be an integer >= 0');
  return o;
}

module.exports = { resolveOptions };
