#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * The node in n8n's queue mode: `npm run test:queue` (or `node test/queue/queue.js [--executions N] [--concurrency C]
 * [--no-build] [--keep]`).
 *
 * Starts real Redis and PostgreSQL on 127.0.0.1 in a scratch folder (scripts/lib/queue-mode.js), the fal emulator,
 * and n8n 2.41.1 with EXECUTIONS_MODE=queue: one main process (webhooks, REST) and two workers (`n8n worker`), each
 * with its own user folder holding the package as `npm pack` ships it, binary data in the database. Imports the
 * emulator credential and two workflows, publishes them, then:
 *
 * - fires N executions (default 20, at most C at once) of Webhook → Code (2 prompts) → Hailuo Generate → Respond
 *   through the production webhook, and checks: every execution succeeded (n8n's REST API), both workers ran some
 *   (each worker's log, and the worker id the main logged per execution), every video is byte-identical to the
 *   emulator's and readable through the REST path the editor uses (`/rest/binary-data`), the emulator saw exactly
 *   2N jobs and no duplicate;
 * - does it all again on the same processes (the emulator reset), and checks that the second run gives the same
 *   results with new jobs;
 * - runs the async pattern: Submit (fal_webhook = the Wait node's resume URL) → Wait (On Webhook Call) → Get Result:
 *   the emulator's webhook resumes each execution through the main on whichever worker takes the job.
 *
 * Prints executions per minute and the most jobs the emulator had in flight, stops every process it started (also
 * on failure or Ctrl-C) and deletes its scratch folder (kept with --keep). Ends with `N passed, N failed`.
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const n8n = require('../../scripts/lib/n8n');
const qm = require('../../scripts/lib/queue-mode');
const { assert, check, fail, runChecks } = require('../../scripts/lib/checks');
const wf = require('./workflows');

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
const WORKERS = 2;
/** Size of every video the emulator serves. */
const VIDEO_BYTES = 2_000_000;
/** fal-like pacing, scaled down: 0.5 s in the queue, 2 s generating. */
const EMULATOR_ARGS = ['--queue-ms', '500', '--progress-ms', '2000', '--video-bytes', String(VIDEO_BYTES)];
const OWNER = { email: 'owner@example.com', firstName: 'Queue', lastName: 'Tester', password: 'Hailuo-queue-1' };

const processes = new qm.Processes();
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

for (const sig of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.once(sig, () => {
    interrupted = true;
    process.stdout.write(`\nqueue: ${sig}, stopping everything it started\n`);
    cleanUp().finally(() => process.exit(130));
  });
}
process.on('exit', () => processes.killAllNow());

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha256 = (/** @type {Buffer} */ b) => crypto.createHash('sha256').update(b).digest('hex');
/** Short JSON of anything (undefined too) for a failure message. @param {unknown} x @param {number} [n] */
const show = (x, n = 300) => String(JSON.stringify(x) ?? x).slice(0, n);
/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The host id a worker logged at start (debug level: "Host ID: worker-…"). @param {string} log */
function workerHostId(log) {
  const line = qm.readJsonLog(log).find((l) => /^Host ID: /.test(l.message || ''));
  return line ? line.message.slice('Host ID: '.length).trim() : undefined;
}

/**
 * Waits until n8n's REST API lists every execution in `ids` with a final status; returns them.
 * @param {InstanceType<typeof qm.N8nRest>} rest @param {string} workflowId @param {Set<string>} ids @param {number} ms
 */
async function waitForEnd(rest, workflowId, ids, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const list = (await rest.executions(workflowId)).filter((e) => ids.has(String(e.id)));
    if ((list.length === ids.size && list.every((e) => FINAL.includes(e.status))) || Date.now() > deadline) return list;
    await sleep(250);
  }
}
const FINAL = ['success', 'error', 'crashed', 'canceled'];

/**
 * Runs `fn` over `items`, at most `limit` at once, in order of start.
 * @template T, R @param {T[]} items @param {number} limit @param {(t: T, i: number) => Promise<R>} fn
 * @returns {Promise<R[]>}
 */
async function pool(items, limit, fn) {
  /** @type {R[]} */
  const out = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

async function main() {
  const started = Date.now();
  if (BUILD) n8n.buildPackage();
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
  const tarball = n8n.packPackage(work);

  // Services: Redis, PostgreSQL, the fal emulator.
  const t0 = Date.now();
  const [redis, pg] = await Promise.all([
    qm.startRedis({ dir: path.join(work, 'redis'), processes }),
    qm.startPostgres({ dir: path.join(work, 'postgres'), processes }),
  ]);
  const emulator = await n8n.startEmulator({ logFile: path.join(logs, 'emulator.log'), args: EMULATOR_ARGS });
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
    n8n.installPackageInto(tarball, userFolder);
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

  // Database, credential, workflows (the first n8n command migrates PostgreSQL), then publish both workflows.
  const t1 = Date.now();
  await n8n.importCredentials([n8n.emulatorCredential(emulator.origin)], mainEnv, work);
  await n8n.importWorkflows([wf.syncWorkflow(emulator.origin), wf.asyncWorkflow(emulator.origin)], mainEnv, work);
  for (const id of [wf.SYNC_ID, wf.ASYNC_ID]) await n8n.runN8nOk(['publish:workflow', `--id=${id}`], mainEnv);
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

  await check('every n8n process loads the package from its own user folder (main: the node type; workers: 1 node, 1 credential)', async () => {
    const res = await rest.raw('/types/nodes.json');
    assert(res.ok, `/types/nodes.json answered HTTP ${res.status}`);
    const types = await res.json();
    const list = Array.isArray(types) ? types : [];
    assert(list.some((t) => t.name === n8n.NODE_TYPE), `the main's /types/nodes.json lacks ${n8n.NODE_TYPE}`);
    for (const w of workers) {
      const loaded = qm.readJsonLog(w.log).find((l) => /^Loaded all credentials and nodes from n8n-nodes-hailuo/.test(l.message));
      assert(loaded, `${w.name} did not log loading n8n-nodes-hailuo (see its log)`);
      const m = loaded.metadata || {};
      assert(m.credentials === 1 && m.nodes === 1, `${w.name} loaded ${m.credentials} credentials and ${m.nodes} nodes`);
    }
  });

  /** @type {Awaited<ReturnType<typeof runRound>>[]} */
  const rounds = [];
  for (const round of [1, 2]) {
    if (round === 2) await emu('/_emulator/reset', { method: 'POST' });
    const r = await runRound({ round, base, rest, emu, emulator, workers, mainLog });
    rounds.push(r);
  }

  await check('the second run gives the same results as the first (same prompts, files and bytes; new jobs)', () => {
    const [a, b] = rounds;
    assert(a.summary.length === EXECUTIONS && b.summary.length === EXECUTIONS, `results: ${a.summary.length} and ${b.summary.length}`);
    assert(JSON.stringify(a.summary) === JSON.stringify(b.summary), `run 1: ${JSON.stringify(a.summary[0])}\nrun 2: ${JSON.stringify(b.summary[0])}`);
    const shared = [...b.requestIds].filter((id) => a.requestIds.has(id));
    assert(shared.length === 0, `run 2 returned run 1's request ids: ${shared.slice(0, 3)}`);
    const sharedExec = [...b.executionIds].filter((id) => a.executionIds.has(id));
    assert(sharedExec.length === 0, `execution ids reused: ${sharedExec}`);
  });

  await runAsync({ base, rest, emu, emulator, workers, mainLog });

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

  // Last: a stopped execution makes n8n log errors on purpose.
  await runStop({ base, rest, emu, workers });

  const figures = rounds.map((r) => `run ${r.round}: ${r.perMinute.toFixed(0)} executions/min (${EXECUTIONS} in ${r.wallS.toFixed(1)} s, median ${r.medianS.toFixed(1)} s each: ${r.phases}), emulator max in flight ${r.maxInFlight} jobs`);
  process.stdout.write(`\nqueue figures (${WORKERS} workers × concurrency ${WORKER_CONCURRENCY}, ${CONCURRENCY} webhook calls at once, 2 videos of ${(VIDEO_BYTES / 1e6).toFixed(1)} MB per execution, fal emulated at 0.5 s queue + 2 s generation):\n`);
  for (const f of figures) process.stdout.write(`  ${f}\n`);
  process.stdout.write(`queue: ${((Date.now() - started) / 1000).toFixed(0)} s in all\n`);
}

/**
 * One run of N executions through the production webhook, and its checks.
 * @param {{ round: number, base: string, rest: InstanceType<typeof qm.N8nRest>, emu: (p: string, init?: RequestInit) => Promise<any>,
 *   emulator: { origin: string }, workers: { name: string, log: string }[], mainLog: string }} o
 */
async function runRound({ round, base, rest, emu, emulator, workers, mainLog }) {
  const label = `run ${round}`;
  const tags = Array.from({ length: EXECUTIONS }, (_, i) => `execution ${i + 1}`);
  const t0 = Date.now();
  const answers = await pool(tags, CONCURRENCY, async (tag) => {
    const s = Date.now();
    const sentAt = s;
    try {
      const res = await fetch(`${base}/webhook/${wf.SYNC_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tag }),
        signal: AbortSignal.timeout(180_000),
      });
      const text = await res.text();
      /** @type {any} */
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      return { tag, status: res.status, body, ms: Date.now() - s, sentAt };
    } catch (e) {
      return { tag, status: 0, body: String(e), ms: Date.now() - s, sentAt };
    }
  });
  const wallS = (Date.now() - t0) / 1000;
  const perMinute = (EXECUTIONS / wallS) * 60;
  const stats = await emu('/_emulator/stats');
  process.stdout.write(`      ${label}: ${EXECUTIONS} webhook calls answered in ${wallS.toFixed(1)} s (${perMinute.toFixed(0)}/min), emulator max in flight ${stats.maxInFlight}\n`);

  const executionIds = new Set(answers.map((a) => String(a.body?.executionId ?? '')).filter(Boolean));
  /** @type {Set<string>} */
  const requestIds = new Set();
  /** @type {any[]} */
  const summary = [];

  await check(`${label}: every webhook call answered 200 with two videos from the Respond node`, () => {
    const bad = answers.filter((a) => a.status !== 200 || !Array.isArray(a.body?.videos) || a.body.videos.length !== 2);
    assert(bad.length === 0, `${bad.length} bad answers, e.g. ${show(bad[0], 400)}`);
    assert(executionIds.size === EXECUTIONS, `${executionIds.size} distinct execution ids`);
    for (const a of answers) {
      const want = wf.promptsFor(a.tag);
      assert(a.body.videos.map((/** @type {any} */ v) => v.prompt).join('|') === want.join('|'), `prompts ${JSON.stringify(a.body.videos.map((/** @type {any} */ v) => v.prompt))} for ${a.tag}`);
    }
  });

  /** @type {Map<string, any>} execution id → execution with data */
  const executions = new Map();
  await check(`${label}: n8n's REST API lists all ${EXECUTIONS} executions as succeeded (mode webhook)`, async () => {
    // The Respond node answers the webhook before the worker has stored the end of the execution.
    const list = await waitForEnd(rest, wf.SYNC_ID, executionIds, 60_000);
    assert(list.length === EXECUTIONS, `${list.length} of the ${EXECUTIONS} executions listed`);
    const notOk = list.filter((e) => e.status !== 'success' || e.mode !== 'webhook');
    assert(notOk.length === 0, `not successful: ${notOk.map((e) => `${e.id} ${e.status} ${e.mode}`).join(', ')}`);
    for (const e of list) executions.set(String(e.id), await rest.execution(String(e.id)));
  });

  await check(`${label}: every video is byte-identical to the emulator's, read from the database through /rest/binary-data on the main`, async () => {
    assert(executions.size === EXECUTIONS, 'executions missing (previous check)');
    const byTag = new Map(answers.map((a) => [String(a.body?.executionId), a.tag]));
    const emulatorSha = new Map();
    for (const [id, e] of executions) {
      const runs = e.data?.resultData?.runData?.['Hailuo Video'];
      assert(Array.isArray(runs) && runs.length === 1 && !runs[0].error, `execution ${id}: Hailuo Video did not run once without error`);
      const items = runs[0].data.main[0];
      assert(items.length === 2, `execution ${id}: ${items.length} items`);
      const videos = [];
      for (const item of items) {
        const j = item.json;
        const bin = item.binary?.data;
        assert(bin && typeof bin.id === 'string' && bin.id.startsWith('database:'), `execution ${id}: binary ${JSON.stringify(bin)} is not in the database store`);
        assert(j.status === 'COMPLETED' && j.fileSize === VIDEO_BYTES && j.mimeType === 'video/mp4', `execution ${id}: ${show(j, 300)}`);
        requestIds.add(j.requestId);
        const { bytes, contentType } = await rest.binary(bin.id);
        assert(contentType === 'video/mp4', `binary ${bin.id}: content-type ${contentType}`);
        if (!emulatorSha.has(j.requestId)) {
          const res = await fetch(`${emulator.origin}/cdn/${j.requestId}/output.mp4`);
          assert(res.ok, `the emulator has no video for ${j.requestId} (HTTP ${res.status})`);
          emulatorSha.set(j.requestId, sha256(Buffer.from(await res.arrayBuffer())));
        }
        assert(bytes.length === VIDEO_BYTES, `binary ${bin.id}: ${bytes.length} bytes, the emulator served ${VIDEO_BYTES}`);
        assert(sha256(bytes) === emulatorSha.get(j.requestId), `binary ${bin.id} differs from the emulator's video of ${j.requestId}`);
        videos.push({ prompt: j.prompt, status: j.status, fileSize: j.fileSize, mimeType: j.mimeType, sha256: sha256(bytes), fileNameShape: String(j.fileName).replace(j.requestId, '<request id>') });
      }
      summary.push({ tag: byTag.get(id), videos });
    }
    summary.sort((x, y) => Number(String(x.tag).split(' ')[1]) - Number(String(y.tag).split(' ')[1]));
    assert(requestIds.size === 2 * EXECUTIONS, `${requestIds.size} distinct request ids, expected ${2 * EXECUTIONS}`);
    const answered = new Set(answers.flatMap((a) => (a.body?.videos || []).map((/** @type {any} */ v) => v.requestId)));
    assert([...requestIds].every((rid) => answered.has(rid)), 'the webhook answers and the stored executions name different jobs');
  });

  await check(`${label}: the emulator saw exactly ${2 * EXECUTIONS} jobs, all completed, no duplicate, none left running`, async () => {
    const s = await emu('/_emulator/stats');
    assert(s.accepted === 2 * EXECUTIONS, `accepted ${s.accepted}`);
    assert(s.submits === 2 * EXECUTIONS, `submit calls ${s.submits}`);
    assert(s.duplicates === 0, `duplicates ${s.duplicates}`);
    assert(s.completed === 2 * EXECUTIONS, `completed ${s.completed}`);
    assert(s.running === 0, `running ${s.running}`);
    const jobs = (await emu('/_emulator/jobs')).jobs;
    const ids = new Set(jobs.map((/** @type {any} */ j) => j.requestId));
    assert([...requestIds].every((rid) => ids.has(rid)), 'a request id in n8n is not one of the emulator jobs');
  });

  /** Where an execution's time goes (medians, s): queued in Redis, on the worker before fal, at fal, after fal. */
  let phases = '';
  await check(`${label}: timing of each execution read from n8n and the emulator`, async () => {
    const list = await rest.executions(wf.SYNC_ID);
    const jobs = new Map((await emu('/_emulator/jobs')).jobs.map((/** @type {any} */ j) => [j.requestId, j]));
    /** @type {Record<string, number[]>} */
    const t = { queued: [], beforeFal: [], atFal: [], afterFal: [] };
    for (const a of answers) {
      const e = list.find((x) => String(x.id) === String(a.body?.executionId));
      const js = (a.body?.videos || []).map((/** @type {any} */ v) => jobs.get(v.requestId)).filter(Boolean);
      if (!e || js.length !== 2 || !e.startedAt || !e.stoppedAt) continue;
      const start = Date.parse(e.startedAt);
      const firstSubmit = Math.min(...js.map((/** @type {any} */ j) => j.submittedAt));
      const lastDone = Math.max(...js.map((/** @type {any} */ j) => j.completedAt));
      t.queued.push(start - a.sentAt);
      t.beforeFal.push(firstSubmit - start);
      t.atFal.push(lastDone - firstSubmit);
      t.afterFal.push(Date.parse(e.stoppedAt) - lastDone);
    }
    assert(t.queued.length === EXECUTIONS, `timings for ${t.queued.length} executions`);
    phases = Object.entries(t).map(([k, v]) => `${k} ${(median(v) / 1000).toFixed(2)}`).join(', ');
    process.stdout.write(`      ${label}: median seconds per execution: ${phases}\n`);
  });

  /** @type {Record<string, number>} */
  const perWorker = {};
  await check(`${label}: both workers ran some executions (worker logs; the main's record of the worker id agrees)`, () => {
    /** @type {Map<string, string>} execution id → worker */
    const ranOn = new Map();
    for (const w of workers) {
      for (const l of qm.readJsonLog(w.log)) {
        const m = /^Worker finished execution (\d+)/.exec(l.message || '');
        if (m && executionIds.has(m[1])) {
          assert(!ranOn.has(m[1]), `execution ${m[1]} finished on ${ranOn.get(m[1])} and ${w.name}`);
          ranOn.set(m[1], w.name);
        }
      }
    }
    assert(ranOn.size === EXECUTIONS, `the worker logs name ${ranOn.size} of the ${EXECUTIONS} executions`);
    for (const w of workers) perWorker[w.name] = [...ranOn.values()].filter((x) => x === w.name).length;
    assert(Object.values(perWorker).every((n) => n > 0), `executions per worker: ${JSON.stringify(perWorker)}`);
    // The main logs the worker id (n8n's host id) each job-finished message came from: it must be the host id of the
    // worker whose log has the execution.
    const hostIds = new Map(workers.map((w) => [w.name, workerHostId(w.log)]));
    let agreeing = 0;
    for (const l of qm.readJsonLog(mainLog)) {
      const m = /^Execution (\d+) \(job \S+\) finished/.exec(l.message || '');
      if (!m || !executionIds.has(m[1])) continue;
      const worker = /** @type {string} */ (ranOn.get(m[1]));
      assert(l.metadata?.workerId === hostIds.get(worker), `execution ${m[1]}: the main names worker ${l.metadata?.workerId}, ${worker}'s host id is ${hostIds.get(worker)}`);
      agreeing++;
    }
    assert(agreeing === EXECUTIONS, `the main logged ${agreeing} of the ${EXECUTIONS} finished executions`);
    const sameHost = new Set(hostIds.values()).size < WORKERS;
    process.stdout.write(
      `      ${label}: executions per worker ${JSON.stringify(perWorker)}` +
        (sameHost ? ` (n8n's host ids: ${[...new Set(hostIds.values())]}: in a container n8n names a worker after the hostname, so workers on one host share it)` : '') +
        '\n',
    );
  });

  return {
    round,
    wallS,
    perMinute,
    medianS: median(answers.map((a) => a.ms)) / 1000,
    maxInFlight: stats.maxInFlight,
    phases,
    summary,
    requestIds,
    executionIds,
    perWorker,
  };
}

/**
 * Submit → Wait (On Webhook Call) → Get Result in queue mode: fal's webhook (the emulator's) calls the Wait node's
 * resume URL on the main, which queues the rest of the execution for whichever worker takes it.
 * @param {{ base: string, rest: InstanceType<typeof qm.N8nRest>, emu: (p: string, init?: RequestInit) => Promise<any>,
 *   emulator: { origin: string }, workers: { name: string, log: string }[], mainLog: string }} o
 */
async function runAsync({ base, rest, emu, emulator, workers }) {
  await emu('/_emulator/reset', { method: 'POST' });
  const before = new Set((await rest.executions(wf.ASYNC_ID)).map((e) => String(e.id)));
  const prompts = Array.from({ length: ASYNC_EXECUTIONS }, (_, i) => `async ${i + 1}: the camera rises over the roofs`);
  const t0 = Date.now();
  const answers = await Promise.all(
    prompts.map(async (prompt) => {
      const res = await fetch(`${base}/webhook/${wf.ASYNC_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt }),
        signal: AbortSignal.timeout(60_000),
      });
      return { status: res.status, text: await res.text() };
    }),
  );
  /** @type {any[]} */
  let finished = [];
  /** @type {any[]} */
  let mine = [];
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    mine = (await rest.executions(wf.ASYNC_ID)).filter((e) => !before.has(String(e.id)));
    finished = mine.filter((e) => FINAL.includes(e.status));
    if (mine.length >= ASYNC_EXECUTIONS && finished.length === mine.length) break;
    await sleep(500);
  }
  const wallS = (Date.now() - t0) / 1000;
  process.stdout.write(`      async: ${finished.length} of ${ASYNC_EXECUTIONS} executions ended in ${wallS.toFixed(1)} s\n`);

  await check(`async: ${ASYNC_EXECUTIONS} executions started by the webhook all end in success`, () => {
    assert(answers.every((a) => a.status === 200), `webhook answers: ${answers.map((a) => `${a.status} ${a.text.slice(0, 100)}`).join('; ')}`);
    assert(mine.length === ASYNC_EXECUTIONS, `${mine.length} executions of the async workflow`);
    const bad = mine.filter((e) => e.status !== 'success');
    assert(bad.length === 0, `not successful: ${bad.map((e) => `${e.id} ${e.status}`).join(', ')}`);
  });

  await check('async: fal called each Wait node\'s resume URL on the main once, and Get Result ends with the video (byte-identical, from the database)', async () => {
    const hooks = (await emu('/_emulator/webhooks')).webhooks;
    for (const e of mine) {
      const x = await rest.execution(String(e.id));
      const run = x.data?.resultData?.runData || {};
      const submitted = run.Submit?.[0]?.data?.main?.[0]?.[0]?.json;
      assert(submitted?.requestId, `execution ${e.id}: Submit gave ${JSON.stringify(submitted)}`);
      const hookUrl = String(submitted.webhookUrl || '');
      assert(hookUrl.startsWith(`${base}/webhook-waiting/${e.id}`), `execution ${e.id}: webhook URL ${hookUrl} is not the Wait node's resume URL on the main`);
      const resumed = run['Wait for fal']?.[0]?.data?.main?.[0]?.[0]?.json;
      assert(resumed?.body?.request_id === submitted.requestId && resumed.body.status === 'OK', `execution ${e.id}: the Wait node got ${show(resumed?.body, 200)}`);
      const got = run['Get Result']?.[0]?.data?.main?.[0]?.[0];
      assert(got?.json?.requestId === submitted.requestId && got.json.status === 'COMPLETED', `execution ${e.id}: Get Result gave ${show(got?.json, 300)}`);
      const bin = got.binary?.data;
      assert(bin?.id?.startsWith('database:'), `execution ${e.id}: binary ${JSON.stringify(bin)}`);
      const { bytes } = await rest.binary(bin.id);
      const fromEmu = Buffer.from(await (await fetch(`${emulator.origin}/cdn/${submitted.requestId}/output.mp4`)).arrayBuffer());
      assert(bytes.length === VIDEO_BYTES && bytes.equals(fromEmu), `execution ${e.id}: ${bytes.length} bytes, not the emulator's video`);
      const deliveries = hooks.filter((/** @type {any} */ h) => h.requestId === submitted.requestId);
      const ok = deliveries.filter((/** @type {any} */ h) => h.status >= 200 && h.status < 300);
      assert(ok.length === 1, `execution ${e.id}: deliveries ${JSON.stringify(deliveries.map((/** @type {any} */ h) => h.status ?? h.error))}`);
    }
    const s = await emu('/_emulator/stats');
    assert(s.accepted === ASYNC_EXECUTIONS && s.duplicates === 0 && s.running === 0, `emulator: ${JSON.stringify(s)}`);
  });

  await check('async: each execution ran twice on the workers (start, then resume after fal\'s webhook)', () => {
    /** @type {Map<string, string[]>} */
    const starts = new Map();
    for (const w of workers) {
      for (const l of qm.readJsonLog(w.log)) {
        const m = /^Worker started execution (\d+)/.exec(l.message || '');
        if (m && mine.some((e) => String(e.id) === m[1])) starts.set(m[1], [...(starts.get(m[1]) || []), `${l.metadata?.timestamp || ''} ${w.name}`]);
      }
    }
    const runs = mine.map((e) => (starts.get(String(e.id)) || []).sort().map((s) => s.split(' ').pop()));
    assert(runs.every((r) => r.length === 2), `worker runs per execution: ${JSON.stringify(runs)}`);
    const moved = runs.filter((r) => r[0] !== r[1]).length;
    process.stdout.write(`      async: start → resume workers ${runs.map((r) => r.join('→')).join(', ')} (${moved} resumed on the other worker)\n`);
  });
}

/**
 * Stop in queue mode: the main's stop (what the editor's Stop button calls) goes through Redis to the worker running
 * the execution, and the node cancels its fal jobs there.
 * @param {{ base: string, rest: InstanceType<typeof qm.N8nRest>, emu: (p: string, init?: RequestInit) => Promise<any>,
 *   workers: { name: string, log: string }[] }} o
 */
async function runStop({ base, rest, emu, workers }) {
  await emu('/_emulator/reset', { method: 'POST' });
  const before = new Set((await rest.executions(wf.SYNC_ID)).map((e) => String(e.id)));
  const answer = fetch(`${base}/webhook/${wf.SYNC_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tag: 'stopped [emulator:ms=120000]' }),
    signal: AbortSignal.timeout(90_000),
  }).then(
    async (res) => ({ status: res.status, text: await res.text() }),
    (e) => ({ status: 0, text: String(e) }),
  );
  await check('stop in queue mode: the main\'s stop reaches the worker, which cancels both fal jobs (none billed)', async () => {
    let deadline = Date.now() + 30_000;
    while ((await emu('/_emulator/stats')).inProgress < 2 && Date.now() < deadline) await sleep(200);
    const mine = (await rest.executions(wf.SYNC_ID)).filter((e) => !before.has(String(e.id)));
    assert(mine.length === 1 && mine[0].status === 'running', `executions: ${show(mine.map((e) => [e.id, e.status]))}`);
    const id = String(mine[0].id);
    const t0 = Date.now();
    await rest.post(`/rest/executions/${id}/stop`);
    /** @type {any[]} */
    let jobs = [];
    deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      jobs = (await emu('/_emulator/jobs')).jobs;
      if (jobs.length === 2 && jobs.every((j) => j.status === 'CANCELLED' || j.status === 'COMPLETED')) break;
      await sleep(200);
    }
    const stoppedS = (Date.now() - t0) / 1000;
    assert(jobs.length === 2, `the emulator has ${jobs.length} jobs`);
    assert(jobs.every((j) => j.cancelRequested && !j.billed), `jobs after the stop: ${show(jobs.map((j) => [j.status, j.cancelRequested, j.billed, j.error]), 500)}`);
    const [x] = (await rest.executions(wf.SYNC_ID)).filter((e) => String(e.id) === id);
    assert(x && x.status === 'canceled', `execution ${id} is ${x?.status}`);
    const ranOn = workers.filter((w) => qm.readJsonLog(w.log).some((l) => (l.message || '').startsWith(`Worker started execution ${id} `)));
    assert(ranOn.length === 1, `execution ${id} started on ${ranOn.length} workers`);
    const a = await answer;
    process.stdout.write(`      stop: execution ${id} on ${ranOn[0].name}: both fal jobs cancelled ${stoppedS.toFixed(1)} s after the stop; the webhook caller got HTTP ${a.status} ${a.text.slice(0, 120)}\n`);
  });
}

runChecks('queue', async () => {
  try {
    await main();
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
