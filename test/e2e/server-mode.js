#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * The node in n8n's server mode (`n8n start`): `npm run test:e2e:server` (run by `npm run test:e2e` after e2e.js),
 * or `node test/e2e/server-mode.js [--n8n <version>] [--no-build] [--keep] [--only <name>[,<name>…]] [--list]`.
 *
 * What `n8n execute` cannot show: a Wait node resumed by fal's webhook, the editor's Stop button, a schedule that
 * fires by itself. One user folder, one n8n server, a fal emulator for the scenarios that need counters of their own.
 * One scenario per file in test/e2e/server-mode/, run in the order of SCENARIOS below:
 *
 * - schedule       a published Schedule Trigger fires by itself, every run succeeds, deactivated it stays quiet
 * - stop           the editor's Stop cancels the running and the queued fal job
 * - edge           Stop during Submit/Generate batches, a queue longer than the timeout, an {} status, Retry On Fail,
 *                  the credential dialog's Test with API, ADMIN and wrong keys
 * - small-image    a 100x100 Image URL is refused before any submit
 * - in-flight      three items' jobs in flight together
 * - webhooks       example 04 resumed by fal's webhook; a duplicate delivery and a forged call change nothing
 * - trigger        the Hailuo Trigger (examples 06a/06b): one execution per job, duplicates and forgeries refused;
 *                  Submit → Wait → Get Result for 5 items
 * - models         every model family submits exactly its fields (Fast, text to video, Hailuo 02 with a last frame
 *                  by URL and binary, a 512p draft); refused last frames; the spending guard over mixed models
 * - h3             H3 Max / Max Turbo jobs (a last frame, 9:16 Turbo at USD 0.125, URL and binary references), Hailuo 02
 *                  text to video, every field by expression, bad inputs refused before a submit, Get Status / Get
 *                  Result / Cancel and the trigger on H3 jobs, the video's facts with and without sound, old saved
 *                  parameter sets
 * - hardening      a failing batch's error within 3 s of the failure, its running jobs named, its queued one
 *                  cancelled; the privacy headers when chosen and not otherwise; a result past fal's retention said so
 * - tool           the node is offered as an AI Agent tool without N8N_COMMUNITY_PACKAGES_ALLOW_TOOL_USAGE
 * - agent          the node as an AI Agent 2.x / 3.x tool (a local OpenAI-compatible model), Retry On Fail on the
 *                  tool, the first result read failing: 1 job; loops repeating one input: a job per round
 * - collect-later  examples 05a/05b, submit into a Data Table and collect later
 * - dev            `npm run dev` without and with FAL_KEY (default n8n only; after the server stopped)
 *
 * `--only stop,webhooks` runs those (the set-up starts only what they need); `--list` lists them. Adding a scenario:
 * a file in test/e2e/server-mode/ (models.js is a short one to copy) and one line in SCENARIOS; runner.js says what
 * a scenario may declare (workflows, an emulator of its own, a step before n8n starts).
 *
 * Ends with `N passed, N failed`; exits non-zero on any failure.
 */

const runtimes = require('../../scripts/lib/runtime');

const argv = process.argv.slice(2);
/** The n8n to run: `--n8n <version>`, else N8N_VERSION, else 2.41.1 (scripts/lib/runtime.js). */
const runtime = runtimes.resolveRuntime(runtimes.takeN8nArg(argv));
// scripts/lib/n8n.js, which the scenarios require, reads the runtime when it is first required.
process.env.N8N_VERSION = runtime.version;
process.env.N8N_RUNTIME_DIR = runtime.dir;

const { runChecks } = require('../../scripts/lib/checks');
const { selectScenarios } = require('../../scripts/lib/scenarios');
const { runServerMode } = require('./server-mode/runner');

/** A scenario whose run says how long it took (CI's time budget is watched per scenario). @param {any} s */
const timed = (s) => ({
  ...s,
  run: async (/** @type {any} */ ctx) => {
    const started = Date.now();
    try {
      return await s.run(ctx);
    } finally {
      process.stdout.write(`server-mode: ${s.name} took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    }
  },
});

const SCENARIOS = [
  require('./server-mode/schedule'),
  require('./server-mode/stop'),
  require('./server-mode/edge'),
  require('./server-mode/small-image'),
  require('./server-mode/in-flight'),
  require('./server-mode/webhooks'),
  require('./server-mode/trigger'),
  require('./server-mode/models'),
  require('./server-mode/h3'),
  require('./server-mode/hardening'),
  require('./server-mode/tool'),
  require('./server-mode/agent'),
  require('./server-mode/collect-later'),
  require('./server-mode/dev'),
].map(timed);

const scenarios = selectScenarios(argv, SCENARIOS, 'server-mode');
runChecks('server-mode', () =>
  runServerMode({
    runtime,
    scenarios,
    build: !argv.includes('--no-build'),
    keep: argv.includes('--keep'),
    // `--memory-binary`: n8n 1.x's default binary mode (videos kept in the execution's data), not the filesystem
    memoryBinary: argv.includes('--memory-binary'),
  }),
);
