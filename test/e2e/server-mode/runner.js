// @ts-check
'use strict';

/**
 * The runner of the server-mode scenarios (test/e2e/server-mode.js lists them): one user folder holding the package,
 * the fal emulators the scenarios ask for, one `n8n start`, then each scenario's checks in list order; then, with
 * n8n stopped, the scenarios that run without it (dev).
 *
 * A scenario is a module in this folder exporting (scripts/lib/scenarios.js has the common part):
 *
 *   name         what `--only` calls it
 *   about        one line for `--list`
 *   emulators    optional { key: { args, credential: { id, name } } }: fal emulators of its own, started with those
 *                emulator arguments, with a credential pointing at each (so that its counters are its own). Every
 *                scenario has `main` (the examples' credential, jobs of ~2 s).
 *   workflows    optional (ctx) => workflow JSON[]: imported before n8n starts
 *   beforeStart  optional async (ctx): n8n's CLI before `n8n start` (e.g. publish a workflow)
 *   run          async (ctx): its checks; may return an async function, run after every other scenario
 *   server       false: runs after this n8n has stopped, and needs none of the above (dev)
 *
 * ctx: runtime, version, major, work (scratch folder), userFolder, port, env (n8n's environment), emu[key] (admin
 * API), origin[key], credential[key], example(id) (a workflow of examples/ pointing at `main`), n8nStartedAt, n8nLog
 * (the file n8n's log goes to), rest (n8n's REST API, logged in as the owner) once n8n runs.
 */

const fs = require('node:fs');
const path = require('node:path');
const n8n = require('../../../scripts/lib/n8n');
const { EMULATOR_CREDENTIAL, EMULATOR_API_KEY, startEmulator } = require('../../../scripts/lib/fal-emulator');
const { loadExamples } = require('../../../scripts/lib/examples');
const { buildPackage, packAndInstall } = require('../../../scripts/lib/community-package');
const { assert, allPassed } = require('../../../scripts/lib/checks');
const { runScenarios } = require('../../../scripts/lib/scenarios');
const { Rest, emuApi } = require('./clients');
const { seconds } = require('./helpers');

/** @typedef {{ args: string[], credential: { id: string, name: string } }} EmulatorSpec */

/** Jobs of ~2 s: three of them overlap, and a Wait node is waiting before fal's webhook comes. */
const MAIN_EMULATOR = { args: ['--queue-ms', '200', '--progress-ms', '2000'], credential: EMULATOR_CREDENTIAL };

/** The version of the n8n that n8n.N8N_BIN runs (it must be the one asked for). @param {{ version: string }} runtime */
function installedN8n(runtime) {
  const file = path.join(n8n.RUNTIME, 'node_modules', 'n8n', 'package.json');
  assert(fs.existsSync(file), `n8n ${runtime.version} is not installed in ${n8n.RUNTIME}: N8N_VERSION=${runtime.version} bash scripts/install-n8n.sh`);
  const version = String(JSON.parse(fs.readFileSync(file, 'utf8')).version);
  assert(version === runtime.version, `${n8n.RUNTIME} holds n8n ${version}, not ${runtime.version}`);
  return { version, major: Number(version.split('.')[0]) };
}

/**
 * Runs the scenarios; ends with the scratch folder deleted when every check passed (kept with `keep`).
 * @param {{ runtime: import('../../../scripts/lib/runtime').Runtime, scenarios: any[], build: boolean, keep: boolean,
 *   memoryBinary?: boolean }} o
 */
async function runServerMode({ runtime, scenarios, build, keep, memoryBinary = false }) {
  const started = Date.now();
  process.stdout.write(`server-mode: ${runtime.describe()}\n`);
  const work = n8n.scratchDir('server-mode');
  /** @type {any} */
  const ctx = { runtime, work, version: runtime.version, major: runtime.major };
  const withServer = scenarios.filter((s) => s.server !== false);
  try {
    if (withServer.length > 0) await withN8n(ctx, withServer, build, memoryBinary);
    else if (build) buildPackage();
    await runScenarios('server-mode', scenarios.filter((s) => s.server === false), ctx);
  } finally {
    if (!keep && allPassed()) fs.rmSync(work, { recursive: true, force: true });
    else process.stdout.write(`server-mode: logs and user folder kept in ${path.relative(n8n.ROOT, work)}\n`);
  }
  process.stdout.write(`server-mode: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

/**
 * The package installed, the emulators started, credentials and workflows imported, n8n started: the scenarios that
 * need n8n run, then n8n and the emulators stop.
 * @param {any} ctx @param {any[]} scenarios @param {boolean} build
 */
async function withN8n(ctx, scenarios, build, memoryBinary = false) {
  const { runtime, work } = ctx;
  const userFolder = path.join(work, 'user');
  fs.mkdirSync(userFolder, { recursive: true });
  process.stdout.write(`server-mode: user folder ${path.relative(n8n.ROOT, userFolder)}\n`);

  packAndInstall({ userFolder, scratch: work, build });
  const { version, major } = installedN8n(runtime);

  /** @type {Record<string, EmulatorSpec>} */
  const specs = { main: MAIN_EMULATOR };
  for (const s of scenarios) {
    for (const [key, spec] of Object.entries(s.emulators || {})) {
      assert(!specs[key] || specs[key] === spec, `two scenarios want an emulator called "${key}"`);
      specs[key] = spec;
    }
  }
  /** @type {Record<string, Awaited<ReturnType<typeof startEmulator>>>} */
  const emulators = {};
  /** @type {Awaited<ReturnType<typeof n8n.startN8n>> | undefined} */
  let server;
  try {
    for (const [key, spec] of Object.entries(specs)) {
      emulators[key] = await startEmulator({ logFile: path.join(work, `emulator-${key}.log`), args: spec.args });
    }
    const port = await n8n.freePort();
    const env = n8n.n8nEnv({ userFolder, port, brokerPort: await n8n.freePort(), extra: runtime.env });
    for (const k of runtime.unsetEnv) delete env[k];
    if (memoryBinary) {
      env.N8N_DEFAULT_BINARY_DATA_MODE = 'default';
      process.stdout.write('server-mode: binary data in memory (n8n 1.x\'s default mode)\n');
    }
    if (runtime.path) env.PATH = runtime.path(env.PATH);
    await n8n.importCredentials(
      Object.entries(specs).map(([key, spec]) => ({
        ...spec.credential,
        type: 'hailuoApi',
        data: { apiKey: EMULATOR_API_KEY, baseUrl: emulators[key].origin },
      })),
      env,
      work,
    );
    const examples = loadExamples(emulators.main.origin).map((e) => e.workflow);
    const map = (/** @type {(key: string) => unknown} */ f) => Object.fromEntries(Object.keys(specs).map((k) => [k, f(k)]));
    Object.assign(ctx, {
      userFolder,
      port,
      env,
      version,
      major,
      emu: map((k) => emuApi(emulators[k])),
      origin: map((k) => emulators[k].origin),
      credential: map((k) => specs[k].credential),
      /** @param {string} id */
      example: (id) => {
        const wf = examples.find((w) => w.id === id);
        assert(wf, `the example ${id} is expected in examples/`);
        return wf;
      },
    });

    const workflows = scenarios.flatMap((s) => (s.workflows ? s.workflows(ctx) : []));
    if (workflows.length > 0) await n8n.importWorkflows(workflows, env, work);
    for (const s of scenarios) if (s.beforeStart) await s.beforeStart(ctx);

    const startAt = Date.now();
    ctx.n8nLog = path.join(work, 'n8n.log');
    server = await n8n.startN8n(env, { logFile: ctx.n8nLog });
    process.stdout.write(`server-mode: n8n ${version} at ${server.url} (started in ${seconds(Date.now() - startAt)})\n`);
    ctx.n8nStartedAt = startAt;
    ctx.rest = new Rest(server.url);
    await ctx.rest.setUpOwner();

    await runScenarios('server-mode', scenarios, ctx);
  } finally {
    await server?.stop();
    await Promise.all(Object.values(emulators).map((e) => e.stop()));
  }
}

module.exports = { runServerMode };
