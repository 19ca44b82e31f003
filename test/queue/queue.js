#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * The node in n8n's queue mode: `npm run test:queue` (or `node test/queue/queue.js [--executions N] [--concurrency C]
 * [--worker-concurrency W] [--no-build] [--keep] [--only <name>[,<name>…]] [--list]`).
 *
 * Starts real Redis and PostgreSQL, the fal emulator, and n8n 2.41.1 with EXECUTIONS_MODE=queue: one main process
 * and two workers, each with the package as `npm pack` ships it (./cluster.js), checks that every process loaded the
 * package, then runs the scenarios, one file each in test/queue/, in the order of SCENARIOS below:
 *
 * - throughput  N executions (default 20) through the production webhook, twice: all succeed, both workers run
 *               some, every video byte for byte, the same results with new jobs the second time
 * - async       Submit → Wait (On Webhook Call) → Get Result, resumed by fal's webhook through the main
 * - trigger     the Hailuo Trigger: 20 jobs (`--trigger-jobs N`) delivered to the main, half twice → one execution
 *               per job over both workers, videos through the main; deliveries/min, COMPLETED → video stored
 * - stop        the main's stop reaches the worker, which cancels both fal jobs (n8n logs errors for it on
 *               purpose: the check that no n8n process logged an error runs before it)
 *
 * `--only async` runs one (the cluster starts all the same); `--list` lists them. Adding a scenario: a file in
 * test/queue/ (async.js is one to copy) and one line in SCENARIOS; cluster.js says what a scenario may declare.
 *
 * Prints executions per minute and the most jobs the emulator had in flight, stops every process it started (also
 * on failure or Ctrl-C) and deletes its scratch folder (kept with --keep). Ends with `N passed, N failed`.
 */

const { selectScenarios } = require('../../scripts/lib/scenarios');
const { runQueue } = require('./cluster');

const SCENARIOS = [
  require('./throughput'),
  require('./async'),
  require('./trigger'),
  require('./stop'),
];

runQueue(selectScenarios(process.argv.slice(2), SCENARIOS, 'queue'));
