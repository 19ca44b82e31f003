// @ts-check
'use strict';

/**
 * The job store and its state machine. IN_QUEUE (at least queueMs, and while `concurrency` jobs run) -> IN_PROGRESS
 * (the runner reads the inputs, then generates for progressMs) -> COMPLETED with an output or an error. A cancel
 * ends a queued job at once (CANCELLED, never billed) and only asks a running one to stop: it stays IN_PROGRESS for
 * cancelMs, then ends COMPLETED with the cancellation error. No HTTP here; queue-routes.js speaks the protocol.
 */

const { randomUUID } = require('node:crypto');
const { withDefaults, priceFor } = require('./schema');
const { markerFailure, failureHeaders } = require('./errors');

/** A prompt containing [emulator:ms=N] makes that job generate for N ms instead of progressMs. */
const DURATION_MARKER = /\[emulator:ms=(\d+)\]/;

/** How long this job generates: its prompt's [emulator:ms=N], else progressMs. @param {Job} job @param {number} dflt */
function generationMs(job, dflt) {
  const m = typeof job.input.prompt === 'string' ? DURATION_MARKER.exec(job.input.prompt) : null;
  return m ? Number(m[1]) : dflt;
}

/** @typedef {import('./schema').EndpointSpec} EndpointSpec */
/** @typedef {import('./timers').Timers} Timers */
/** @typedef {import('./runner').Failure} Failure */

/**
 * @typedef {object} Job  what emu.jobs holds
 * @property {string} requestId
 * @property {string} endpoint
 * @property {Record<string, unknown>} input
 * @property {'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED' | 'CANCELLED'} status  CANCELLED: cancelled while queued
 *   (fal answers COMPLETED with an error for it)
 * @property {string} [error]
 * @property {string} [errorType]
 * @property {number} submittedAt
 * @property {number} [startedAt]
 * @property {number} [inputsReadAt]   when the runner had read (fetched) the inputs
 * @property {number} [completedAt]
 * @property {boolean} fetched        the result was fetched after the job ended
 * @property {number} resultFetches   how many times
 * @property {string} [webhookUrl]    fal_webhook of the submit (POSTed to when the job ends)
 * @property {Record<string, unknown>} [output]
 * @property {boolean} cancelRequested  a cancel was asked for (any answer but ALREADY_COMPLETED)
 * @property {number} [cancelRequestedAt]  when the first such cancel came
 * @property {number} cancelRequests  how many such cancels
 * @property {boolean} billed         fal bills only successful outputs: true once the job produced its video
 * @property {number} [costUsd]       the price billed
 * @property {import('./runner').Usage} [usage]  what the runner measured of the inputs (reference image tokens)
 * @property {boolean} [storeIo]    payload storage on (the default; X-Fal-Store-IO: 0 turns it off): retention.js
 * @property {string} [storeIoHeader]  the submit's X-Fal-Store-IO, as it came
 * @property {import('./retention').Lifecycle} [lifecycle]  the submit's X-Fal-Object-Lifecycle-Preference, read
 * @property {number} [requestTimeoutS]  the submit's X-Fal-Request-Timeout (start-timeout.js)
 * @property {number} [resultExpiresAt]  when fal lets the job go (set when it ends)
 * @property {number} [fileExpiresAt]    when its video file is deleted from the CDN (with a lifecycle)
 */

/**
 * @typedef {object} JobInternals
 * @property {EndpointSpec} ep
 * @property {NodeJS.Timeout | undefined} timer
 * @property {Set<(job: Job | null) => void>} listeners
 * @property {{ message: string, level: string, source: string, timestamp: string }[]} logs
 * @property {{ status: number, body: unknown, errorType?: string, headers: Record<string, string> } | undefined} resultError
 * @property {boolean} ready        its minimum queue time has passed
 * @property {boolean} stopping     a cancel asked the runner to stop
 * @property {number} finishAt      when generation ends (set when the job starts)
 * @property {AbortController} abort  stops the runner reading the inputs
 */

/**
 * @typedef {object} Stats
 * @property {number} submits       submit calls
 * @property {number} accepted      jobs created
 * @property {number} rejected      submit calls that created no job
 * @property {number} cancelled     jobs ended by a cancel (queued or running)
 * @property {number} completed     jobs ended with a video
 * @property {number} failed        jobs ended with an error (not a cancel)
 * @property {number} maxInFlight   most jobs submitted and not ended at once
 * @property {number} maxRunning    most jobs IN_PROGRESS at once
 * @property {number} uploads
 * @property {number} downloads     CDN GETs (video downloads, resumed ones included)
 * @property {number} rangeDownloads  CDN GETs answered 206 (a Range request: a resume)
 * @property {number} duplicates    jobs whose endpoint and input equal an earlier job's that had not failed or been
 *   cancelled (a second bill for one video; submitting again after a failure is a retry, not a duplicate)
 * @property {number} billed        jobs billed (a video produced)
 * @property {number} billedUsd     their total price
 * @property {number} inFlight      jobs not ended now (also shown as `running`)
 * @property {number} inProgress    jobs IN_PROGRESS now
 */

/** @returns {Stats} */
function emptyStats() {
  return {
    submits: 0, accepted: 0, rejected: 0, cancelled: 0, completed: 0, failed: 0, maxInFlight: 0, maxRunning: 0,
    uploads: 0, downloads: 0, rangeDownloads: 0, duplicates: 0, billed: 0, billedUsd: 0, inFlight: 0, inProgress: 0,
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

const CANCELLED = {
  message: 'Request was cancelled',
  errorType: 'client_cancelled',
  status: 499, // fal's request-error table: client_cancelled, typically 499
};

class JobQueue {
  /**
   * @param {object} opts
   * @param {number} opts.queueMs
   * @param {number} opts.progressMs
   * @param {number} opts.cancelMs        how long a running job takes to stop after a cancel
   * @param {'stop' | 'ignore'} opts.inProgressCancel  what the runner does when asked to stop
   * @param {number} opts.concurrency     most jobs IN_PROGRESS at once (0 = no limit)
   * @param {boolean} opts.reportQueuePosition  whether answers carry queue_position
   * @param {() => string} opts.baseUrl
   * @param {(ep: EndpointSpec) => number} opts.videoSize  the size of the video an endpoint serves
   * @param {(job: Job, ep: EndpointSpec, signal: AbortSignal) => Promise<Failure | null>} opts.prepare  the runner
   *   reading the inputs
   * @param {(job: Job) => void} [opts.onEnd]   after a job ended (webhooks, retention)
   * @param {(job: Job) => boolean} [opts.isGone]  whether fal has let the job go (retention.js)
   * @param {Timers} opts.timers
   * @param {Stats} opts.stats
   */
  constructor(opts) {
    this.opts = opts;
    /** @type {Map<string, Job>} */
    this.jobs = new Map();
    /** @type {Map<string, JobInternals>} */
    this.internals = new Map();
    /** @type {Map<string, Job[]>} endpoint + input → the jobs submitted with it */
    this.seenInputs = new Map();
    this.stopped = false; // set by close()
  }

  /**
   * Accepts a job (input already validated when validation === 'submit').
   * @param {EndpointSpec} ep @param {Record<string, unknown>} input @param {{ webhookUrl?: string }} [meta]
   * @returns {Job}
   */
  submit(ep, input, meta = {}) {
    const { stats } = this.opts;
    const key = `${ep.id}\n${stableStringify(input)}`;
    const earlier = this.seenInputs.get(key) || [];
    if (earlier.some((j) => !j.error)) stats.duplicates += 1;
    /** @type {Job} */
    const job = {
      requestId: randomUUID(),
      endpoint: ep.id,
      input,
      status: 'IN_QUEUE',
      submittedAt: Date.now(),
      fetched: false,
      resultFetches: 0,
      cancelRequested: false,
      cancelRequests: 0,
      billed: false,
    };
    if (meta.webhookUrl) job.webhookUrl = meta.webhookUrl;
    this.seenInputs.set(key, [...earlier, job]);
    this.jobs.set(job.requestId, job);
    this.internals.set(job.requestId, {
      ep, timer: undefined, listeners: new Set(), logs: [], resultError: undefined, ready: false, stopping: false,
      finishAt: 0, abort: new AbortController(),
    });
    stats.accepted += 1;
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    this.schedule(job, () => {
      this.inner(job).ready = true;
      this.pump();
    }, this.opts.queueMs);
    return job;
  }

  /** The job, unless it is unknown or gone (past its retention: retention.js). @param {string} id */
  get(id) {
    const job = this.jobs.get(id);
    return job && !(this.opts.isGone && this.opts.isGone(job)) ? job : undefined;
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

  /** Starts queued jobs whose queue time has passed, oldest first, while the concurrency limit allows. */
  pump() {
    const limit = this.opts.concurrency;
    for (const job of this.jobs.values()) {
      if (limit > 0 && this.opts.stats.inProgress >= limit) return;
      if (job.status === 'IN_QUEUE' && this.inner(job).ready) this.start(job);
    }
  }

  /** IN_QUEUE -> IN_PROGRESS: the runner picks the job up and reads its inputs. @param {Job} job */
  start(job) {
    const { stats } = this.opts;
    const inner = this.inner(job);
    job.status = 'IN_PROGRESS';
    job.startedAt = Date.now();
    inner.finishAt = job.startedAt + generationMs(job, this.opts.progressMs);
    stats.inProgress += 1;
    stats.maxRunning = Math.max(stats.maxRunning, stats.inProgress);
    this.log(job, 'Starting generation (emulator)');
    this.emit(job);
    this.opts.prepare(job, inner.ep, inner.abort.signal).then(
      (failure) => this.inputsRead(job, inner, failure),
      (err) => this.inputsRead(job, inner, {
        status: 500,
        body: { detail: `emulator error: ${err instanceof Error ? err.message : String(err)}` },
        message: 'emulator error',
        errorType: 'internal_server_error',
      }),
    );
  }

  /**
   * The runner has read the inputs: the job fails, or generates until finishAt. Nothing happens when the job was
   * reset, has ended, or is stopping after a cancel.
   * @param {Job} job @param {JobInternals} inner @param {Failure | null} failure
   */
  inputsRead(job, inner, failure) {
    if (this.stopped || this.internals.get(job.requestId) !== inner || job.status !== 'IN_PROGRESS' || inner.stopping) return;
    job.inputsReadAt = Date.now();
    if (failure) {
      this.fail(job, failure);
      return;
    }
    this.schedule(job, () => this.finish(job), Math.max(0, inner.finishAt - Date.now()));
  }

  /** IN_PROGRESS -> COMPLETED. @param {Job} job */
  finish(job) {
    const inner = this.inner(job);
    if (job.status !== 'IN_PROGRESS' || inner.stopping) return;
    const failure = markerFailure(job.input.prompt); // [emulator:fail], [emulator:fail=TYPE] (errors.js)
    if (failure) {
      this.fail(job, failure);
      return;
    }
    const { ep } = inner;
    const size = this.opts.videoSize(ep);
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
    job.billed = true;
    job.costUsd = priceFor(ep, job.input, job.usage);
    this.opts.stats.billed += 1;
    this.opts.stats.billedUsd = Math.round((this.opts.stats.billedUsd + job.costUsd) * 1e6) / 1e6;
    this.opts.stats.completed += 1;
    this.end(job, 'COMPLETED');
  }

  /**
   * The job ends COMPLETED with an error; its result answers the failure's status, body and headers (errors.js).
   * @param {Job} job @param {Failure & { headers?: Record<string, string> }} e @param {'COMPLETED' | 'CANCELLED'} [status]
   */
  fail(job, e, status = 'COMPLETED') {
    job.error = e.message;
    job.errorType = e.errorType;
    this.inner(job).resultError = { status: e.status, body: e.body, errorType: e.errorType, headers: failureHeaders(e) };
    this.log(job, e.message, 'ERROR');
    if (e.errorType === CANCELLED.errorType) this.opts.stats.cancelled += 1;
    else this.opts.stats.failed += 1;
    this.end(job, status);
  }

  /** @param {Job} job @param {'COMPLETED' | 'CANCELLED'} status */
  end(job, status) {
    const inner = this.inner(job);
    this.opts.timers.clear(inner.timer);
    inner.timer = undefined;
    inner.abort.abort();
    if (job.status === 'IN_PROGRESS') this.opts.stats.inProgress -= 1;
    job.status = status;
    job.completedAt = Date.now();
    this.opts.stats.inFlight -= 1;
    this.emit(job);
    if (this.opts.onEnd) this.opts.onEnd(job);
    this.pump();
  }

  /**
   * PUT .../cancel: a queued job ends at once; a running one is asked to stop (it ends cancelMs later, or, with
   * inProgressCancel 'ignore', goes on to its video).
   * @param {Job} job
   * @returns {'CANCELLATION_REQUESTED' | 'ALREADY_COMPLETED'}
   */
  cancel(job) {
    if (this.isEnded(job)) return 'ALREADY_COMPLETED';
    const inner = this.inner(job);
    job.cancelRequested = true;
    job.cancelRequests += 1;
    if (job.cancelRequestedAt === undefined) job.cancelRequestedAt = Date.now();
    const failure = {
      status: CANCELLED.status,
      body: { detail: CANCELLED.message, error_type: CANCELLED.errorType },
      message: CANCELLED.message,
      errorType: CANCELLED.errorType,
    };
    if (job.status === 'IN_QUEUE') {
      this.fail(job, failure, 'CANCELLED');
    } else if (!inner.stopping && this.opts.inProgressCancel === 'stop') {
      inner.stopping = true;
      inner.abort.abort();
      this.log(job, 'Cancellation requested: the runner is stopping', 'WARNING');
      this.schedule(job, () => this.fail(job, failure), this.opts.cancelMs);
    } else if (job.cancelRequests === 1) {
      this.log(job, 'Cancellation requested: the runner goes on', 'WARNING');
    }
    return 'CANCELLATION_REQUESTED';
  }

  /** @param {Job} job @returns {boolean} */
  isEnded(job) {
    return job.status === 'COMPLETED' || job.status === 'CANCELLED';
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

  /** Aborts the runner's reads in flight, and freezes every job as it is (close). */
  stop() {
    this.stopped = true;
    for (const inner of this.internals.values()) inner.abort.abort();
  }

  /** Forgets every job (timers cleared, the runner's reads aborted, open streams told). */
  reset() {
    for (const inner of this.internals.values()) {
      this.opts.timers.clear(inner.timer);
      inner.abort.abort();
      for (const fn of [...inner.listeners]) fn(null);
    }
    this.jobs.clear();
    this.internals.clear();
    this.seenInputs.clear();
  }
}

module.exports = { JobQueue, emptyStats, stableStringify };
