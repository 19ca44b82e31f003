// @ts-check
'use strict';

/**
 * The runner of the queue-mode scenarios (test/queue/queue.js lists them): real Redis and PostgreSQL on 127.0.0.1 in
 * a scratch folder (scripts/lib/queue-services.js), the fal emulator, and n8n 2.41.1 with EXECUTIONS_MODE=queue: one
 * main process (webhooks, REST) and two workers (`n8n worker`), each with its own user folder holding the package as
 * `npm pack` ships it, binary data in the database. Imports the emulator credential and the scenarios' workflows,
 * publishes them, checks that every n8n process loaded the package, runs the scenarios in list order, checks that
 * no n8n process logged an error (before the scenarios marked `logsErrors`, which make n8n log errors on purpose),
 * then prints the figures the scenarios gave.
 *
 * A scenario is a module in this folder exporting (scripts/lib/scenarios.js has the common part) `name`, `about`,
 * `run(ctx)`, optionally `workflows(emulatorOrigin)` (imported and published; one workflow per id) and
 * `logsErrors: true`. ctx: base (the main's URL), rest (n8n's REST API as the owner), emu(path, init) (the
 * emulator's admin API), emulator, workers ({ name, log }[]), mainLog, figures (lines for the end).
 *
 * Stops every process it started (also on failure or Ctrl-C) and deletes its scratch folder (kept with --keep).
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const n8n = require('../../scripts/lib/n8n');
const { startEmulator, emulatorCredential } = require('../../scripts/lib/fal-emulator');
const { buildPackage, packPackage, installPackageInto } = require('../../scripts/lib/community-package');
const { Processes, startRedis, startPostgres } = require('../../scripts/lib/queue-services');
const qm = require('../../scripts/lib/queue-mode');
const { assert, check, fail, runChecks } = require('../../scripts/lib/checks');
const { runScenarios } = require('../../scripts/lib/scenarios');
const { BUILD, KEEP, EXECUTIONS, CONCURRENCY, WORKER_CONCURRENCY, WORKERS, VIDEO_BYTES, EMULATOR_ARGS } = require('./settings');

const OWNER = { email: 'owner@example.com', firstName: 'Queue', lastName: 'Tester', password: 'Hailuo-queue-1' };

const processes = new Processes();
/** @type {string | undefined} */
let work;
let cleanedUp = false;
let interrupted = false;

/** Stops every process this run started and deletes the scratch folder (once). */
async function cleanUp() {
  if (cleanedUp) return;
  cleanedUp = true;
  await processes.stopAll();
  if (work && !KEEP) fs.rmSync(work, { recursive: true, force: true });
  else if (work) process.stdout.write(`queue: logs and data kept in ${work}\n`);
}

/** Stops everything on Ctrl-C (and SIGTERM, SIGHUP), and kills what is left when the process exits. */
function handleSignals() {
  for (const sig of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.once(sig, () => {
      interrupted = true;
      process.stdout.write(`\nqueue: ${sig}, stopping everything it started\n`);
      cleanUp().finally(() => process.exit(130));
    });
  }
  process.on('exit', () => processes.killAllNow());
}

/** @param {any[]} scenarios */
async function main(scenarios) {
  const started = Date.now();
  if (BUILD) buildPackage();
  n8n.ensureN8nInstalled();
  // Outside the project: a package installed under the project's folder would resolve `n8n-workflow` from the
  // project's node_modules (walking up the tree) instead of from n8n, as it never does in a real install.
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hailuo-queue-'));
  process.stdout.write(
    `queue: ${EXECUTIONS} executions, ${CONCURRENCY} at once, ${WORKERS} workers × concurrency ${WORKER_CONCURRENCY}; ` +
      `scratch ${work}\n`,
  );
  const logs = path.join(work, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const tarball = packPackage(work);

  // Services: Redis, PostgreSQL, the fal emulator.
  const t0 = Date.now();
  const [redis, pg] = await Promise.all([
    startRedis({ dir: path.join(work, 'redis'), processes }),
    startPostgres({ dir: path.join(work, 'postgres'), processes }),
  ]);
  const emulator = await startEmulator({ logFile: path.join(logs, 'emulator.log'), args: EMULATOR_ARGS });
  processes.add('emulator', emulator.child, emulator.stop);
  process.stdout.write(
    `queue: redis on ${redis.port}, postgres on ${pg.port}, emulator at ${emulator.origin} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`,
  );
  const emu = async (/** @type {string} */ p, /** @type {RequestInit} */ init = {}) => (await fetch(`${emulator.origin}${p}`, init)).json();

  // One user folder per n8n process, each with the package, one encryption key for all.
  const encryptionKey = crypto.randomBytes(24).toString('hex');
  const mainPort = await n8n.freePort();
  const base = `http://127.0.0.1:${mainPort}`;
  /** @param {string} name @param {Record<string, string>} [extra] */
  const procEnv = async (name, extra = {}) => {
    const userFolder = path.join(work, /** @type {string} */ (name));
    fs.mkdirSync(userFolder, { recursive: true });
    installPackageInto(tarball, userFolder);
    return qm.queueEnv({
      userFolder,
      port: mainPort,
      brokerPort: await n8n.freePort(),
      pg,
      redisPort: redis.port,
      encryptionKey,
      webhookUrl: `${base}/`,
      extra,
    });
  };
  const mainEnv = await procEnv('main');
  /** @type {{ name: string, env: NodeJS.ProcessEnv, healthPort: number, log: string }[]} */
  const workers = [];
  for (let i = 1; i <= WORKERS; i++) {
    const healthPort = await n8n.freePort();
    const env = await procEnv(`worker${i}`, {
      QUEUE_HEALTH_CHECK_ACTIVE: 'true',
      QUEUE_HEALTH_CHECK_PORT: String(healthPort),
      N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
      // Debug: the worker then says what it loaded from the package.
      N8N_LOG_LEVEL: 'debug',
    });
    workers.push({ name: `worker${i}`, env, healthPort, log: path.join(logs, `worker${i}.log`) });
  }
  const mainLog = path.join(logs, 'main.log');

  // Database, credential, the scenarios' workflows (the first n8n command migrates PostgreSQL), then publish them.
  const t1 = Date.now();
  await n8n.importCredentials([emulatorCredential(emulator.origin)], mainEnv, work);
  /** @type {Map<string, any>} */
  const workflows = new Map();
  for (const s of scenarios) for (const w of s.workflows ? s.workflows(emulator.origin) : []) if (!workflows.has(w.id)) workflows.set(w.id, w);
  await n8n.importWorkflows([...workflows.values()], mainEnv, work);
  for (const id of workflows.keys()) await n8n.runN8nOk(['publish:workflow', `--id=${id}`], mainEnv);
  process.stdout.write(`queue: database migrated, credential and workflows imported and published (${((Date.now() - t1) / 1000).toFixed(1)} s)\n`);

  // n8n: main and workers.
  const t2 = Date.now();
  await Promise.all([
    qm.startN8nProcess({ name: 'n8n main', args: ['start'], env: mainEnv, logFile: mainLog, readyUrl: `${base}/healthz/readiness`, processes }),
    ...workers.map((w) =>
      qm.startN8nProcess({
        name: `n8n ${w.name}`,
        args: ['worker', `--concurrency=${WORKER_CONCURRENCY}`],
        env: w.env,
        logFile: w.log,
        readyUrl: `http://127.0.0.1:${w.healthPort}/healthz/readiness`,
        processes,
      }),
    ),
  ]);
  process.stdout.write(`queue: n8n main at ${base} and ${WORKERS} workers ready (${((Date.now() - t2) / 1000).toFixed(1)} s)\n`);
  const rest = new qm.N8nRest(base);
  await rest.setupOwnerAndLogin(OWNER);

  await check('every n8n process loads the package from its own user folder (main: the node types; workers: 2 nodes, 1 credential)', async () => {
    const res = await rest.raw('/types/nodes.json');
    assert(res.ok, `/types/nodes.json answered HTTP ${res.status}`);
    const types = await res.json();
    const list = Array.isArray(types) ? types : [];
    assert(list.some((t) => t.name === n8n.NODE_TYPE), `the main's /types/nodes.json lacks ${n8n.NODE_TYPE}`);
    for (const w of workers) {
      const loaded = qm.readJsonLog(w.log).find((l) => /^Loaded all credentials and nodes from n8n-nodes-hailuo/.test(l.message));
      assert(loaded, `${w.name} did not log loading n8n-nodes-hailuo (see its log)`);
      const m = loaded.metadata || {};
      assert(m.credentials === 1 && m.nodes === 2, `${w.name} loaded ${m.credentials} credentials and ${m.nodes} nodes`);
    }
  });

  /** @type {string[]} */
  const figures = [];
  const ctx = { base, rest, emu, emulator, workers, mainLog, figures };
  await runScenarios('queue', scenarios.filter((s) => !s.logsErrors), ctx);

  await check('no n8n process logged an error, or a warning about the package', () => {
    const bad = [];
    for (const file of [mainLog, ...workers.map((w) => w.log)]) {
      for (const l of qm.readJsonLog(file)) {
        const text = `${l.message} ${JSON.stringify(l.metadata || {})}`;
        if ((l.level === 'error' || l.level === 'warn') && /hailuo|Unrecognized node type|Failed to load/i.test(text)) {
          bad.push(`${path.basename(file)}: ${l.level} ${text.slice(0, 300)}`);
        }
        if (l.level === 'error' && /Execution .* failed|Problem with execution/i.test(text)) bad.push(`${path.basename(file)}: ${text.slice(0, 300)}`);
      }
    }
    assert(bad.length === 0, bad.slice(0, 8).join('\n'));
  });

  // Last: scenarios that make n8n log errors on purpose (a stopped execution).
  await runScenarios('queue', scenarios.filter((s) => s.logsErrors), ctx);

  if (figures.length > 0) {
    process.stdout.write(`\nqueue figures (${WORKERS} workers × concurrency ${WORKER_CONCURRENCY}, ${CONCURRENCY} webhook calls at once, 2 videos of ${(VIDEO_BYTES / 1e6).toFixed(1)} MB per execution, fal emulated at 0.5 s queue + 2 s generation):\n`);
    for (const f of figures) process.stdout.write(`  ${f}\n`);
  }
  process.stdout.write(`queue: ${((Date.now() - started) / 1000).toFixed(0)} s in all\n`);
}

/** Runs the scenarios on one cluster; ends with `N passed, N failed`. @param {any[]} scenarios */
function runQueue(scenarios) {
  handleSignals();
  runChecks('queue', async () => {
    try {
      await main(scenarios);
    } catch (e) {
      if (interrupted) return;
      fail('queue set-up', e instanceof Error ? e.stack || e.message : String(e));
      if (work) {
        for (const f of ['main.log', 'worker1.log', 'worker2.log', 'emulator.log']) {
          const p = path.join(work, 'logs', f);
          if (!fs.existsSync(p)) continue;
          const tail = fs.readFileSync(p, 'utf8').split('\n').slice(-12).join('\n');
          process.stdout.write(`---- ${f} (last lines)\n${tail}\n`);
        }
      }
    } finally {
      await cleanUp();
    }
  });
}

module.exports = { runQueue };
