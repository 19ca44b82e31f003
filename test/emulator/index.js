// @ts-check
'use strict';

/**
 * A fal-compatible emulator for the Hailuo node's tests: one real HTTP server on 127.0.0.1 that answers fal's
 * queue, storage, platform-API and CDN paths (a client overrides only the origin).
 *
 *   const { startEmulator } = require('./test/emulator');
 *   const emu = await startEmulator({ apiKey: 'test-key', queueMs: 50, progressMs: 150 });
 *   // ... point the code under test at emu.url ...
 *   await emu.close();
 */

const { once } = require('node:events');
const { Timers } = require('./timers');
const { FaultQueue } = require('./faults');
const { JobQueue, emptyStats } = require('./queue');
const { Storage } = require('./storage');
const { createVideoSource } = require('./cdn');
const { createServer } = require('./server');
const { ENDPOINTS, MODEL_LIMITS } = require('./schema');

/**
 * @typedef {object} EmulatorOptions
 * @property {string} [apiKey]       the only key accepted (Authorization: Key <apiKey>); default 'test-key'
 * @property {number} [port]         0 = a random free port (default); the host is always 127.0.0.1
 * @property {number} [queueMs]      time a job stays IN_QUEUE (default 50)
 * @property {number} [progressMs]   time a job stays IN_PROGRESS (default 150)
 * @property {number} [videoBytes]   size of the served video: the fixture MP4 plus one `free` box of padding
 * @property {number} [latencyMs]    extra delay before every HTTP answer (default 0)
 * @property {'submit' | 'runner'} [validation]  where input validation 422s appear: at submit (default), or as
 *   the job's failure after queueing (result 422), for testing both behaviours
 */

/**
 * @typedef {import('./queue').Stats} Stats
 * @typedef {import('./server').Call} Call
 * @typedef {import('./queue').Job} Job
 * @typedef {import('./storage').Upload} Upload
 */

/**
 * The emulator's shared state, as route handlers see it (ctx.emu).
 * @typedef {object} EmulatorState
 * @property {Required<Omit<EmulatorOptions, 'videoBytes'>> & { videoBytes?: number }} options
 * @property {string} apiKey
 * @property {string} baseUrl
 * @property {Call[]} calls
 * @property {Stats} stats
 * @property {FaultQueue} faults
 * @property {Timers} timers
 * @property {JobQueue} queue
 * @property {Storage} storage
 * @property {import('./cdn').VideoSource} video
 * @property {() => Record<string, number>} statsView
 * @property {() => void} reset
 */

/**
 * @typedef {object} Emulator
 * @property {string} url                 'http://127.0.0.1:PORT'
 * @property {number} port
 * @property {() => Promise<void>} close  destroys open sockets (SSE too) and clears every timer
 * @property {Call[]} calls               every HTTP call, in arrival order
 * @property {Map<string, Job>} jobs      request_id -> job
 * @property {Map<string, Upload>} uploads  file_url -> uploaded file
 * @property {() => Record<string, number>} stats
 * @property {(spec: import('./faults').FaultSpec | import('./faults').FaultSpec[]) => Emulator} fault
 * @property {() => void} clearFaults
 * @property {() => void} reset           clears calls, jobs, uploads, stats and faults
 * @property {import('node:http').Server} server
 */

/** @param {unknown} v @param {string} name @param {number} dflt */
function nonNegative(v, name, dflt) {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TypeError(`${name} must be a number >= 0`);
  return v;
}

/**
 * Starts the emulator on 127.0.0.1.
 * @param {EmulatorOptions} [opts]
 * @returns {Promise<Emulator>}
 */
async function startEmulator(opts = {}) {
  const options = {
    apiKey: opts.apiKey === undefined ? 'test-key' : opts.apiKey,
    port: nonNegative(opts.port, 'port', 0),
    queueMs: nonNegative(opts.queueMs, 'queueMs', 50),
    progressMs: nonNegative(opts.progressMs, 'progressMs', 150),
    videoBytes: opts.videoBytes,
    latencyMs: nonNegative(opts.latencyMs, 'latencyMs', 0),
    validation: opts.validation === undefined ? /** @type {const} */ ('submit') : opts.validation,
  };
  if (!options.apiKey) throw new TypeError('apiKey must be a non-empty string');
  if (options.validation !== 'submit' && options.validation !== 'runner') {
    throw new TypeError("validation must be 'submit' or 'runner'");
  }
  const video = createVideoSource(options.videoBytes);
  const timers = new Timers();
  const stats = emptyStats();
  const faults = new FaultQueue();
  /** @type {Call[]} */
  const calls = [];

  /** @type {EmulatorState} */
  const state = /** @type {any} */ ({ options, apiKey: options.apiKey, baseUrl: '', calls, stats, faults, timers, video });
  const storage = new Storage({ baseUrl: () => state.baseUrl, stats });
  const queue = new JobQueue({
    queueMs: options.queueMs,
    progressMs: options.progressMs,
    baseUrl: () => state.baseUrl,
    videoSize: () => video.size,
    validation: options.validation,
    timers,
    stats,
    fetchImage: (u) => fetchImage(u),
  });
  state.storage = storage;
  state.queue = queue;
  state.statsView = () => {
    const { inFlight, ...rest } = stats;
    return { ...rest, inFlight };
  };
  state.reset = () => {
    calls.length = 0;
    queue.reset();
    storage.reset();
    faults.clear();
    Object.assign(stats, emptyStats());
  };

  const { server, sockets } = createServer(state);
  server.listen(options.port, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('emulator: no TCP address');
  const port = address.port;
  state.baseUrl = `http://127.0.0.1:${port}`;

  /**
   * What the "model" gets when it fetches an image URL: bytes for this emulator's /files/ and data: URIs,
   * an error when it cannot be fetched, nothing for external URLs (accepted as-is; no network here).
   * @param {string} raw @returns {import('./queue').ImageFetch}
   */
  function fetchImage(raw) {
    if (/^data:/i.test(raw)) {
      const m = /^data:([^,]*),(.*)$/is.exec(raw);
      if (!m) return { error: 'malformed data URI' };
      try {
        const bytes = /;base64$/i.test(m[1]) ? Buffer.from(m[2], 'base64') : Buffer.from(decodeURIComponent(m[2]), 'latin1');
        return { bytes };
      } catch {
        return { error: 'malformed data URI' };
      }
    }
    let u;
    try {
      u = new URL(raw);
    } catch {
      return { error: 'invalid URL' };
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return { error: `unsupported URL scheme ${u.protocol}` };
    const local = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) && u.port === String(port);
    if (!local) return {};
    const file = storage.fileForUrl(u);
    return file ? { bytes: file.bytes } : { error: 'HTTP 404 Not Found' };
  }

  /** @type {Promise<void> | undefined} */
  let closing;
  /** @type {Emulator} */
  const emu = {
    url: state.baseUrl,
    port,
    server,
    calls,
    jobs: queue.jobs,
    uploads: storage.uploads,
    stats: state.statsView,
    fault(spec) {
      faults.add(spec);
      return emu;
    },
    clearFaults: () => faults.clear(),
    reset: state.reset,
    close() {
      if (!closing) {
        closing = new Promise((resolve) => {
          timers.clearAll();
          server.close(() => resolve());
          for (const s of sockets) s.destroy();
        });
      }
      return closing;
    },
  };
  return emu;
}

module.exports = { startEmulator, ENDPOINTS, MODEL_LIMITS };
