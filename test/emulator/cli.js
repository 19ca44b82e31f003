#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * Runs the emulator standalone, e.g. for an n8n process under test:
 *   node test/emulator/cli.js --port 8787 --api-key test-key --queue-ms 500 --progress-ms 3000
 * Options (see index.js for what each does): --port (or EMULATOR_PORT), --api-key (or EMULATOR_API_KEY),
 * --queue-ms, --progress-ms, --cancel-ms, --in-progress-cancel stop|ignore, --concurrency, --video-bytes,
 * --cdn-bytes-per-sec, --latency-ms, --image-fetch-timeout-ms, --webhook-retry-ms, --validation submit|runner,
 * --admin-key K (a second key, of ADMIN scope), --stream-first-event on-change|at-once, --report-queue-position true|false,
 * --stream-keep-alive-ms N, --pricing-needs-admin true|false.
 * Prints the URL (and the other origin's) and stays up until SIGINT/SIGTERM. Control it over HTTP:
 * POST /_emulator/faults, GET /_emulator/stats, POST /_emulator/reset, GET /_emulator/webhooks, ...
 */

const { startEmulator } = require('./index');

/** Numeric flags and the option each sets. */
const NUMBERS = {
  port: 'port',
  'queue-ms': 'queueMs',
  'progress-ms': 'progressMs',
  'cancel-ms': 'cancelMs',
  concurrency: 'concurrency',
  'video-bytes': 'videoBytes',
  'cdn-bytes-per-sec': 'cdnBytesPerSec',
  'latency-ms': 'latencyMs',
  'image-fetch-timeout-ms': 'imageFetchTimeoutMs',
  'webhook-retry-ms': 'webhookRetryMs',
  'stream-keep-alive-ms': 'streamKeepAliveMs',
};

/** @param {string[]} argv @returns {Record<string, string>} */
function parseArgs(argv) {
  /** @type {Record<string, string>} */
  const out = {};
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [k, inline] = a.slice(2).split('=', 2);
    if (k === 'help') {
      out.help = '';
      continue;
    }
    const v = inline !== undefined ? inline : argv[(i += 1)];
    if (v === undefined) throw new Error(`missing value for --${k}`);
    out[k] = v;
  }
  return out;
}

/** @param {string | undefined} v @returns {number | undefined} */
function num(v) {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`not a number: ${v}`);
  return n;
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  if (a.help !== undefined) {
    console.log(`usage: cli.js ${Object.keys(NUMBERS).map((k) => `[--${k} N]`).join(' ')} [--api-key K] [--admin-key K]
  [--in-progress-cancel stop|ignore] [--validation submit|runner] [--stream-first-event on-change|at-once]
  [--report-queue-position true|false] [--pricing-needs-admin true|false]`);
    return;
  }
  const known = new Set([...Object.keys(NUMBERS), 'api-key', 'admin-key', 'in-progress-cancel', 'validation', 'stream-first-event', 'report-queue-position',
    'pricing-needs-admin']);
  const unknown = Object.keys(a).filter((k) => !known.has(k));
  if (unknown.length) throw new Error(`unknown option --${unknown[0]} (see --help)`);
  /** @type {Record<string, unknown>} */
  const opts = {};
  for (const [flag, key] of Object.entries(NUMBERS)) {
    const v = num(a[flag] ?? (flag === 'port' ? process.env.EMULATOR_PORT : undefined));
    if (v !== undefined) opts[key] = v;
  }
  const apiKey = a['api-key'] ?? process.env.EMULATOR_API_KEY;
  if (apiKey !== undefined) opts.apiKey = apiKey;
  if (a['in-progress-cancel'] !== undefined) opts.inProgressCancel = a['in-progress-cancel'];
  if (a.validation !== undefined) opts.validation = a.validation;
  if (a['admin-key'] !== undefined) opts.adminKey = a['admin-key'];
  if (a['stream-first-event'] !== undefined) opts.streamFirstEvent = a['stream-first-event'];
  if (a['report-queue-position'] !== undefined) opts.reportQueuePosition = a['report-queue-position'] === 'true';
  if (a['pricing-needs-admin'] !== undefined) opts.pricingNeedsAdmin = a['pricing-needs-admin'] === 'true';
  const emu = await startEmulator(/** @type {import('./index').EmulatorOptions} */ (opts));
  console.log(`fal emulator listening on ${emu.url} (another origin: ${emu.otherUrl})`);
  const stop = () => {
    emu.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
