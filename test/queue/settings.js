// @ts-check
'use strict';

/**
 * The settings of the queue-mode suite, from its command line (`--executions N`, `--concurrency C`,
 * `--worker-concurrency W`, `--no-build`, `--keep`): read once, shared by the runner and the scenarios.
 */

/** @param {string} name @param {number} def */
function numArg(name, def) {
  const argv = process.argv.slice(2);
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return def;
  const v = argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} needs a positive integer, got ${v}`);
  return n;
}
const flags = new Set(process.argv.slice(2));
const BUILD = !flags.has('--no-build');
const KEEP = flags.has('--keep');
const EXECUTIONS = numArg('executions', 20);
/** Webhook calls in flight at once (the bound on the load). */
const CONCURRENCY = numArg('concurrency', Math.min(10, EXECUTIONS));
/** Jobs each worker runs at once: half the load each, so that neither worker can take it all. */
const WORKER_CONCURRENCY = numArg('worker-concurrency', Math.max(1, Math.min(5, Math.ceil(CONCURRENCY / 2))));
const ASYNC_EXECUTIONS = Math.min(4, EXECUTIONS);
/** Jobs the trigger scenario submits with the Hailuo Trigger's URL (`--trigger-jobs N`). */
const TRIGGER_JOBS = numArg('trigger-jobs', 20);
const WORKERS = 2;
/** Size of every video the emulator serves. */
const VIDEO_BYTES = 2_000_000;
/** fal-like pacing, scaled down: 0.5 s in the queue, 2 s generating. */
const EMULATOR_ARGS = ['--queue-ms', '500', '--progress-ms', '2000', '--video-bytes', String(VIDEO_BYTES)];

module.exports = { BUILD, KEEP, EXECUTIONS, CONCURRENCY, WORKER_CONCURRENCY, ASYNC_EXECUTIONS, TRIGGER_JOBS, WORKERS, VIDEO_BYTES, EMULATOR_ARGS };
