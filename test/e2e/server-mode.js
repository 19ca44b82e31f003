#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * The node in n8n's server mode (`n8n start`): `npm run test:e2e:server` (run by `npm run test:e2e` after e2e.js),
 * or `node test/e2e/server-mode.js [--n8n <version>] [--no-build] [--keep]`.
 *
 * What `n8n execute` cannot show: a Wait node resumed by fal's webhook, the editor's Stop button, a schedule that
 * fires by itself. One user folder, one n8n server, three fal emulators (so that each check reads its own counters):
 *
 * - schedule  (issue 18): a workflow published before start, Schedule Trigger every 5 s → Code (2 prompts naming the
 *   execution) → Hailuo Generate. It fires at least twice with nobody at the editor; every execution in n8n's
 *   database is a success in mode `trigger`, its videos in the binary store are the emulator's bytes, and no job is
 *   submitted twice. Then it is deactivated over REST and nothing more is submitted for two intervals.
 * - stop      (issue 14): a run started as the editor starts it (POST /rest/workflows/:id/run), two jobs on an
 *   emulator that lets one run at a time (one running, one queued), then the editor's Stop (POST
 *   /rest/executions/:id/stop): no job left running on the emulator within a few seconds. And an Image URL of a
 *   100x100 PNG is refused before any submit, naming Image URL and the item.
 * - in flight (issue 15): three items whose jobs the emulator sees in flight together.
 * - webhook   (issue 16): example 04 (Submit → Wait on its resume URL → Get Result → Write File) with the emulator
 *   calling the real resume URL; the file written is the emulator's MP4 byte for byte. Again with the emulator's
 *   `duplicate` webhook fault: the second delivery is refused by n8n and makes no second Get Result or download. A
 *   forged call to the resume URL may wake the Wait node, but Get Result still reads the video from fal.
 *   Examples 05a/05b (submit on a schedule, collect with Get Status / Get Result through a Data Table) run too.
 * - models    (issue 17): a Fast image-to-video job and a text-to-video job; each submit body carries exactly its
 *   model's fields.
 * - dev       (issue 18): `npm run dev` without FAL_KEY (emulator by default, example 1 runs) and with a fake FAL_KEY
 *   (credential "Hailuo (fal.ai)", the key only in n8n's encrypted store): ./server-mode-dev.js.
 *
 * Ends with `N passed, N failed`; exits non-zero on any failure.
 */

const fs = require('node:fs');
const path = require('node:path');

const argv = process.argv.slice(2);
const runtime = selectRuntime(argv);
const args = new Set(argv);
const BUILD = !args.has('--no-build');
const KEEP = args.has('--keep');

// scripts/lib/n8n.js reads the runtime folder when it is first required.
const n8n = require('../../scripts/lib/n8n');
const { assert, check, fail, allPassed, runChecks } = require('../../scripts/lib/checks');
const { devChecks } = require('./server-mode-dev');

const OWNER = { email: 'owner@example.com', firstName: 'Hailuo', lastName: 'Server', password: 'Hailuo-server-1' };
/** The schedule's interval (seconds) and how many times it must fire before it is switched off. */
const INTERVAL_S = 5;
const MIN_RUNS = 2;
const SCHEDULE_ITEMS = 2;

/** Credentials, one per emulator; ids are n8n's 16-character ids. */
const CRED = {
  main: n8n.EMULATOR_CREDENTIAL,
  slow: { id: 'hailuoSlowEmu001', name: 'Hailuo (slow fal emulator)' },
  schedule: { id: 'hailuoSchedEmu01', name: 'Hailuo (schedule fal emulator)' },
};
const WF = {
  example4: 'hailuoExample004',
  schedule: 'hailuoSrvSched01',
  stop: 'hailuoSrvStop001',
  tiny: 'hailuoSrvTiny001',
  inFlight: 'hailuoSrvFlight1',
  models: 'hailuoSrvModels1',
};
const MANUAL = "When clicking 'Execute workflow'";
const FAST_I2V = 'fal-ai/minimax/hailuo-2.3-fast/standard/image-to-video';
const STANDARD_T2V = 'fal-ai/minimax/hailuo-2.3/standard/text-to-video';

/**
 * The n8n to run, from `--n8n <version>` (taken out of `argv`) or N8N_VERSION, as scripts/lib/runtime.js resolves it
 * for the whole e2e suite. The folder and version are put into this process's environment before scripts/lib/n8n.js
 * is loaded, which reads them. Without scripts/lib/runtime.js only the pinned n8n in .n8n-runtime/ can run.
 * @param {string[]} argvIn
 * @returns {{ version: string, major: number, dir: string, isDefault?: boolean, env: Record<string, string>, unsetEnv: string[], activateArgs: (id: string) => string[], describe: () => string, path?: (p?: string) => string }}
 */
function selectRuntime(argvIn) {
  /** @type {any} */
  let lib;
  try {
    lib = require('../../scripts/lib/runtime');
  } catch (e) {
    if (/** @type {any} */ (e).code !== 'MODULE_NOT_FOUND') throw e;
  }
  if (lib) {
    const rt = lib.resolveRuntime(lib.takeN8nArg(argvIn));
    process.env.N8N_VERSION = rt.version;
    process.env.N8N_RUNTIME_DIR = rt.dir;
    return rt;
  }
  const i = argvIn.indexOf('--n8n');
  const wanted = i >= 0 ? argvIn.splice(i, 2)[1] : undefined;
  if (wanted && !/^2(\.41(\.1|\.x)?|\.x)?$/.test(wanted)) throw new Error(`--n8n ${wanted}: only n8n 2.41.1 is installed here`);
  const dir = process.env.N8N_RUNTIME_DIR || path.join(__dirname, '..', '..', '.n8n-runtime');
  return {
    version: '2.41.1',
    major: 2,
    dir,
    isDefault: true,
    env: { N8N_DISABLED_MODULES: 'mcp-registry' },
    unsetEnv: [],
    activateArgs: (id) => ['publish:workflow', `--id=${id}`],
    describe: () => `n8n 2.41.1 (${dir})`,
  };
}

/** The version of the n8n that n8n.N8N_BIN runs (it must be the one asked for). */
function installedN8n() {
  const file = path.join(n8n.RUNTIME, 'node_modules', 'n8n', 'package.json');
  assert(fs.existsSync(file), `n8n ${runtime.version} is not installed in ${n8n.RUNTIME}: N8N_VERSION=${runtime.version} bash scripts/install-n8n.sh`);
  const version = String(JSON.parse(fs.readFileSync(file, 'utf8')).version);
  assert(version === runtime.version, `${n8n.RUNTIME} holds n8n ${version}, not ${runtime.version}`);
  return { version, major: Number(version.split('.')[0]) };
}

// ---------------------------------------------------------------------------------------------------------------
// Small clients: n8n's REST API as the editor uses it, and the emulators' admin API.

class Rest {
  /** @param {string} base */
  constructor(base) {
    this.base = base;
    this.cookie = '';
  }

  /**
   * @param {string} method @param {string} p @param {unknown} [body]
   * @returns {Promise<{ status: number, json: any, text: string }>}
   */
  async raw(method, p, body) {
    const res = await fetch(`${this.base}${p}`, {
      method,
      headers: { 'content-type': 'application/json', ...(this.cookie ? { cookie: this.cookie } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
    if (setCookie) this.cookie = setCookie.split(';')[0];
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }

  /** The `data` of a 2xx answer; throws otherwise. @param {string} method @param {string} p @param {unknown} [body] */
  async call(method, p, body) {
    const r = await this.raw(method, p, body);
    if (r.status < 200 || r.status >= 300) throw new Error(`${method} ${p} answered HTTP ${r.status}: ${r.text.slice(0, 500)}`);
    return r.json && 'data' in r.json ? r.json.data : r.json;
  }

  async setUpOwner() {
    await this.call('POST', '/rest/owner/setup', OWNER);
    await this.call('POST', '/rest/login', { emailOrLdapLoginId: OWNER.email, password: OWNER.password });
  }

  /**
   * Starts a workflow as the editor's "Execute workflow" does: from its manual trigger. The body carries the
   * workflow too, which n8n 1.x reads and 2.x ignores (it runs the saved workflow).
   * @param {string} workflowId @param {string} [trigger] @returns {Promise<string>} the execution id
   */
  async run(workflowId, trigger = MANUAL) {
    const workflowData = await this.call('GET', `/rest/workflows/${workflowId}`);
    const started = await this.call('POST', `/rest/workflows/${workflowId}/run`, {
      workflowData,
      triggerToStartFrom: { name: trigger },
    });
    assert(started && started.executionId, `the run did not start: ${JSON.stringify(started)}`);
    return String(started.executionId);
  }

  /** An execution with its data unflattened (n8n sends it in `flatted` form). @param {string} id */
  async execution(id) {
    const e = await this.call('GET', `/rest/executions/${id}`);
    if (e && typeof e.data === 'string') e.data = flatted().parse(e.data);
    return e;
  }

  /**
   * Polls an execution until its status is one of `until`.
   * @param {string} id @param {string[]} until @param {number} [timeoutMs]
   */
  async waitFor(id, until, timeoutMs = 90_000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
      last = await this.call('GET', `/rest/executions/${id}`);
      if (until.includes(last.status)) return await this.execution(id);
      await sleep(300);
    }
    throw new Error(`execution ${id} did not reach ${until.join('/')} within ${timeoutMs} ms (status ${last?.status})`);
  }
}

/** n8n's own `flatted` (execution data is stored and sent in that form). */
function flatted() {
  return require(require.resolve('flatted', { paths: [path.join(n8n.RUNTIME, 'node_modules', 'n8n')] }));
}

/** @param {{ origin: string }} emulator */
function emuApi(emulator) {
  const get = async (/** @type {string} */ p) => await (await fetch(`${emulator.origin}/_emulator/${p}`)).json();
  return {
    stats: () => get('stats'),
    calls: async () => /** @type {any[]} */ ((await get('calls')).calls),
    jobs: async () => /** @type {any[]} */ ((await get('jobs')).jobs),
    webhooks: async () => /** @type {any[]} */ ((await get('webhooks')).webhooks),
    reset: async () => {
      await fetch(`${emulator.origin}/_emulator/reset`, { method: 'POST' });
    },
    /** @param {object} spec */
    fault: async (spec) => {
      const r = await fetch(`${emulator.origin}/_emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(spec),
      });
      assert(r.ok, `fault refused: ${await r.text()}`);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Workflows built for these checks (the examples are loaded from examples/).

/** @param {string} name @param {string} credKey @param {Record<string, unknown>} parameters @param {[number, number]} position */
function hailuoNode(name, credKey, parameters, position) {
  const cred = CRED[/** @type {keyof typeof CRED} */ (credKey)];
  return {
    id: `node-${name.toLowerCase().replace(/\W+/g, '-')}`,
    name,
    type: n8n.NODE_TYPE,
    typeVersion: 1,
    position,
    parameters,
    credentials: { hailuoApi: { id: cred.id, name: cred.name } },
  };
}

const manualTrigger = () => ({
  id: 'node-manual',
  name: MANUAL,
  type: 'n8n-nodes-base.manualTrigger',
  typeVersion: 1,
  position: [0, 0],
  parameters: {},
});

/** @param {string} jsCode */
const codeNode = (jsCode) => ({
  id: 'node-code',
  name: 'Prompts',
  type: 'n8n-nodes-base.code',
  typeVersion: 2,
  position: [220, 0],
  parameters: { jsCode },
});

/** @param {string[]} chainNames node names in order */
function chain(chainNames) {
  /** @type {Record<string, any>} */
  const connections = {};
  for (let i = 0; i < chainNames.length - 1; i++) {
    connections[chainNames[i]] = { main: [[{ node: chainNames[i + 1], type: 'main', index: 0 }]] };
  }
  return connections;
}

/** @param {string} id @param {string} name @param {any[]} nodes */
function workflow(id, name, nodes) {
  return {
    id,
    name,
    nodes,
    connections: chain(nodes.map((n) => n.name)),
    active: false,
    settings: { executionOrder: 'v1' },
    pinData: {},
    tags: [],
  };
}

/** @param {number} count @param {string} imageUrl @param {string} words */
const promptsCode = (count, imageUrl, words) =>
  `return Array.from({ length: ${count} }, (_, i) => ({ json: { prompt: \`${words} \${i + 1} of ${count}, run \${$execution.id}\`, imageUrl: ${JSON.stringify(imageUrl)} } }));`;

/**
 * Example 3 on a 5-second schedule: two prompts naming the execution, so that a re-submitted item would show as a
 * duplicate on the emulator.
 * @param {any} example3 @param {string} imageUrl
 */
function scheduleWorkflow(example3, imageUrl) {
  const wf = JSON.parse(JSON.stringify(example3));
  wf.id = WF.schedule;
  wf.name = 'server-mode: schedule every 5 s';
  const trigger = wf.nodes.find((/** @type {any} */ n) => n.type === 'n8n-nodes-base.scheduleTrigger');
  trigger.parameters.rule = { interval: [{ field: 'seconds', secondsInterval: INTERVAL_S }] };
  const code = wf.nodes.find((/** @type {any} */ n) => n.type === 'n8n-nodes-base.code');
  code.parameters.jsCode = promptsCode(SCHEDULE_ITEMS, imageUrl, 'A slow dolly shot, scheduled video');
  const hailuo = wf.nodes.find((/** @type {any} */ n) => n.type === n8n.NODE_TYPE);
  hailuo.credentials.hailuoApi = { ...CRED.schedule };
  hailuo.parameters.options = { fileName: '=hailuo-scheduled-{{ $itemIndex }}.mp4' };
  // Results names the shot from the Code node's items, which no longer have one.
  const results = wf.nodes.find((/** @type {any} */ n) => n.name === 'Results');
  results.parameters.assignments.assignments = results.parameters.assignments.assignments.filter(
    (/** @type {any} */ a) => a.name !== 'shot',
  );
  return wf;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading what n8n did.

/** Output items of a node's first run. @param {any} exec @param {string} node */
function nodeItems(exec, node) {
  const runs = exec?.data?.resultData?.runData?.[node];
  assert(Array.isArray(runs) && runs.length > 0, `node "${node}" did not run (status ${exec?.status})`);
  assert(!runs[0].error, `node "${node}" failed: ${runs[0].error?.message}`);
  return runs[0].data.main[0] || [];
}

/** @param {any} exec */
const execError = (exec) => exec?.data?.resultData?.error?.message ?? '';

/** The bytes n8n keeps for a binary (filesystem mode, `filesystem-v2:<relative path>`). @param {string} userFolder @param {any} binary */
function binaryBytes(userFolder, binary) {
  assert(binary && typeof binary.id === 'string' && binary.id.includes(':'), `binary has no store id: ${JSON.stringify(binary)}`);
  const rel = binary.id.slice(binary.id.indexOf(':') + 1);
  for (const base of ['storage', 'binaryData']) {
    const p = path.join(userFolder, '.n8n', base, rel);
    if (fs.existsSync(p)) return fs.readFileSync(p);
  }
  throw new Error(`binary ${binary.id} is not in ${userFolder}/.n8n/storage`);
}

/** @param {string} url */
async function download(url) {
  return Buffer.from(await (await fetch(url)).arrayBuffer());
}

/** The MP4 of an output item is the emulator's, byte for byte. @param {string} userFolder @param {any} item */
async function assertVideoItem(userFolder, item) {
  assert(item?.json?.videoUrl && item.json.requestId, `not a video item: ${JSON.stringify(item?.json)}`);
  const bin = item.binary?.data;
  assert(bin?.mimeType === 'video/mp4', `binary: ${JSON.stringify(bin)}`);
  const held = binaryBytes(userFolder, bin);
  const served = await download(item.json.videoUrl);
  assert(served.length > 1000 && held.equals(served), `n8n holds ${held.length} bytes, the emulator serves ${served.length}: not the same`);
  return held;
}

/** Rows of n8n's execution_entity for a workflow (read-only, while n8n runs). @param {string} userFolder @param {string} workflowId */
function executionRows(userFolder, workflowId) {
  const { DatabaseSync } = require('node:sqlite');
  const db = new DatabaseSync(path.join(userFolder, '.n8n', 'database.sqlite'), { readOnly: true });
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    return /** @type {{ id: string, status: string, mode: string, finished: number }[]} */ (
      db
        .prepare('SELECT CAST(id AS TEXT) AS id, status, mode, finished FROM execution_entity WHERE workflowId = ? ORDER BY id')
        .all(workflowId)
        .map((r) => ({ ...r }))
    );
  } finally {
    db.close();
  }
}

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** @param {() => Promise<boolean> | boolean} cond @param {number} timeoutMs @param {string} what */
async function until(cond, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await sleep(200);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

const seconds = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  process.stdout.write(`server-mode: ${runtime.describe()}\n`);
  const work = n8n.scratchDir('server-mode');
  const userFolder = path.join(work, 'user');
  fs.mkdirSync(userFolder, { recursive: true });
  process.stdout.write(`server-mode: user folder ${path.relative(n8n.ROOT, userFolder)}\n`);

  n8n.packAndInstall({ userFolder, scratch: work, build: BUILD });
  const { version, major } = installedN8n();

  // Jobs of ~2 s: three of them overlap, and a Wait node is waiting before fal's webhook comes.
  const main = await n8n.startEmulator({ logFile: path.join(work, 'emulator-main.log'), args: ['--queue-ms', '200', '--progress-ms', '2000'] });
  // One job at a time, each running for minutes: a run stopped from n8n leaves one job running and one queued.
  const slow = await n8n.startEmulator({
    logFile: path.join(work, 'emulator-slow.log'),
    args: ['--queue-ms', '100', '--progress-ms', '600000', '--concurrency', '1'],
  });
  const sched = await n8n.startEmulator({ logFile: path.join(work, 'emulator-schedule.log'), args: ['--queue-ms', '100', '--progress-ms', '400'] });
  const emu = { main: emuApi(main), slow: emuApi(slow), sched: emuApi(sched) };

  const port = await n8n.freePort();
  const env = n8n.n8nEnv({ userFolder, port, brokerPort: await n8n.freePort(), extra: runtime.env });
  for (const k of runtime.unsetEnv) delete env[k];
  if (runtime.path) env.PATH = runtime.path(env.PATH);
  /** @type {Awaited<ReturnType<typeof n8n.startN8n>> | undefined} */
  let server;
  try {
    await n8n.importCredentials(
      [
        n8n.emulatorCredential(main.origin),
        { ...CRED.slow, type: 'hailuoApi', data: { apiKey: n8n.EMULATOR_API_KEY, baseUrl: slow.origin } },
        { ...CRED.schedule, type: 'hailuoApi', data: { apiKey: n8n.EMULATOR_API_KEY, baseUrl: sched.origin } },
      ],
      env,
      work,
    );
    const examples = n8n.loadExamples(main.origin).map((e) => e.workflow);
    const byId = (/** @type {string} */ id) => examples.find((wf) => wf.id === id);
    const [example3, example4, example5a, example5b] = ['hailuoExample003', WF.example4, 'hailuoExample05a', 'hailuoExample05b'].map(byId);
    assert(example3 && example4 && example5a && example5b, 'examples 03, 04, 05a and 05b are expected in examples/');

    const frame = (/** @type {string} */ origin) => `${origin}/_samples/frame.jpg`;
    const generate = (/** @type {Record<string, unknown>} */ p) => ({
      operation: 'generate',
      prompt: '={{ $json.prompt }}',
      imageSource: 'url',
      imageUrl: '={{ $json.imageUrl }}',
      duration: '6',
      promptOptimizer: true,
      ...p,
    });
    const workflows = [
      example4,
      scheduleWorkflow(example3, frame(sched.origin)),
      workflow(WF.stop, 'server-mode: stopped from n8n', [
        manualTrigger(),
        codeNode(promptsCode(2, frame(slow.origin), 'A long take')),
        hailuoNode('Hailuo Video', 'slow', generate({}), [440, 0]),
      ]),
      workflow(WF.tiny, 'server-mode: 100x100 first frame', [
        manualTrigger(),
        hailuoNode('Hailuo Video', 'main', generate({ prompt: 'A tiny image', imageUrl: `${main.origin}/_samples/png/100x100.png` }), [220, 0]),
      ]),
      workflow(WF.inFlight, 'server-mode: three items in flight', [
        manualTrigger(),
        codeNode(promptsCode(3, frame(main.origin), 'Three at once')),
        hailuoNode('Hailuo Video', 'main', generate({ options: { fileName: '=hailuo-flight-{{ $itemIndex }}.mp4' } }), [440, 0]),
      ]),
      workflow(WF.models, 'server-mode: Fast and text-to-video', [
        manualTrigger(),
        hailuoNode(
          'Fast Video',
          'main',
          generate({ model: FAST_I2V, prompt: 'A fast pan across the frame', imageUrl: frame(main.origin), options: { fileName: 'fast.mp4' } }),
          [220, 0],
        ),
        hailuoNode(
          'Text Video',
          'main',
          {
            operation: 'generate',
            model: STANDARD_T2V,
            prompt: 'A paper boat drifts down a rainy street',
            duration: '10',
            promptOptimizer: false,
            // Left over from an image model: a text-to-video model must not be sent it.
            imageSource: 'url',
            imageUrl: frame(main.origin),
            options: { fileName: 'text.mp4' },
          },
          [440, 0],
        ),
      ]),
    ];
    await n8n.importWorkflows(workflows, env, work);

    // The schedule is active when n8n starts, as a published workflow is after a restart.
    await n8n.runN8nOk(runtime.activateArgs(WF.schedule), env);

    const startAt = Date.now();
    server = await n8n.startN8n(env, { logFile: path.join(work, 'n8n.log') });
    process.stdout.write(`server-mode: n8n ${version} at ${server.url} (started in ${seconds(Date.now() - startAt)})\n`);
    const rest = new Rest(server.url);
    await rest.setUpOwner();

    await scheduleChecks({ rest, emu: emu.sched, userFolder, startedAt: startAt, major });
    const afterDeactivate = scheduleQuietCheck({ rest, emu: emu.sched, userFolder });

    await stopChecks({ rest, emu: emu.slow, main: emu.main });
    await inFlightCheck({ rest, emu: emu.main, userFolder });
    await webhookChecks({ rest, emu: emu.main, userFolder, port });
    await forgedWebhookCheck({ rest, emu: emu.main, userFolder, major });
    await modelChecks({ rest, emu: emu.main, userFolder });
    await collectChecks({ rest, emu: emu.main, userFolder, example5a, example5b });
    await afterDeactivate();

    // `npm run dev` as a newcomer meets it: the default n8n only (dev runs no other).
    await server.stop();
    server = undefined;
    if (runtime.isDefault !== false) await devChecks({ work });
    else process.stdout.write(`server-mode: npm run dev is checked with the default n8n only, not ${version}\n`);
  } finally {
    await server?.stop();
    await Promise.all([main.stop(), slow.stop(), sched.stop()]);
    if (!KEEP && allPassed()) fs.rmSync(work, { recursive: true, force: true });
    else process.stdout.write(`server-mode: logs and user folder kept in ${path.relative(n8n.ROOT, work)}\n`);
  }
  process.stdout.write(`server-mode: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// issue 18: a schedule that fires by itself

/** @type {{ deactivatedAt: number, runs: number, accepted: number }} */
const scheduleState = { deactivatedAt: 0, runs: 0, accepted: 0 };

/**
 * @param {{ rest: Rest, emu: ReturnType<typeof emuApi>, userFolder: string, startedAt: number, major: number }} o
 */
async function scheduleChecks({ rest, emu, userFolder, startedAt }) {
  const done = () => executionRows(userFolder, WF.schedule).filter((r) => r.status !== 'running' && r.status !== 'new');
  const fired = await check(`the published schedule fires by itself at least ${MIN_RUNS} times (every ${INTERVAL_S} s, nobody at the editor)`, async () => {
    await until(() => done().length >= MIN_RUNS, 60_000, `${MIN_RUNS} finished executions of the schedule`);
    process.stdout.write(`      ${done().length} runs finished ${seconds(Date.now() - startedAt)} after n8n was started\n`);
  });

  // Switch it off as the editor does (2.x: Unpublish; 1.x: the Active toggle), then let a running execution end.
  await rest.call('POST', `/rest/workflows/${WF.schedule}/deactivate`, {});
  scheduleState.deactivatedAt = Date.now();
  await until(() => executionRows(userFolder, WF.schedule).every((r) => r.status !== 'running' && r.status !== 'new'), 60_000, 'the last scheduled run to end').catch(
    (e) => fail('the last scheduled run ends after deactivation', e.message),
  );
  const rows = executionRows(userFolder, WF.schedule);
  scheduleState.runs = rows.length;
  scheduleState.accepted = (await emu.stats()).accepted;

  await check('every scheduled execution in n8n\'s database: status success, mode trigger', () => {
    assert(fired, 'the schedule did not fire');
    assert(rows.length >= MIN_RUNS, `${rows.length} executions`);
    const bad = rows.filter((r) => r.status !== 'success' || r.mode !== 'trigger');
    assert(bad.length === 0, `executions not success/trigger: ${JSON.stringify(bad)}`);
  });

  await check(`each scheduled run made ${SCHEDULE_ITEMS} videos, the emulator's MP4 byte for byte in n8n's binary store`, async () => {
    assert(fired, 'the schedule did not fire');
    for (const row of rows) {
      const exec = await rest.execution(row.id);
      const items = nodeItems(exec, 'Hailuo Video');
      assert(items.length === SCHEDULE_ITEMS, `execution ${row.id}: ${items.length} items`);
      for (const item of items) await assertVideoItem(userFolder, item);
    }
  });

  await check('each run submitted its own jobs: no job submitted twice, accepted = 2 × runs', async () => {
    assert(fired, 'the schedule did not fire');
    const stats = await emu.stats();
    const ids = new Set();
    for (const row of rows) {
      for (const item of nodeItems(await rest.execution(row.id), 'Hailuo Video')) ids.add(item.json.requestId);
    }
    assert(stats.duplicates === 0, `the emulator saw ${stats.duplicates} duplicate submits`);
    assert(stats.accepted === SCHEDULE_ITEMS * rows.length, `accepted ${stats.accepted}, runs ${rows.length}`);
    assert(ids.size === SCHEDULE_ITEMS * rows.length, `${ids.size} distinct request ids over ${rows.length} runs`);
    assert(stats.running === 0, `${stats.running} jobs still running`);
  });
}

/**
 * Returns the check that nothing was submitted after deactivation; it waits until two intervals have passed.
 * @param {{ rest: Rest, emu: ReturnType<typeof emuApi>, userFolder: string }} o
 */
function scheduleQuietCheck({ emu, userFolder }) {
  return async () => {
    await check(`after deactivation nothing more is submitted or run (${2 * INTERVAL_S + 2} s and more)`, async () => {
      assert(scheduleState.deactivatedAt > 0, 'the schedule was never deactivated');
      const wait = scheduleState.deactivatedAt + (2 * INTERVAL_S + 2) * 1000 - Date.now();
      if (wait > 0) await sleep(wait);
      const stats = await emu.stats();
      const rows = executionRows(userFolder, WF.schedule);
      assert(stats.accepted === scheduleState.accepted, `accepted went from ${scheduleState.accepted} to ${stats.accepted}`);
      assert(rows.length === scheduleState.runs, `executions went from ${scheduleState.runs} to ${rows.length}`);
      process.stdout.write(`      quiet for ${seconds(Date.now() - scheduleState.deactivatedAt)} after deactivation\n`);
    });
  };
}

// ---------------------------------------------------------------------------------------------------------------
// issue 14: Stop from n8n cancels the fal jobs; an image too small is refused before submit

/** @param {{ rest: Rest, emu: ReturnType<typeof emuApi>, main: ReturnType<typeof emuApi> }} o */
async function stopChecks({ rest, emu, main }) {
  await check('Stop (POST /rest/executions/:id/stop) on a running execution leaves no job running on fal', async () => {
    const executionId = await rest.run(WF.stop);
    await until(
      async () => {
        const jobs = await emu.jobs();
        return jobs.some((j) => j.status === 'IN_PROGRESS') && jobs.some((j) => j.status === 'IN_QUEUE');
      },
      30_000,
      'one job in progress and one queued on the emulator',
    );
    const t0 = Date.now();
    const stopped = await rest.raw('POST', `/rest/executions/${executionId}/stop`, {});
    assert(stopped.status === 200, `stop answered HTTP ${stopped.status}: ${stopped.text.slice(0, 300)}`);
    let stats = await emu.stats();
    await until(async () => (stats = await emu.stats()).running === 0, 5_000, `stats.running === 0 (now ${stats.running})`).catch(
      async (e) => {
        throw new Error(`${e.message}; jobs: ${JSON.stringify((await emu.jobs()).map((j) => [j.status, j.cancelRequested]))}`);
      },
    );
    const ms = Date.now() - t0;
    const jobs = await emu.jobs();
    assert(jobs.length === 2, `${jobs.length} jobs`);
    const notCancelled = jobs.filter((j) => j.status !== 'CANCELLED' && !j.cancelRequested);
    assert(notCancelled.length === 0, `jobs neither cancelled nor asked to stop: ${JSON.stringify(notCancelled)}`);
    assert(stats.billed === 0, `${stats.billed} jobs billed`);
    const exec = await rest.waitFor(executionId, ['canceled', 'error', 'crashed', 'success'], 30_000);
    assert(exec.status === 'canceled', `execution status ${exec.status}`);
    process.stdout.write(`      no job running ${ms} ms after Stop; jobs: ${jobs.map((j) => (j.status === 'CANCELLED' ? 'CANCELLED' : `${j.status} (${j.errorType ?? 'cancel requested'})`)).join(', ')}\n`);
  });

  await check('a 100x100 Image URL is refused before any submit; the error names Image URL and the item', async () => {
    const before = await main.stats();
    const executionId = await rest.run(WF.tiny);
    const exec = await rest.waitFor(executionId, ['error', 'success', 'crashed', 'canceled'], 60_000);
    const after = await main.stats();
    assert(exec.status === 'error', `execution status ${exec.status}`);
    const msg = execError(exec);
    assert(/Image URL/.test(msg) && /item 0/.test(msg), `error message: ${msg}`);
    assert(/100\s*[x×]\s*100|300/.test(msg), `the message does not say what is wrong with the image: ${msg}`);
    assert(after.submits === before.submits, `${after.submits - before.submits} submits`);
    process.stdout.write(`      "${msg}"\n`);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// issue 15: items in flight together

/** @param {{ rest: Rest, emu: ReturnType<typeof emuApi>, userFolder: string }} o */
async function inFlightCheck({ rest, emu, userFolder }) {
  await check('a 3-item run: the emulator sees the 3 jobs in flight together (maxInFlight 3), 3 videos', async () => {
    await emu.reset();
    const t0 = Date.now();
    const exec = await rest.waitFor(await rest.run(WF.inFlight), ['success', 'error', 'crashed', 'canceled'], 90_000);
    assert(exec.status === 'success', `execution ${exec.status}: ${execError(exec)}`);
    const stats = await emu.stats();
    assert(stats.maxInFlight === 3, `maxInFlight ${stats.maxInFlight}`);
    const items = nodeItems(exec, 'Hailuo Video');
    assert(items.length === 3, `${items.length} items`);
    for (const item of items) await assertVideoItem(userFolder, item);
    process.stdout.write(`      3 videos of ~2.2 s jobs in ${seconds(Date.now() - t0)}\n`);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// issue 16: Submit → Wait (resume URL) → Get Result, and a webhook delivered twice

/** @param {{ rest: Rest, emu: ReturnType<typeof emuApi>, userFolder: string, port: number }} o */
async function webhookChecks({ rest, emu, userFolder, port }) {
  const written = path.join(userFolder, n8n.FILES_DIR_NAME, 'hailuo', 'hailuo-example-4.mp4');
  const cdnDownloads = async () => (await emu.calls()).filter((c) => c.route === 'cdn' && !c.runner).length;

  /** Runs example 4 to its end. */
  const runExample4 = async () => {
    fs.rmSync(written, { force: true });
    const executionId = await rest.run(WF.example4);
    let sawWaiting = false;
    const deadline = Date.now() + 90_000;
    let exec;
    while (Date.now() < deadline) {
      exec = await rest.call('GET', `/rest/executions/${executionId}`);
      if (exec.status === 'waiting') sawWaiting = true;
      if (['success', 'error', 'crashed', 'canceled'].includes(exec.status)) break;
      await sleep(100);
    }
    return { executionId, sawWaiting, exec: await rest.execution(executionId) };
  };

  const first = await check('example 04: Submit → Wait → the emulator calls the real resume URL → Get Result → Write File', async () => {
    await emu.reset();
    const t0 = Date.now();
    const { executionId, sawWaiting, exec } = await runExample4();
    assert(exec.status === 'success', `execution ${exec.status}: ${execError(exec)}`);
    assert(sawWaiting, 'the execution was never seen waiting');
    const [submitted] = nodeItems(exec, 'Submit Video');
    assert(submitted.json.status === 'IN_QUEUE' && !submitted.binary, `Submit output: ${JSON.stringify(submitted.json)}`);
    const resumeUrl = `http://127.0.0.1:${port}/webhook-waiting/${executionId}`;
    assert(String(submitted.json.webhookUrl).startsWith(resumeUrl), `webhookUrl ${submitted.json.webhookUrl}, expected ${resumeUrl}…`);
    const hooks = await emu.webhooks();
    const ok = hooks.filter((h) => h.status >= 200 && h.status < 300);
    assert(ok.length === 1 && ok[0].url === submitted.json.webhookUrl, `webhook deliveries: ${JSON.stringify(hooks)}`);
    const results = nodeItems(exec, 'Get Result');
    assert(results.length === 1 && results[0].json.requestId === submitted.json.requestId, `Get Result: ${JSON.stringify(results.map((r) => r.json))}`);
    const held = await assertVideoItem(userFolder, results[0]);
    const file = fs.readFileSync(written);
    assert(file.equals(held), `${written} (${file.length} bytes) is not the emulator's MP4 (${held.length} bytes)`);
    process.stdout.write(`      ${seconds(Date.now() - t0)}; webhook attempts ${hooks.map((h) => h.status ?? h.error).join(', ')}\n`);
  });

  await check('example 04 with the webhook delivered twice: one resume, one Get Result, one download', async () => {
    assert(first, 'example 04 did not run');
    await emu.reset();
    await emu.fault({ route: 'webhook', duplicate: true });
    const before = await executionRowsCount(rest);
    const { exec } = await runExample4();
    assert(exec.status === 'success', `execution ${exec.status}: ${execError(exec)}`);
    // The second delivery follows the first one's answer.
    let hooks = await emu.webhooks();
    await until(async () => (hooks = await emu.webhooks()).some((h) => h.delivery === 2 && (h.status !== undefined || h.error)), 15_000, 'the second delivery');
    await sleep(1500); // anything it could have started would show by now
    hooks = await emu.webhooks();
    const second = hooks.filter((h) => h.delivery === 2);
    assert(second.every((h) => !(h.status >= 200 && h.status < 300)), `n8n accepted the second delivery: ${JSON.stringify(second)}`);
    const final = await rest.execution(exec.id);
    const runs = final.data.resultData.runData['Get Result'];
    assert(runs.length === 1 && runs[0].data.main[0].length === 1, `Get Result ran ${runs.length} times`);
    const downloads = await cdnDownloads();
    assert(downloads === 1, `${downloads} CDN downloads`);
    const stats = await emu.stats();
    assert(stats.accepted === 1, `${stats.accepted} jobs accepted`);
    assert((await executionRowsCount(rest)) === before + 1, 'the second delivery started another execution');
    process.stdout.write(`      second delivery answered ${second.map((h) => h.status ?? h.error).join(', ')}\n`);
  });
}

/**
 * A forged call to the resume URL: it can wake the execution (whoever knows the URL can), but Get Result reads the
 * job from fal by request id, so the forged body's video never reaches the workflow. n8n 2.x signs the resume URL:
 * without its `signature` the call is refused.
 * @param {{ rest: Rest, emu: ReturnType<typeof emuApi>, userFolder: string, major: number }} o
 */
async function forgedWebhookCheck({ rest, emu, userFolder, major }) {
  await check('example 04 woken by a forged POST to its resume URL: Get Result still takes the video from fal, by request id', async () => {
    await emu.reset();
    await emu.fault({ route: 'webhook', delayMs: 6000 }); // fal's own call comes late
    const executionId = await rest.run(WF.example4);
    let submitted;
    await until(
      async () => {
        const e = await rest.call('GET', `/rest/executions/${executionId}`);
        if (e.status !== 'waiting') return false;
        submitted = nodeItems(await rest.execution(executionId), 'Submit Video')[0].json;
        const job = (await emu.jobs()).find((j) => j.requestId === submitted.requestId || j.id === submitted.requestId);
        return job?.status === 'COMPLETED';
      },
      30_000,
      'example 04 waiting, its job completed',
    );
    const forged = {
      request_id: '00000000-0000-4000-8000-000000000000',
      status: 'OK',
      payload: { video: { url: 'http://127.0.0.1:9/forged.mp4', content_type: 'video/mp4', file_size: 1 } },
    };
    const post = async (/** @type {string} */ url) =>
      (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(forged) })).status;
    const resumeUrl = new URL(submitted.webhookUrl);
    if (major >= 2) {
      const unsigned = new URL(resumeUrl);
      unsigned.search = '';
      const status = await post(unsigned.href);
      assert(status === 401, `a resume call without the signature answered HTTP ${status}`);
      assert((await rest.call('GET', `/rest/executions/${executionId}`)).status === 'waiting', 'the unsigned call resumed the execution');
    }
    const status = await post(resumeUrl.href);
    assert(status === 200, `the forged call answered HTTP ${status}`);
    const exec = await rest.waitFor(executionId, ['success', 'error', 'crashed', 'canceled'], 60_000);
    assert(exec.status === 'success', `execution ${exec.status}: ${execError(exec)}`);
    const [woken] = nodeItems(exec, 'Wait for fal');
    assert(woken.json.body?.request_id === forged.request_id, `the Wait node was not woken by the forged call: ${JSON.stringify(woken.json.body)}`);
    const [result] = nodeItems(exec, 'Get Result');
    assert(result.json.requestId === submitted.requestId, `Get Result read ${result.json.requestId}, Submit made ${submitted.requestId}`);
    assert(!String(result.json.videoUrl).includes('forged'), `Get Result took the forged video URL ${result.json.videoUrl}`);
    await assertVideoItem(userFolder, result);
    let hooks = await emu.webhooks();
    await until(async () => (hooks = await emu.webhooks()).some((h) => h.status !== undefined || h.error), 15_000, "fal's late delivery");
    assert(hooks.every((h) => !(h.status >= 200 && h.status < 300)), `n8n accepted fal's late delivery as well: ${JSON.stringify(hooks)}`);
    process.stdout.write(`      ${major >= 2 ? 'unsigned call 401; ' : ''}forged call resumed it, Get Result read ${result.json.requestId.slice(0, 8)}… from fal; fal's late call answered ${hooks.map((h) => h.status ?? h.error).join(', ')}\n`);
  });
}

/** How many executions n8n lists for example 04. @param {Rest} rest */
async function executionRowsCount(rest) {
  const filter = encodeURIComponent(JSON.stringify({ workflowId: WF.example4 }));
  const list = await rest.call('GET', `/rest/executions?filter=${filter}&limit=100`);
  return (list.results || list).length;
}

// ---------------------------------------------------------------------------------------------------------------
// issue 17: Fast and text-to-video

/** @param {{ rest: Rest, emu: ReturnType<typeof emuApi>, userFolder: string }} o */
async function modelChecks({ rest, emu, userFolder }) {
  await check('a Fast image-to-video and a text-to-video job run in n8n; each submit carries exactly its model\'s fields', async () => {
    await emu.reset();
    const exec = await rest.waitFor(await rest.run(WF.models), ['success', 'error', 'crashed', 'canceled'], 90_000);
    assert(exec.status === 'success', `execution ${exec.status}: ${execError(exec)}`);
    const submits = (await emu.calls()).filter((c) => c.route === 'submit');
    assert(submits.length === 2, `${submits.length} submits`);
    const byPath = Object.fromEntries(submits.map((c) => [c.path, c]));
    const fast = byPath[`/${FAST_I2V}`];
    const text = byPath[`/${STANDARD_T2V}`];
    assert(fast && text, `submit paths: ${submits.map((c) => c.path).join(', ')}`);
    const keys = (/** @type {any} */ c) => Object.keys(c.body).sort().join(',');
    assert(keys(fast) === 'duration,image_url,prompt,prompt_optimizer', `Fast body: ${JSON.stringify(fast.body)}`);
    assert(keys(text) === 'duration,prompt,prompt_optimizer', `text-to-video body: ${JSON.stringify(text.body)}`);
    assert(fast.body.duration === '6' && text.body.duration === '10', `durations ${fast.body.duration}, ${text.body.duration}`);
    assert(fast.status === 200 && text.status === 200, `submit answers ${fast.status}, ${text.status}`);
    const [fastItem] = nodeItems(exec, 'Fast Video');
    const [textItem] = nodeItems(exec, 'Text Video');
    assert(fastItem.json.model === FAST_I2V && textItem.json.model === STANDARD_T2V, `models ${fastItem.json.model}, ${textItem.json.model}`);
    await assertVideoItem(userFolder, fastItem);
    await assertVideoItem(userFolder, textItem);
    process.stdout.write(`      Fast: ${JSON.stringify(fast.body)}\n      text: ${JSON.stringify(text.body)}\n`);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// issue 16: examples 05a/05b, submit now and collect later through a Data Table

/** @param {{ rest: Rest, emu: ReturnType<typeof emuApi>, userFolder: string, example5a: any, example5b: any }} o */
async function collectChecks({ rest, emu, userFolder, example5a, example5b }) {
  await check('examples 05a/05b: a batch submitted and recorded in a Data Table, collected later with Get Status / Get Result', async () => {
    await emu.reset();
    const project = await rest.call('GET', '/rest/projects/personal');
    const table = await rest.call('POST', `/rest/projects/${project.id}/data-tables`, {
      name: 'hailuo_jobs',
      columns: ['requestId', 'shot', 'status'].map((name) => ({ name, type: 'string' })),
    });
    /** Saves an example as the editor saves a new workflow, with the table picked in its Data Table nodes. */
    const save = async (/** @type {any} */ example) => {
      const wf = JSON.parse(JSON.stringify(example));
      for (const node of wf.nodes) {
        if (node.type === 'n8n-nodes-base.dataTable') node.parameters.dataTableId = { __rl: true, mode: 'id', value: table.id };
      }
      const saved = await rest.call('POST', '/rest/workflows', {
        name: wf.name,
        nodes: wf.nodes,
        connections: wf.connections,
        settings: wf.settings,
        active: false,
      });
      return String(saved.id);
    };
    const submitId = await save(example5a);
    const collectId = await save(example5b);
    const rows = async () => (await rest.call('GET', `/rest/projects/${project.id}/data-tables/${table.id}/rows?take=100`)).data;

    const a = await rest.waitFor(await rest.run(submitId), ['success', 'error', 'crashed', 'canceled'], 60_000);
    assert(a.status === 'success', `05a ${a.status}: ${execError(a)}`);
    const submitted = nodeItems(a, 'Submit Videos');
    assert(submitted.length === 3 && submitted.every((it) => it.json.status === 'IN_QUEUE'), `Submit: ${JSON.stringify(submitted.map((i) => i.json))}`);
    const recorded = await rows();
    assert(recorded.length === 3 && recorded.every((/** @type {any} */ r) => r.status === 'submitted'), `rows: ${JSON.stringify(recorded)}`);

    // Collected once every job has ended (about 2.2 s on this emulator); a run before that collects nothing yet.
    await until(async () => (await emu.stats()).running === 0, 30_000, 'the three jobs to end');
    const b = await rest.waitFor(await rest.run(collectId), ['success', 'error', 'crashed', 'canceled'], 60_000);
    assert(b.status === 'success', `05b ${b.status}: ${execError(b)}`);
    const results = nodeItems(b, 'Get Result');
    assert(results.length === 3, `${results.length} results`);
    for (const item of results) {
      const held = await assertVideoItem(userFolder, item);
      const file = path.join(userFolder, n8n.FILES_DIR_NAME, 'hailuo', item.json.fileName);
      assert(fs.readFileSync(file).equals(held), `${file} differs from the video`);
    }
    const after = await rows();
    assert(after.every((/** @type {any} */ r) => r.status === 'collected'), `rows after collecting: ${JSON.stringify(after)}`);

    // A second collecting run finds nothing left to fetch.
    const downloads = (await emu.stats()).downloads;
    const c = await rest.waitFor(await rest.run(collectId), ['success', 'error', 'crashed', 'canceled'], 60_000);
    assert(c.status === 'success', `05b again: ${c.status}: ${execError(c)}`);
    assert(!c.data.resultData.runData['Get Result'], 'the second collecting run fetched results again');
    assert((await emu.stats()).downloads === downloads, 'the second collecting run downloaded again');
  });
}

runChecks('server-mode', main);
