// @ts-check
'use strict';

/**
 * How long fal keeps a job's result and its video file, and the emulator's clock that tests move past them.
 *
 * fal's "Get request result" page: "fal keeps the result for 1 hour after the request completes. If the result is
 * 10 KB or larger, fal keeps it for 6 minutes. If payload storage is on, the result stays available for the storage
 * period." Payload storage is on by default, for 30 days (fal's "Data Retention & Storage" page), and off with the
 * submit header `X-Fal-Store-IO: 0`. The video file on fal's CDN lives until its lifecycle ends
 * (`X-Fal-Object-Lifecycle-Preference: {"expiration_duration_seconds": N}`; none by default), whatever became of
 * the result.
 *
 * Past its retention a job is gone: status, stream, result and cancel answer 404 exactly as for an id fal never
 * gave (*assumed*: fal's docs do not say what they answer; the stricter reading). Past its lifecycle the CDN file
 * answers 404 (*assumed* likewise).
 */

const HOUR_MS = 60 * 60 * 1000;
/** The result of a job submitted with X-Fal-Store-IO: 0 is kept this long after the job ends... */
const RESULT_RETENTION_MS = HOUR_MS;
/** ...or this long when the result is LARGE_RESULT_BYTES or larger. */
const LARGE_RESULT_RETENTION_MS = 6 * 60 * 1000;
/** "10 KB": 10,000 bytes (the stricter of 10 KB and 10 KiB: more results count as large). */
const LARGE_RESULT_BYTES = 10 * 1000;
/** Payload storage (the default): the request's input and result are kept 30 days. */
const PAYLOAD_STORAGE_MS = 30 * 24 * HOUR_MS;

/** @typedef {import('./queue').Job} Job */

/**
 * What the submit's X-Fal-Object-Lifecycle-Preference asked for.
 * @typedef {object} Lifecycle
 * @property {string} header   the header as it came
 * @property {number | null} [expirationSeconds]  the file is deleted this long after the job ends (null: never)
 * @property {unknown} [initialAcl]  recorded, not enforced
 * @property {string} [ignored]  why the header changes nothing (fal's runner drops a preference it cannot parse)
 */

/**
 * Reads the header as fal's runner does (fal's toolkit, `get_lifecycle_preference`: JSON, or nothing when it does
 * not parse). A JSON object whose `expiration_duration_seconds` is neither a positive number nor null is ignored
 * too (*assumed*: fal's pages document only those two).
 * @param {string} raw @returns {Lifecycle}
 */
function parseLifecycle(raw) {
  /** @type {unknown} */
  let v;
  try {
    v = JSON.parse(raw);
  } catch {
    return { header: raw, ignored: 'not JSON' };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { header: raw, ignored: 'not a JSON object' };
  const o = /** @type {Record<string, unknown>} */ (v);
  /** @type {Lifecycle} */
  const out = { header: raw };
  if ('initial_acl' in o) out.initialAcl = o.initial_acl;
  if (!('expiration_duration_seconds' in o)) return { ...out, ignored: 'no expiration_duration_seconds' };
  const s = o.expiration_duration_seconds;
  if (s === null) return { ...out, expirationSeconds: null };
  if (typeof s === 'number' && Number.isFinite(s) && s > 0) return { ...out, expirationSeconds: s };
  return { ...out, ignored: 'expiration_duration_seconds is not a positive number or null' };
}

/** How long fal keeps a result. @param {boolean} storeIo @param {number} resultBytes */
function retentionMs(storeIo, resultBytes) {
  if (storeIo) return PAYLOAD_STORAGE_MS;
  return resultBytes >= LARGE_RESULT_BYTES ? LARGE_RESULT_RETENTION_MS : RESULT_RETENTION_MS;
}

/** The emulator's clock (wall clock plus an offset a test moves forward) and the retention of every job. */
class Retention {
  constructor() {
    this.offsetMs = 0;
  }

  /** The emulator's time: retention and lifecycles are judged by it. */
  now() {
    return Date.now() + this.offsetMs;
  }

  /** Moves the clock forward (jobs keep running on the wall clock). @param {number} ms */
  advance(ms) {
    if (!(typeof ms === 'number' && Number.isFinite(ms) && ms >= 0)) throw new TypeError('advance: ms must be a number >= 0');
    this.offsetMs += ms;
    return this.offsetMs;
  }

  reset() {
    this.offsetMs = 0;
  }

  /**
   * Records the submit's X-Fal-Store-IO and X-Fal-Object-Lifecycle-Preference on the job.
   * @param {Job} job @param {import('node:http').IncomingHttpHeaders} headers
   */
  recordSubmit(job, headers) {
    const store = headers['x-fal-store-io'];
    if (typeof store === 'string') job.storeIoHeader = store;
    job.storeIo = !(typeof store === 'string' && store.trim() === '0'); // fal documents "0" to turn it off
    const lifecycle = headers['x-fal-object-lifecycle-preference'];
    if (typeof lifecycle === 'string') job.lifecycle = parseLifecycle(lifecycle);
  }

  /**
   * The job has ended: when its result and its file go. @param {Job} job @param {number} resultBytes
   */
  settle(job, resultBytes) {
    const end = job.completedAt ?? Date.now();
    job.resultExpiresAt = end + retentionMs(job.storeIo !== false, resultBytes);
    const s = job.lifecycle?.expirationSeconds;
    if (job.output && typeof s === 'number') job.fileExpiresAt = end + s * 1000;
  }

  /** Whether fal has let the job go (its result past retention). @param {Job} job */
  isGone(job) {
    return job.resultExpiresAt !== undefined && this.now() >= job.resultExpiresAt;
  }

  /** Whether the job's CDN file has been deleted. @param {Job} job */
  isFileGone(job) {
    return job.fileExpiresAt !== undefined && this.now() >= job.fileExpiresAt;
  }

  /** Moves an ended job past its retention (emu.expire). @param {Job} job */
  expire(job) {
    if (job.completedAt === undefined) throw new Error(`job ${job.requestId} has not ended: only an ended job's result expires`);
    job.resultExpiresAt = this.now();
  }

  /** Moves a job's video file past its lifecycle (emu.expireFile). @param {Job} job */
  expireFile(job) {
    if (!job.output) throw new Error(`job ${job.requestId} has no video file`);
    job.fileExpiresAt = this.now();
  }
}

module.exports = {
  Retention, parseLifecycle, retentionMs, RESULT_RETENTION_MS, LARGE_RESULT_RETENTION_MS, LARGE_RESULT_BYTES,
  PAYLOAD_STORAGE_MS,
};
