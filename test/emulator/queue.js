// @ts-check
'use strict';

/**
 * The job store and its state machine: IN_QUEUE -> IN_PROGRESS -> COMPLETED (with output or error), or CANCELLED.
 * No HTTP here; queue-routes.js speaks the protocol.
 */

const { randomUUID } = require('node:crypto');
const { validateInput, withDefaults } = require('./schema');
const { checkImage } = require('./image');

const FAIL_MARKER = '[emulator:fail]';
const ERRORS_DOC = 'https://docs.fal.ai/errors';

/** @typedef {import('./schema').EndpointSpec} EndpointSpec */
/** @typedef {import('./timers').Timers} Timers */

/**
 * @typedef {object} Job  what emu.jobs holds
 * @property {string} requestId
 * @property {string} endpoint
 * @property {Record<string, unknown>} input
 * @property {'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED' | 'CANCELLED'} status
 * @property {string} [error]
 * @property {string} [errorType]
 * @property {number} submittedAt
 * @property {number} [startedAt]
 * @property {number} [completedAt]
 * @property {boolean} fetched        the result was fetched after the job ended
 * @property {number} resultFetches   how many times
 * @property {string} [webhookUrl]    fal_webhook of the submit (recorded, not called)
 * @property {Record<string, unknown>} [output]
 */

/**
 * @typedef {object} JobInternals
 * @property {EndpointSpec} ep
 * @property {NodeJS.Timeout | undefined} timer
 * @property {Set<(job: Job | null) => void>} listeners
 * @property {{ message: string, level: string, source: string, timestamp: string }[]} logs
 * @property {{ status: number, body: unknown, errorType?: string } | undefined} resultError
 */

/**
 * @typedef {object} ImageFetch   what the "model" got when it fetched an image URL
 * @property {Buffer} [bytes]     the image (emulator-hosted file or data: URI)
 * @property {string} [error]     it could not be fetched
 * (neither: an external URL, accepted as-is)
 */

/**
 * @typedef {object} Stats
 * @property {number} submits
 * @property {number} accepted
 * @property {number} rejected
 * @property {number} cancelled
 * @property {number} completed
 * @property {number} failed
 * @property {number} maxInFlight
 * @property {number} uploads
 * @property {number} downloads
 * @property {number} duplicates
 * @property {number} inFlight
 */

/** @returns {Stats} */
function emptyStats() {
  return {
    submits: 0, accepted: 0, rejected: 0, cancelled: 0, completed: 0, failed: 0,
    maxInFlight: 0, uploads: 0, downloads: 0, duplicates: 0, inFlight: 0,
  };
}

/** JSON with sorted keys, to compare inputs. @param {unknown} v @returns {string} */
function stableStringify(v) {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = /** @type {Record<string, unknown>} */ (v);
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

class JobQueue {
  /**
   * @param {object} opts
   * @param {number} opts.queueMs
   * @param {number} opts.progressMs
   * @param {() => string} opts.baseUrl
   * @param {() => number} opts.videoSize
   * @param {(url: string) => ImageFetch} opts.fetchImage
   * @param {'submit' | 'runner'} opts.validation
   * @param {Timers} opts.timers
   * @param {Stats} opts.stats
   */
  constructor(opts) {
    this.opts = opts;
    /** @type {Map<string, Job>} */
    this.jobs = new Map();
    /** @type {Map<string, JobInternals>} */
    this.internals = new Map();
    /** @type {Set<string>} */
    this.seenInputs = new Set();
  }

  /**
   * Accepts a job (input already validated when validation === 'submit').
   * @param {EndpointSpec} ep @param {Record<string, unknown>} input @param {{ webhookUrl?: string }} [meta]
   * @returns {Job}
   */
  submit(ep, input, meta = {}) {
    const { stats } = this.opts;
    const key = `${ep.id}\n${stableStringify(input)}`;
    if (this.seenInputs.has(key)) stats.duplicates += 1;
    this.seenInputs.add(key);
    /** @type {Job} */
    const job = {
      requestId: randomUUID(),
      endpoint: ep.id,
      input,
      status: 'IN_QUEUE',
      submittedAt: Date.now(),
      fetched: false,
      resultFetches: 0,
    };
    if (meta.webhookUrl) job.webhookUrl = meta.webhookUrl;
    this.jobs.set(job.requestId, job);
    this.internals.set(job.requestId, {
      ep, timer: undefined, listeners: new Set(), logs: [], resultError: undefined,
    });
    stats.accepted += 1;
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    this.schedule(job, () => this.start(job), this.opts.queueMs);
    return job;
  }

  /** @param {string} id */
  get(id) {
    return this.jobs.get(id);
  }

  /** @param {Job} job @returns {JobInternals} */
  inner(job) {
    const i = this.internals.get(job.requestId);
    if (!i) throw new Error(`no internals for ${job.requestId}`);
    return i;
  }

  /** @param {Job} job @param {() => void} fn @param {number} ms */
  schedule(job, fn, ms) {
    const inner = this.inner(job);
    this.opts.timers.clear(inner.timer);
    inner.timer = this.opts.timers.set(fn, ms);
  }

  /** @param {Job} job @param {string} message @param {string} [level] */
  log(job, message, level = 'INFO') {
    this.inner(job).logs.push({ message, level, source: 'user', timestamp: new Date().toISOString() });
  }

  /** @param {Job} job */
  emit(job) {
    for (const fn of [...this.inner(job).listeners]) fn(job);
  }

  /** IN_QUEUE -> IN_PROGRESS: the runner picks the job up and fetches its inputs. @param {Job} job */
  start(job) {
    if (job.status !== 'IN_QUEUE') return;
    const inner = this.inner(job);
    job.status = 'IN_PROGRESS';
    job.startedAt = Date.now();
    this.log(job, 'Starting generation (emulator)');
    this.emit(job);

    if (this.opts.validation === 'runner') {
      const errors = validateInput(inner.ep, job.input);
      if (errors.length) {
        this.fail(job, {
          status: 422,
          body: { detail: errors },
          message: errors.map((e) => `${e.loc.join('.')}: ${e.msg}`).join('; '),
          errorType: errors[0].type,
        });
        return;
      }
    }
    for (const [field, spec] of Object.entries(inner.ep.fields)) {
      if (!(spec.type === 'string' && spec.image)) continue;
      const url = job.input[field];
      if (typeof url !== 'string') continue;
      const problem = this.checkImageField(url);
      if (problem) {
        const detail = [{ loc: ['body', field], msg: problem.msg, type: problem.type, url: `${ERRORS_DOC}#${problem.type}`, input: url, ...(problem.ctx ? { ctx: problem.ctx } : {}) }];
        this.fail(job, { status: 422, body: { detail }, message: problem.msg, errorType: problem.type });
        return;
      }
    }
    this.schedule(job, () => this.finish(job), this.opts.progressMs);
  }

  /** @param {string} url @returns {{ type: string, msg: string, ctx?: Record<string, unknown> } | null} */
  checkImageField(url) {
    const got = this.opts.fetchImage(url);
    if (got.error) {
      return { type: 'file_download_error', msg: `Failed to download the file. Please check if the URL is accessible. (${got.error})` };
    }
    if (got.bytes) return checkImage(got.bytes);
    return null;
  }

  /** IN_PROGRESS -> COMPLETED. @param {Job} job */
  finish(job) {
    if (job.status !== 'IN_PROGRESS') return;
    const prompt = job.input.prompt;
    if (typeof prompt === 'string' && prompt.includes(FAIL_MARKER)) {
      const msg = 'Generation failed (emulator)';
      this.fail(job, {
        status: 500,
        body: { detail: [{ loc: ['body'], msg, type: 'internal_server_error', url: `${ERRORS_DOC}#internal_server_error` }] },
        message: msg,
        errorType: 'internal_server_error',
      });
      return;
    }
    const ep = this.inner(job).ep;
    const size = this.opts.videoSize();
    job.output = {
      [ep.output.field]: {
        url: `${this.opts.baseUrl()}/cdn/${job.requestId}/${ep.output.fileName}`,
        content_type: ep.output.contentType,
        file_name: ep.output.fileName,
        file_size: size,
      },
    };
    const used = withDefaults(ep, job.input); // what the model ran with
    this.log(job, `Generated a ${String(used.duration ?? '')}s video (emulator)`);
    this.end(job, 'COMPLETED');
    this.opts.stats.completed += 1;
  }

  /**
   * The job ends COMPLETED with an error.
   * @param {Job} job
   * @param {{ status: number, body: unknown, message: string, errorType: string }} e
   */
  fail(job, e) {
    job.error = e.message;
    job.errorType = e.errorType;
    this.inner(job).resultError = { status: e.status, body: e.body, errorType: e.errorType };
    this.log(job, e.message, 'ERROR');
    this.end(job, 'COMPLETED');
    this.opts.stats.failed += 1;
  }

  /** @param {Job} job @param {'COMPLETED' | 'CANCELLED'} status */
  end(job, status) {
    const inner = this.inner(job);
    this.opts.timers.clear(inner.timer);
    inner.timer = undefined;
    job.status = status;
    job.completedAt = Date.now();
    this.opts.stats.inFlight -= 1;
    this.emit(job);
  }

  /**
   * @param {Job} job
   * @returns {'CANCELLATION_REQUESTED' | 'ALREADY_COMPLETED'}
   */
  cancel(job) {
    if (job.status === 'COMPLETED' || job.status === 'CANCELLED') return 'ALREADY_COMPLETED';
    job.error = 'Request was cancelled';
    job.errorType = 'client_cancelled';
    this.inner(job).resultError = {
      status: 499,
      body: { detail: 'Request was cancelled', error_type: 'client_cancelled' },
      errorType: 'client_cancelled',
    };
    this.log(job, 'Request was cancelled', 'WARNING');
    this.end(job, 'CANCELLED');
    this.opts.stats.cancelled += 1;
    return 'CANCELLATION_REQUESTED';
  }

  /** @param {Job} job @returns {boolean} */
  isEnded(job) {
    return job.status === 'COMPLETED' || job.status === 'CANCELLED';
  }

  /** @param {Job} job @returns {number} */
  queuePosition(job) {
    let n = 0;
    for (const j of this.jobs.values()) {
      if (j === job) return n;
      if (j.status === 'IN_QUEUE') n += 1;
    }
    return n;
  }

  /** @param {Job} job */
  urls(job) {
    const ep = this.inner(job).ep;
    const base = `${this.opts.baseUrl()}/${ep.owner}/${ep.alias}/requests/${job.requestId}`;
    return { response_url: base, status_url: `${base}/status`, cancel_url: `${base}/cancel` };
  }

  /** The submit answer. @param {Job} job */
  submitView(job) {
    return { status: 'IN_QUEUE', request_id: job.requestId, ...this.urls(job), queue_position: this.queuePosition(job) };
  }

  /**
   * The status answer (and SSE event).
   * @param {Job} job
   * @param {{ logs: boolean, logsFrom?: number }} opt  logsFrom: only logs from this index (stream events)
   * @returns {{ http: number, body: Record<string, unknown> }}
   */
  statusView(job, opt) {
    const inner = this.inner(job);
    const ended = this.isEnded(job);
    /** @type {Record<string, unknown>} */
    const body = {
      status: ended ? 'COMPLETED' : job.status,
      request_id: job.requestId,
      ...this.urls(job),
      logs: opt.logs ? inner.logs.slice(opt.logsFrom || 0) : null,
    };
    if (job.status === 'IN_QUEUE') body.queue_position = this.queuePosition(job);
    if (ended) {
      const t = job.startedAt && job.completedAt ? (job.completedAt - job.startedAt) / 1000 : null;
      body.metrics = { inference_time: t };
    }
    if (job.error) {
      body.error = job.error;
      body.error_type = job.errorType;
    }
    return { http: ended ? 200 : 202, body };
  }

  /**
   * The result answer.
   * @param {Job} job
   * @returns {{ http: number, body: unknown, errorType?: string }}
   */
  resultView(job) {
    if (!this.isEnded(job)) return { http: 400, body: { detail: 'Request is still in progress' } };
    job.fetched = true;
    job.resultFetches += 1;
    const err = this.inner(job).resultError;
    if (err) return { http: err.status, body: err.body, errorType: err.errorType };
    return { http: 200, body: job.output };
  }

  /** @param {Job} job @returns {number} */
  logCount(job) {
    return this.inner(job).logs.length;
  }

  /**
   * Calls fn on every change of the job (fn(null) when the emulator is reset). Returns the unsubscribe function.
   * @param {Job} job @param {(job: Job | null) => void} fn
   */
  subscribe(job, fn) {
    const { listeners } = this.inner(job);
    listeners.add(fn);
    return () => listeners.delete(fn);
  }

  /** Forgets every job (timers cleared, open streams told). */
  reset() {
    for (const inner of this.internals.values()) {
      this.opts.timers.clear(inner.timer);
      for (const fn of [...inner.listeners]) fn(null);
    }
    this.jobs.clear();
    this.internals.clear();
    this.seenInputs.clear();
  }
}

module.exports = { JobQueue, emptyStats, stableStringify, FAIL_MARKER };
