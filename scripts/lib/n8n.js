// @ts-check
'use strict';

/**
 * Running n8n: the second layer of the tooling, on top of ./runtime.js (which n8n, on which Node, where).
 *
 *   runtime.js → n8n.js → fal-emulator.js, examples.js → community-package.js → the scenarios (dev.js, test/e2e,
 *   test/browser, test/queue; queue-mode.js and queue-services.js for a cluster)
 *
 * Here: the environment of an n8n process (n8nEnv), the n8n CLI (runN8n, import of credentials and workflows),
 * `n8n start` (startN8n), and the child-process helpers every script shares (free ports, waiting for a URL,
 * stopping a child, scratch folders, running a command). Nothing here requires a file of a later layer.
 *
 * N8N_VERSION (e.g. `1.123.x`) picks a pinned version, unset is the default line (2.41.1 on Node 24). An environment
 * made by n8nEnv carries its N8N_VERSION, and runN8n / startN8n / ensureN8nInstalled run the n8n and the Node that
 * go with it.
 *
 * Plain CommonJS for Node 24; no dependencies beyond Node itself.
 */

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const runtimes = require('./runtime');
const { foldNoise } = require('./fold-noise');

const ROOT = path.resolve(__dirname, '..', '..');
/** The n8n this process runs unless told otherwise: N8N_VERSION (and N8N_RUNTIME_DIR) when it starts, else 2.41.1. */
const DEFAULT_RUNTIME = runtimes.runtimeOf(process.env);
const RUNTIME = DEFAULT_RUNTIME.dir;
const N8N_BIN = DEFAULT_RUNTIME.n8nBin;
const PACKAGE_NAME = 'n8n-nodes-hailuo';
/** The node's type once installed as a community package. */
const NODE_TYPE = `${PACKAGE_NAME}.hailuo`;
/** Folder (relative to n8n's working directory, which the scripts set to the user folder) the examples use. */
const FILES_DIR_NAME = '.n8n-files';

/** Node 24 binary: this process when it is Node 24 already, else the project's `node` devDependency. */
const { node24 } = runtimes;

/** PATH with the project's node_modules/.bin (Node 24) first. */
function pathWithNode24() {
  return [path.join(ROOT, 'node_modules', '.bin'), process.env.PATH || ''].join(path.delimiter);
}

/** @param {string} msg */
function log(msg) {
  process.stderr.write(`[${path.basename(process.argv[1] || 'n8n', '.js')}] ${msg}\n`);
}

/** A free TCP port on 127.0.0.1. @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Runs scripts/install-n8n.sh for a runtime (cached after the first run).
 * @param {import('./runtime').Runtime} [rt] default: this process's (N8N_VERSION, else 2.41.1)
 */
function ensureN8nInstalled(rt = DEFAULT_RUNTIME) {
  const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'install-n8n.sh'), rt.version], {
    stdio: ['ignore', 'inherit', 'inherit'],
    // CI as the caller has it: the script says less in CI (it runs npm unattended either way)
    env: { ...process.env, N8N_VERSION: rt.version },
  });
  if (r.status !== 0) throw new Error(`scripts/install-n8n.sh ${rt.version} failed (exit ${r.status})`);
}

/**
 * Runs a command (inheriting output), throws on a non-zero exit.
 * @param {string} cmd @param {string[]} args @param {import('node:child_process').SpawnSyncOptions} [opts]
 */
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    ...opts,
    env: { ...process.env, PATH: pathWithNode24(), ...(opts.env || {}) },
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
  return r;
}

/**
 * Environment for an n8n process bound to one user folder, on 127.0.0.1 only, with everything that would call
 * out to the internet switched off. It names its runtime (N8N_VERSION), puts that runtime's Node first on PATH and
 * carries the runtime's own settings (2.x: N8N_DISABLED_MODULES; 1.x refuses to start with it).
 * @param {{ userFolder: string, port?: number, brokerPort?: number, logLevel?: string, extra?: Record<string, string>,
 *   runtime?: import('./runtime').Runtime }} o
 * @returns {NodeJS.ProcessEnv}
 */
function n8nEnv({ userFolder, port = 5678, brokerPort = 5679, logLevel = 'info', extra = {}, runtime = DEFAULT_RUNTIME }) {
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('N8N_') && k !== 'N8N_RUNTIME_DIR') delete env[k];
  if (runtime !== DEFAULT_RUNTIME) delete env.N8N_RUNTIME_DIR;
  /** @type {NodeJS.ProcessEnv} */
  const out = {
    ...env,
    N8N_VERSION: runtime.version,
    PATH: runtime.path(pathWithNode24()),
    N8N_USER_FOLDER: userFolder,
    N8N_PORT: String(port),
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_HOST: '127.0.0.1',
    N8N_PROTOCOL: 'http',
    N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}`,
    N8N_RUNNERS_BROKER_PORT: String(brokerPort),
    N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
    N8N_LOG_LEVEL: logLevel,
    N8N_LOG_OUTPUT: 'console',
    DB_TYPE: 'sqlite',
    N8N_SECURE_COOKIE: 'false',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
    // no fetch of n8n's catalogue of verified community nodes (no internet here; installed packages still load)
    N8N_VERIFIED_PACKAGES_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_HIRING_BANNER_ENABLED: 'false',
    N8N_DYNAMIC_BANNERS_ENABLED: 'false',
    N8N_AI_ENABLED: 'false',
    N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
    N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
    N8N_RESTRICT_FILE_ACCESS_TO: path.join(userFolder, FILES_DIR_NAME),
    EXTERNAL_FRONTEND_HOOKS_URLS: '',
    N8N_PUBLIC_API_DISABLED: 'true',
    ...runtime.env,
    ...extra,
  };
  for (const k of runtime.unsetEnv) if (!(k in extra)) delete out[k];
  return out;
}

/**
 * Runs an n8n CLI command to completion. Its working directory is the user folder, so the relative
 * `.n8n-files/...` paths of the examples land in the allowed folder. n8n's output goes to files, not pipes: n8n
 * exits right after printing, and a pipe loses what is still buffered (n8n 1.x prints executions with their
 * binary data inline, megabytes of base64, and `n8n execute` cut them off).
 * @param {string[]} args @param {NodeJS.ProcessEnv} env @param {{ timeoutMs?: number }} [o]
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string, ms: number }>}
 */
function runN8n(args, env, { timeoutMs = 180_000 } = {}) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const rt = runtimes.runtimeOf(env);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-cli-'));
    const outFile = path.join(dir, 'stdout');
    const errFile = path.join(dir, 'stderr');
    const out = fs.openSync(outFile, 'w');
    const err = fs.openSync(errFile, 'w');
    let killed = '';
    const finish = () => {
      fs.closeSync(out);
      fs.closeSync(err);
      const read = (/** @type {string} */ f) => fs.readFileSync(f, 'utf8');
      const result = { stdout: read(outFile), stderr: read(errFile) + killed };
      fs.rmSync(dir, { recursive: true, force: true });
      return result;
    };
    const child = spawn(rt.node, [rt.n8nBin, ...args], {
      cwd: env.N8N_USER_FOLDER,
      env,
      stdio: ['ignore', out, err],
    });
    const timer = setTimeout(() => {
      killed = `\n[killed after ${timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      finish();
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, ...finish(), ms: Date.now() - started });
    });
  });
}

/**
 * Like runN8n, but throws when n8n exits non-zero.
 * @param {string[]} args @param {NodeJS.ProcessEnv} env
 */
async function runN8nOk(args, env) {
  const r = await runN8n(args, env);
  if (r.code !== 0) throw new Error(`n8n ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/**
 * Imports credentials (array) into the user folder's database.
 * @param {object[]} credentials @param {NodeJS.ProcessEnv} env @param {string} scratchDir
 */
async function importCredentials(credentials, env, scratchDir) {
  const file = path.join(scratchDir, `credentials-${process.pid}-${Date.now()}.json`);
  fs.writeFileSync(file, JSON.stringify(credentials, null, 2));
  try {
    return await runN8nOk(['import:credentials', `--input=${file}`], env);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/**
 * Imports credentials that hold a secret (a real fal key) without writing the secret to any file: n8n reads the
 * JSON from a named pipe (FIFO) in a private temp folder, which keeps no data on disk, and stores `data` encrypted in
 * the user folder's database. Neither a command line, a child's environment nor the output carries the secret.
 * @param {object[]} credentials @param {NodeJS.ProcessEnv} env @param {{ timeoutMs?: number }} [o]
 */
async function importSecretCredentials(credentials, env, { timeoutMs = 180_000 } = {}) {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'hailuo-credentials-')); // mode 0700
  const fifo = path.join(dir, 'credentials.json');
  try {
    const made = spawnSync('mkfifo', ['-m', '600', fifo]);
    if (made.status !== 0) throw new Error(`mkfifo failed: ${String(made.stderr || made.error)}`);
    // Opening the pipe for writing waits until n8n opens it for reading.
    let written = false;
    const writing = fs.promises.open(fifo, 'w').then(async (fh) => {
      try {
        await fh.writeFile(JSON.stringify(credentials));
        written = true;
      } finally {
        await fh.close();
      }
    });
    const r = await runN8n(['import:credentials', `--input=${fifo}`], env, { timeoutMs });
    if (!written) {
      // n8n ended without reading: open the reading end here, so that the pending open for writing returns.
      try {
        fs.closeSync(fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK));
      } catch {
        /* nothing waits */
      }
    }
    await writing.catch(() => {});
    if (r.code === 0 && written && /Successfully imported/.test(r.stdout + r.stderr)) return;
    // Whatever n8n said, never with a secret in it.
    const secrets = credentials
      .flatMap((c) => Object.values(/** @type {any} */ (c).data || {}))
      .filter((v) => typeof v === 'string' && v.length >= 4);
    const said = secrets.reduce((text, secret) => text.split(secret).join('***'), `${r.stdout}\n${r.stderr}`);
    throw new Error(`n8n import:credentials exited ${r.code}:\n${said}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Imports workflows (array of workflow JSON objects) into the user folder's database.
 * @param {object[]} workflows @param {NodeJS.ProcessEnv} env @param {string} scratchDir
 */
async function importWorkflows(workflows, env, scratchDir) {
  const dir = path.join(scratchDir, `workflows-${process.pid}-${Date.now()}`);
  fs.mkdirSync(dir, { recursive: true });
  workflows.forEach((wf, i) => fs.writeFileSync(path.join(dir, `${i}.json`), JSON.stringify(wf, null, 2)));
  try {
    return await runN8nOk(['import:workflow', '--separate', `--input=${dir}`], env);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Waits until `url` answers (any HTTP status below 500, or one `accept` takes) or the child exits.
 * @param {string} url
 * @param {{ timeoutMs?: number, child?: import('node:child_process').ChildProcess, accept?: (status: number) => boolean }} [o]
 */
async function waitForHttp(url, { timeoutMs = 120_000, child, accept = (status) => status < 500 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`process exited (${child.exitCode}) before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (accept(res.status)) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/**
 * Starts `n8n start` for a user folder and waits until its editor answers.
 * `inherit: 'filtered'` shows n8n's output with its known noise folded (see foldNoise).
 * @param {NodeJS.ProcessEnv} env @param {{ logFile?: string, inherit?: boolean | 'filtered', timeoutMs?: number }} [o]
 */
async function startN8n(env, { logFile, inherit = false, timeoutMs = 180_000 } = {}) {
  /** @type {import('node:child_process').StdioOptions} */
  let stdio = ['ignore', 'inherit', 'inherit'];
  if (inherit === 'filtered') stdio = ['ignore', 'pipe', 'pipe'];
  else if (!inherit) {
    const out = logFile ? fs.openSync(logFile, 'a') : 'ignore';
    stdio = ['ignore', out, out];
  }
  const rt = runtimes.runtimeOf(env);
  const child = spawn(rt.node, [rt.n8nBin, 'start'], { cwd: env.N8N_USER_FOLDER, env, stdio, detached: true });
  if (inherit === 'filtered') {
    foldNoise(/** @type {NodeJS.ReadableStream} */ (child.stdout), process.stdout);
    foldNoise(/** @type {NodeJS.ReadableStream} */ (child.stderr), process.stderr);
  }
  const url = `http://127.0.0.1:${env.N8N_PORT}`;
  const deadline = Date.now() + timeoutMs;
  await waitForHttp(`${url}/healthz/readiness`, { timeoutMs, child });
  // n8n 1.x reports ready a few seconds before its REST API is mounted (until then /rest/* is a 404).
  await waitForHttp(`${url}/rest/settings`, { timeoutMs: Math.max(deadline - Date.now(), 1000), child, accept: (s) => s === 200 });
  return { url, child, stop: () => stopChild(child, true) };
}

/**
 * Stops a child: SIGTERM (to its process group when it leads one, so n8n's task runner goes too), SIGKILL after 15 s.
 * @param {import('node:child_process').ChildProcess} child @param {boolean} [group]
 */
function stopChild(child, group = false) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = (/** @type {NodeJS.Signals} */ sig) => {
      try {
        if (group && child.pid) process.kill(-child.pid, sig);
        else child.kill(sig);
      } catch {
        /* gone */
      }
    };
    const t = setTimeout(() => kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    kill('SIGTERM');
  });
}

/** A new scratch folder under .tmp/ (git-ignored). @param {string} prefix */
function scratchDir(prefix) {
  const base = path.join(ROOT, '.tmp');
  fs.mkdirSync(base, { recursive: true });
  return fs.mkdtempSync(path.join(base, `${prefix}-`));
}

module.exports = {
  ROOT,
  RUNTIME,
  N8N_BIN,
  DEFAULT_RUNTIME,
  runtimeOf: runtimes.runtimeOf,
  resolveRuntime: runtimes.resolveRuntime,
  PACKAGE_NAME,
  NODE_TYPE,
  FILES_DIR_NAME,
  node24,
  pathWithNode24,
  log,
  freePort,
  ensureN8nInstalled,
  run,
  n8nEnv,
  runN8n,
  runN8nOk,
  importCredentials,
  importSecretCredentials,
  importWorkflows,
  waitForHttp,
  startN8n,
  stopChild,
  scratchDir,
};
