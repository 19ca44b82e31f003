#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * Runs the emulator standalone, e.g. for an n8n process under test:
 *   node test/emulator/cli.js --port 8787 --api-key test-key --queue-ms 500 --progress-ms 3000
 * Options (or environment variables): --port (EMULATOR_PORT), --api-key (EMULATOR_API_KEY), --queue-ms,
 * --progress-ms, --video-bytes, --latency-ms, --validation submit|runner. Prints the URL and stays up until
 * SIGINT/SIGTERM. Control it over HTTP: POST /_emulator/faults, GET /_emulator/stats, POST /_emulator/reset.
 */

const { startEmulator } = require('./index');

/** @param {string[]} argv @returns {Record<string, string>} */
function parseArgs(argv) {
  /** @type {Record<string, string>} */
  const out = {};
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [k, inline] = a.slice(2).split('=', 2);
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
    console.log('usage: cli.js [--port N] [--api-key K] [--queue-ms N] [--progress-ms N] [--video-bytes N] [--latency-ms N] [--validation submit|runner]');
    return;
  }
  const validation = a.validation;
  if (validation !== undefined && validation !== 'submit' && validation !== 'runner') throw new Error('--validation must be submit or runner');
  const emu = await startEmulator({
    port: num(a.port ?? process.env.EMULATOR_PORT),
    apiKey: a['api-key'] ?? process.env.EMULATOR_API_KEY,
    queueMs: num(a['queue-ms']),
    progressMs: num(a['progress-ms']),
    videoBytes: num(a['video-bytes']),
    latencyMs: num(a['latency-ms']),
    validation,
  });
  console.log(`fal emulator listening on ${emu.url}`);
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
