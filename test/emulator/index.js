// @ts-check
'use strict';

/**
 * A fal-compatible emulator for the Hailuo node's tests: one real HTTP server on 127.0.0.1 that answers fal's
 * queue, storage, platform-API and CDN paths (a client overrides only the origin), plus a sample image host and a
 * second origin ("another host"). It is never kinder than fal: what fal refuses, it refuses the same way.
 *
 *   const { startEmulator } = require('./test/emulator');
 *   const emu = await startEmulator({ apiKey: 'test-key', queueMs: 50, progressMs: 150 });
 *   // ... point the code under test at emu.url ...
 *   await emu.close();
 *
 * Options (options.js; cli.js has a flag for each):
 *   apiKey 'test-key' · port 0 · queueMs 50 · progressMs 150 · latencyMs 0 · validation 'submit'|'runner'
 *   cancelMs 100            a running job stops this long after a cancel (202; it stays IN_PROGRESS meanwhile)
 *   inProgressCancel 'stop'|'ignore'  whether the runner honours that cancel ('ignore': it goes on to its video)
 *   concurrency 0           most jobs IN_PROGRESS at once (0 = no limit); the rest wait IN_QUEUE
 *   videoBytes              size of the served video (the fixture plus a `free` box)
 *   cdnBytesPerSec 0        pace CDN downloads (0 = no limit)
 *   imageFetchTimeoutMs 5000  the runner's deadline to fetch an image_url
 *   webhookRetryMs 500      first retry delay of a failed webhook delivery (doubling, 10 attempts)
 *   streamKeepAliveMs 15000 the status stream's keep-alive comment (fal's 15 s; 0 = none)
 *   pricingNeedsAdmin false true: the pricing call refuses API-scope keys (403), fal's older reading
 *
 * Faults (emu.fault(spec) or POST /_emulator/faults; one-shot, `times` for more; see faults.js):
 *   {route, status, body?, headers?}  answer that status     {route, delayMs}  answer late
 *   {route, reset: true}              drop the connection    {route: 'submit', afterAccept: true}  accept, then drop
 *   {route: 'submit', lateAnswerMs: N}  accept, then answer N ms later
 *   {route: cdn|file|sample|stream, cutAfterBytes: N}   N body bytes, then drop
 *   {route: cdn|file|sample|stream, stallAfterBytes: N} N body bytes, then silence with the socket open
 *   {route: 'stream', silent: true}   SSE headers, then nothing   {route: 'stream', commentsOnly: true}  comments only
 *   {route, errorType: T} / {route, modelError: T, retryable}  fal's error shapes and headers (errors.js);
 *   {route, status, retryable, timeoutType: 'user'}  X-Fal-Retryable / X-Fal-Request-Timeout-Type on any error
 *   {route: 'job', errorType | modelError}  the next job the runner picks up fails with it
 *   {route: 'webhook', duplicate: true} / {route: 'webhook', delayMs: N}  per delivery: twice / late
 *   routes: submit status stream result cancel initiate upload file cdn pricing models sample webhook job.
 *   Routes that need the key check it first: a wrong key is a 401 and leaves the fault queued.
 *
 * The model's runner reads every image for real when a job starts (image_url, end_image_url, each of
 * reference_image_urls; any host, http(s) or data:) and fails the job with a 422 when it cannot be fetched, is not
 * a JPEG/PNG/WebP, is 20 MB or more, has a short side of 300 px or less, or an aspect ratio outside 2:5..5:2.
 * Images to use: GET {url}/_samples/... (samples.js). The endpoints: endpoints.js (sources: models-read.md).
 *
 * Admin (no auth): POST|GET|DELETE /_emulator/faults, GET /_emulator/stats, POST /_emulator/reset,
 * GET /_emulator/calls, /_emulator/jobs, /_emulator/webhooks, /_emulator/other-calls, POST /_emulator/expire,
 * GET|POST /_emulator/clock. Retention (retention.js): emu.expire(id), emu.expireFile(id), emu.advanceClock(ms).
 * Markers: a prompt containing [emulator:fail] makes the generation fail (500 model error), [emulator:fail=TYPE] with
 * fal's error TYPE ([emulator:fail=TYPE,retryable]: X-Fal-Retryable: true); [emulator:ms=N] makes it take N ms.
 */

const { once } = require('node:events');
const { Timers } = require('./timers');
const { FaultQueue } = require('./faults');
const { JobQueue, emptyStats } = require('./queue');
const { Storage } = require('./storage');
const { Webhooks } = require('./webhooks');
const { createVideoSources } = require('./cdn');
const { createServer } = require('./server');
const { startOtherOrigin } = require('./other-origin');
const { prepareJob } = require('./runner');
const { outcome, resultBytes } = require('./job-views');
const { Retention } = require('./retention');
const { failureOf } = require('./errors');
const { resolveOptions } = require('./options');
const { ENDPOINTS, MODEL_LIMITS } = require('./schema');
const { recordWebhookOut } = require('./raw');

/**
 * @typedef {import('./options').EmulatorOptions} EmulatorOptions
 * @typedef {import('./queue').Stats} Stats
 * @typedef {import('./server').Call} Call
 * @typedef {import('./queue').Job} Job
 * @typedef {import('./storage').Upload} Upload
 * @typedef {import('./webhooks').WebhookRecord} WebhookRecord
 * @typedef {import('./other-origin').OtherCall} OtherCall
 * @typedef {import('./raw').RawRequest} RawRequest
 */

/**
 * The emulator's shared state, as route handlers see it (ctx.emu).
 * @typedef {object} EmulatorState
 * @property {import('./options').ResolvedOptions} options
 * @property {string} apiKey
 * @property {string} baseUrl
 * @property {Call[]} calls
 * @property {RawRequest[]} raw   every request as it arrived, keys included (raw.js): never served, never logged
 * @property {Stats} stats
 * @property {FaultQueue} faults
 * @property {Timers} timers
 * @property {JobQueue} queue
 * @property {Storage} storage
 * @property {Webhooks} webhooks
 * @property {OtherCall[]} otherCalls
 * @property {import('./cdn').VideoSources} videos  the served videos: silent (Hailuo) and with sound (H3)
 * @property {() => Record<string, number>} statsView
 * @property {() => void} reset
 * @property {Retention} retention  the emulator's clock, and how long fal keeps results and files (retention.js)
 */

/**
 * @typedef {object} Emulator
 * @property {string} url                 'http://127.0.0.1:PORT'
 * @property {string} otherUrl            another origin: answers everything 200 {} and records it (otherCalls)
 * @property {number} port
 * @property {() => Promise<void>} close  destroys open sockets (SSE and stalled bodies too) and clears every timer
 * @property {Call[]} calls               every HTTP call, in arrival order (the runner's image reads: runner: true)
 * @property {RawRequest[]} raw           every request as it really arrived on either origin, unredacted (the key too),
 *   and every webhook sent out: for tests in this process only (never served over HTTP, never logged)
 * @property {Map<string, Job>} jobs      request_id -> job
 * @property {Map<string, Upload>} uploads  file_url -> uploaded file
 * @property {WebhookRecord[]} webhooks   every webhook delivery attempt
 * @property {OtherCall[]} otherCalls     every request the other origin got
 * @property {() => Record<string, number>} stats  counters (Stats) plus `running`: jobs not ended
 * @property {(spec: import('./faults').FaultSpec | import('./faults').FaultSpec[]) => Emulator} fault
 * @property {() => void} clearFaults
 * @property {() => void} reset           clears calls, raw, jobs, uploads, webhooks, other calls, stats and faults, and sets
 *   the clock back
 * @property {(requestId: string) => Emulator} expire      moves an ended job past its result's retention: status,
 *   result, stream and cancel then answer 404 like an unknown id (retention.js)
 * @property {(requestId: string) => Emulator} expireFile  moves a job's video file past its lifecycle: the CDN 404s
 * @property {(ms: number) => number} advanceClock  moves the emulator's clock forward (retention and lifecycles are
 *   judged by it; jobs still run on the wall clock); returns the total offset
 * @property {import('node:http').Server} server
 */

/**
 * Starts the emulator on 127.0.0.1.
 * @param {EmulatorOptions} [opts]
 * @returns {Promise<Emulator>}
 */
async function startEmulator(opts = {}) {
  const options = resolveOptions(opts);
  const videos = createVideoSources(options.videoBytes);
  const timers = new Timers();
  const stats = emptyStats();
  const faults = new FaultQueue();
  const webhooks = new Webhooks({ timers, faults, retryMs: options.webhookRetryMs });
  const retention = new Retention();
  /** @type {RawRequest[]} */
  const raw = [];
  const other = await startOtherOrigin(raw);
  /** @type {Call[]} */
  const calls = [];

  /** @type {EmulatorState} */
  const state = /** @type {any} */ ({
    options, apiKey: options.apiKey, baseUrl: '', calls, raw, stats, faults, timers, videos, webhooks, otherCalls: other.calls,
    retention,
  });
  const storage = new Storage({ baseUrl: () => state.baseUrl, stats });
  const queue = new JobQueue({
    queueMs: options.queueMs,
    progressMs: options.progressMs,
    cancelMs: options.cancelMs,
    inProgressCancel: options.inProgressCancel,
    concurrency: options.concurrency,
    reportQueuePosition: options.reportQueuePosition,
    baseUrl: () => state.baseUrl,
    videoSize: (ep) => videos[ep.output.video].size,
    prepare: (job, ep, signal) => {
      const f = faults.take('job'); // the runner fails the next job it picks up (faults.js)
      if (f) return Promise.resolve(failureOf(/** @type {string} */ (f.errorType ?? f.modelError), f));
      return prepareJob(ep, job.input, {
        validation: options.validation,
        fetchTimeoutMs: options.imageFetchTimeoutMs,
        signal,
        onUsage: (usage) => {
          job.usage = usage;
        },
      });
    },
    onEnd: (job) => {
      retention.settle(job, resultBytes(queue, job));
      if (!job.webhookUrl) return;
      const result = outcome(queue, job);
      recordWebhookOut(raw, job.webhookUrl, { requestId: job.requestId, ...result });
      webhooks.deliver(job.webhookUrl, job.requestId, result);
    },
    isGone: (job) => retention.isGone(job),
    timers,
    stats,
  });
  state.storage = storage;
  state.queue = queue;
  state.statsView = () => ({ ...stats, running: stats.inFlight });
  state.reset = () => {
    calls.length = 0;
    raw.length = 0;
    other.calls.length = 0;
    queue.reset();
    storage.reset();
    webhooks.reset();
    faults.clear();
    retention.reset();
    Object.assign(stats, emptyStats());
  };

  const { server, sockets } = createServer(state);
  server.listen(options.port, '127.0.0.1');
  try {
    await once(server, 'listening');
  } catch (e) {
    await other.close();
    throw e;
  }
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('emulator: no TCP address');
  const port = address.port;
  state.baseUrl = `http://127.0.0.1:${port}`;

  /** @param {string} id */
  const jobOf = (id) => {
    const job = queue.jobs.get(id);
    if (!job) throw new Error(`no job ${id}`);
    return job;
  };
  /** @type {Promise<void> | undefined} */
  let closing;
  /** @type {Emulator} */
  const emu = {
    url: state.baseUrl,
    otherUrl: other.url,
    port,
    server,
    calls,
    raw,
    jobs: queue.jobs,
    uploads: storage.uploads,
    webhooks: webhooks.records,
    otherCalls: other.calls,
    stats: state.statsView,
    fault(spec) {
      faults.add(spec);
      return emu;
    },
    clearFaults: () => faults.clear(),
    reset: state.reset,
    expire(requestId) {
      retention.expire(jobOf(requestId));
      return emu;
    },
    expireFile(requestId) {
      retention.expireFile(jobOf(requestId));
      return emu;
    },
    advanceClock: (ms) => retention.advance(ms),
    close() {
      if (!closing) {
        closing = new Promise((resolve) => {
          timers.close();
          webhooks.stop();
          queue.stop();
          const done = Promise.all([new Promise((r) => server.close(() => r(undefined))), other.close()]);
          for (const s of sockets) s.destroy();
          done.then(() => resolve());
        });
      }
      return closing;
    },
  };
  return emu;
}

module.exports = { startEmulator, ENDPOINTS, MODEL_LIMITS };
