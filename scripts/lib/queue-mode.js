// @ts-check
'use strict';

/**
 * n8n in queue mode on one machine, for `npm run test:queue` (test/queue/): real Redis and PostgreSQL started as
 * this project's own processes in a scratch folder (Debian's `redis-server` and `postgresql`, installed when
 * missing), then one n8n main process (webhooks, REST, editor) and n8n workers (`n8n worker`), each with its own
 * user folder holding the package, all sharing one database, one Redis, one encryption key and binary data in the
 * database.
 *
 * Every process started here is recorded in a `Processes` list; `stopAll()` stops them in reverse order (workers and
 * main before the database), and `killAllNow()` is the synchronous last resort for `process.on('exit')`.
 *
 * Plain CommonJS for Node 24 (n8n 2.41 needs it); no dependencies beyond Node and scripts/lib/n8n.js.
 */

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const n8n = require('./n8n');

/** @typedef {import('node:child_process').ChildProcess} ChildProcess */
/** @typedef {{ name: string, child: ChildProcess, stop: () => Promise<void> }} Tracked */

/** The processes this run started, stopped last-started first. */
class Processes {
  constructor() {
    /** @type {Tracked[]} */
    this.list = [];
  }

  /** @param {string} name @param {ChildProcess} child @param {() => Promise<void>} stop */
  add(name, child, stop) {
    const t = { name, child, stop };
    this.list.push(t);
    return t;
  }

  /** Stops one tracked process (and forgets it). @param {ChildProcess} child */
  async stop(child) {
    const i = this.list.findIndex((t) => t.child === child);
    if (i < 0) return;
    const [t] = this.list.splice(i, 1);
    await t.stop();
  }

  /** Stops everything, newest first; n8n processes stop in parallel, then the services. */
  async stopAll() {
    const n8nProcs = this.list.filter((t) => t.name.startsWith('n8n'));
    await Promise.all(n8nProcs.map((t) => this.stop(t.child)));
    while (this.list.length > 0) await this.stop(this.list[this.list.length - 1].child);
  }

  /** Synchronous last resort (process 'exit'): SIGKILL every process group still alive. */
  killAllNow() {
    for (const { child } of this.list) {
      if (child.exitCode !== null || child.signalCode !== null || !child.pid) continue;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        try {
          child.kill('SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    this.list = [];
  }
}

/**
 * Stops a process group leader: `signal` to its group, SIGKILL after `graceMs`.
 * @param {ChildProcess} child @param {NodeJS.Signals} signal @param {number} graceMs @returns {Promise<void>}
 */
function stopGroup(child, signal, graceMs = 15_000) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || !child.pid) return resolve();
    const pid = child.pid;
    const kill = (/** @type {NodeJS.Signals} */ sig) => {
      try {
        process.kill(-pid, sig);
      } catch {
        try {
          child.kill(sig);
        } catch {
          /* gone */
        }
      }
    };
    const t = setTimeout(() => kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    kill(signal);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Installing the services

/** `apt-get install -y <packages>` (as root, or through `sudo -n`), with an `apt-get update` when the first try fails. */
function aptInstall(/** @type {string[]} */ packages) {
  const sudo = typeof process.getuid === 'function' && process.getuid() !== 0 ? ['sudo', '-n'] : [];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (/** @type {string[]} */ args) =>
    spawnSync(sudo[0] || 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), ...args], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env,
    });
  n8n.log(`installing ${packages.join(', ')} (Debian packages)`);
  let r = apt(['install', '-y', '-q', '--no-install-recommends', ...packages]);
  if (r.status !== 0) {
    apt(['update', '-q']);
    r = apt(['install', '-y', '-q', '--no-install-recommends', ...packages]);
  }
  if (r.status !== 0) throw new Error(`apt-get install ${packages.join(' ')} failed (exit ${r.status})`);
}

/** Path of `redis-server`, installing Debian's package when it is missing. */
function ensureRedis() {
  const find = () => ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => fs.existsSync(p));
  let bin = find();
  if (!bin) {
    aptInstall(['redis-server']);
    bin = find();
  }
  if (!bin) throw new Error('redis-server is missing after apt-get install redis-server');
  return bin;
}

/** The bin folder of the newest PostgreSQL under /usr/lib/postgresql, installing Debian's package when missing. */
function ensurePostgres() {
  const find = () => {
    const base = '/usr/lib/postgresql';
    if (!fs.existsSync(base)) return undefined;
    const versions = fs
      .readdirSync(base)
      .filter((v) => fs.existsSync(path.join(base, v, 'bin', 'postgres')) && fs.existsSync(path.join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    return versions.length ? path.join(base, versions[0], 'bin') : undefined;
  };
  let bin = find();
  if (!bin) {
    aptInstall(['postgresql']);
    bin = find();
  }
  if (!bin) throw new Error('PostgreSQL binaries are missing after apt-get install postgresql');
  return bin;
}

/**
 * Who runs PostgreSQL: it refuses to run as root, so as root it runs as the `postgres` user (Debian's package creates
 * it) or `nobody`; otherwise as the current user.
 * @returns {{ uid?: number, gid?: number, name: string }}
 */
function postgresUser() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { name: 'current user' };
  for (const name of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (uid.status === 0 && gid.status === 0) return { uid: Number(uid.stdout), gid: Number(gid.stdout), name };
  }
  throw new Error('running as root and there is neither a postgres nor a nobody user to run PostgreSQL as');
}

// ---------------------------------------------------------------------------------------------------------------
// Starting the services

/** Resolves when a TCP connection to 127.0.0.1:port answers `probe` with a line starting with `expect`. */
async function waitForTcp(/** @type {number} */ port, /** @type {{ probe?: string, expect?: string, timeoutMs?: number, child?: ChildProcess, what: string }} */ o) {
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (o.child && o.child.exitCode !== null) throw new Error(`${o.what} exited (${o.child.exitCode}) before it answered`);
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      let buf = '';
      const done = (/** @type {boolean} */ v) => {
        s.destroy();
        resolve(v);
      };
      s.setTimeout(1000, () => done(false));
      s.on('error', () => done(false));
      s.on('connect', () => {
        if (!o.probe) return done(true);
        s.write(o.probe);
      });
      s.on('data', (c) => {
        buf += c;
        if (buf.includes('\n')) done(buf.startsWith(o.expect || ''));
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${o.what} did not answer on 127.0.0.1:${port}`);
}

/**
 * Starts Redis on 127.0.0.1 with no persistence, its files in `dir`.
 * @param {{ dir: string, processes: Processes }} o
 * @returns {Promise<{ port: number, child: ChildProcess }>}
 */
async function startRedis({ dir, processes }) {
  const bin = ensureRedis();
  fs.mkdirSync(dir, { recursive: true });
  const port = await n8n.freePort();
  const log = fs.openSync(path.join(dir, 'redis.log'), 'a');
  const child = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--save', '', '--appendonly', 'no',
      '--dir', dir, '--daemonize', 'no', '--logfile', ''],
    { stdio: ['ignore', log, log], detached: true },
  );
  processes.add('redis', child, () => stopGroup(child, 'SIGTERM'));
  await waitForTcp(port, { probe: 'PING\r\n', expect: '+PONG', child, what: 'redis-server' });
  return { port, child };
}

/**
 * Creates a PostgreSQL cluster in `dir` (superuser `n8n`, password auth over TCP) and starts it on 127.0.0.1 only,
 * without a Unix socket, tuned for a throw-away test database. Creates the database `n8n`.
 * @param {{ dir: string, processes: Processes }} o
 * @returns {Promise<{ port: number, user: string, password: string, database: string, child: ChildProcess, bin: string }>}
 */
async function startPostgres({ dir, processes }) {
  const bin = ensurePostgres();
  const runAs = postgresUser();
  const user = 'n8n';
  const password = crypto.randomBytes(12).toString('hex');
  const database = 'n8n';
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dir, { recursive: true });
  const pwFile = path.join(dir, 'pwfile');
  fs.writeFileSync(pwFile, `${password}\n`);
  const ids = runAs.uid !== undefined ? { uid: runAs.uid, gid: /** @type {number} */ (runAs.gid) } : {};
  if (runAs.uid !== undefined) {
    // The scratch folder (`dir`'s parent, mode 0700 from mkdtemp) is the caller's: PostgreSQL's user must pass
    // through it to reach its own folder. Folders above it are not changed; they must already let others through.
    const scratch = path.dirname(dir);
    fs.chmodSync(scratch, fs.statSync(scratch).mode | 0o011);
    for (let p = path.dirname(scratch); p !== path.dirname(p); p = path.dirname(p)) {
      if ((fs.statSync(p).mode & 0o001) === 0) {
        throw new Error(`PostgreSQL runs as ${runAs.name} and cannot pass through ${p}: use a scratch folder elsewhere (e.g. under /tmp)`);
      }
    }
    fs.chownSync(dir, runAs.uid, /** @type {number} */ (runAs.gid));
    fs.chownSync(pwFile, runAs.uid, /** @type {number} */ (runAs.gid));
  }
  const init = spawnSync(
    path.join(bin, 'initdb'),
    ['-D', dataDir, '-U', user, `--pwfile=${pwFile}`, '--auth-host=scram-sha-256', '--auth-local=scram-sha-256',
      '--encoding=UTF8', '--locale=C', '--no-sync'],
    { cwd: dir, encoding: 'utf8', ...ids },
  );
  fs.rmSync(pwFile, { force: true });
  if (init.status !== 0) throw new Error(`initdb failed (exit ${init.status}, as ${runAs.name}):\n${init.stdout}\n${init.stderr}`);
  const port = await n8n.freePort();
  const log = fs.openSync(path.join(dir, 'postgres.log'), 'a');
  if (runAs.uid !== undefined) fs.fchownSync(log, runAs.uid, /** @type {number} */ (runAs.gid));
  const child = spawn(
    path.join(bin, 'postgres'),
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=',
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
    { cwd: dir, stdio: ['ignore', log, log], detached: true, ...ids },
  );
  // SIGINT is PostgreSQL's fast shutdown (rolls back open transactions, closes connections).
  processes.add('postgres', child, () => stopGroup(child, 'SIGINT'));
  const pgEnv = { ...process.env, PGPASSWORD: password };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}); see ${path.join(dir, 'postgres.log')}`);
    const r = spawnSync(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'postgres'], { env: pgEnv });
    if (r.status === 0) break;
    if (Date.now() > deadline) throw new Error(`postgres did not accept connections on 127.0.0.1:${port}`);
    await new Promise((res) => setTimeout(res, 200));
  }
  const created = spawnSync(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', user, database], { env: pgEnv, encoding: 'utf8' });
  if (created.status !== 0) throw new Error(`createdb ${database} failed: ${created.stderr}`);
  return { port, user, password, database, child, bin };
}

/**
 * Runs SQL through psql against the test database; returns the rows as arrays of strings (unaligned, tab-separated).
 * @param {{ bin: string, port: number, user: string, password: string, database: string }} pg @param {string} sql
 * @returns {string[][]}
 */
function psql(pg, sql) {
  const r = spawnSync(
    path.join(pg.bin, 'psql'),
    ['-h', '127.0.0.1', '-p', String(pg.port), '-U', pg.user, '-d', pg.database, '-X', '-q', '-A', '-t', '-F', '\t',
      '-v', 'ON_ERROR_STOP=1', '-c', sql],
    { env: { ...process.env, PGPASSWORD: pg.password }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

// ---------------------------------------------------------------------------------------------------------------
// n8n in queue mode

/**
 * The environment every n8n process of the cluster shares: PostgreSQL, Redis, queue mode, binary data in the
 * database, one encryption key, one webhook URL (the main's), JSON logs. `role` adds what differs per process.
 * @param {{ userFolder: string, port: number, brokerPort: number, pg: { port: number, user: string, password: string,
 *   database: string }, redisPort: number, encryptionKey: string, webhookUrl: string, logLevel?: string,
 *   extra?: Record<string, string> }} o
 */
function queueEnv(o) {
  return n8n.n8nEnv({
    userFolder: o.userFolder,
    port: o.port,
    brokerPort: o.brokerPort,
    logLevel: o.logLevel || 'info',
    extra: {
      DB_TYPE: 'postgresdb',
      DB_POSTGRESDB_HOST: '127.0.0.1',
      DB_POSTGRESDB_PORT: String(o.pg.port),
      DB_POSTGRESDB_DATABASE: o.pg.database,
      DB_POSTGRESDB_USER: o.pg.user,
      DB_POSTGRESDB_PASSWORD: o.pg.password,
      EXECUTIONS_MODE: 'queue',
      QUEUE_BULL_REDIS_HOST: '127.0.0.1',
      QUEUE_BULL_REDIS_PORT: String(o.redisPort),
      N8N_DEFAULT_BINARY_DATA_MODE: 'database',
      N8N_ENCRYPTION_KEY: o.encryptionKey,
      N8N_WEBHOOK_URL: o.webhookUrl,
      N8N_LOG_FORMAT: 'json',
      N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
      ...(o.extra || {}),
    },
  });
}

/**
 * Starts an n8n process (`start` or `worker …`) in its own process group, output to `logFile`, and waits until
 * `readyUrl` answers.
 * @param {{ name: string, args: string[], env: NodeJS.ProcessEnv, logFile: string, readyUrl: string,
 *   processes: Processes, timeoutMs?: number }} o
 */
async function startN8nProcess(o) {
  const out = fs.openSync(o.logFile, 'a');
  const child = spawn(n8n.node24(), [n8n.N8N_BIN, ...o.args], {
    cwd: o.env.N8N_USER_FOLDER,
    env: o.env,
    stdio: ['ignore', out, out],
    detached: true,
  });
  fs.closeSync(out);
  // SIGTERM to the group: n8n shuts down gracefully (and its task runner goes with it).
  o.processes.add(o.name, child, () => stopGroup(child, 'SIGTERM', 20_000));
  await n8n.waitForHttp(o.readyUrl, { timeoutMs: o.timeoutMs ?? 180_000, child });
  return child;
}

/**
 * Lines of an n8n JSON log (N8N_LOG_FORMAT=json), parsed; other lines (the task runner's, n8n's banners) skipped.
 * @param {string} file @returns {any[]}
 */
function readJsonLog(file) {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
}

// ---------------------------------------------------------------------------------------------------------------
// n8n's REST API, as the editor calls it

class N8nRest {
  /** @param {string} base e.g. http://127.0.0.1:5678 */
  constructor(base) {
    this.base = base;
    this.cookie = '';
  }

  /** Sets up the owner on a new instance and logs in (the auth cookie the editor gets). @param {{ email: string, password: string, firstName: string, lastName: string }} owner */
  async setupOwnerAndLogin(owner) {
    const setup = await fetch(`${this.base}/rest/owner/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(owner),
    });
    if (!setup.ok) throw new Error(`owner setup answered HTTP ${setup.status}: ${await setup.text()}`);
    const login = await fetch(`${this.base}/rest/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ emailOrLdapLoginId: owner.email, password: owner.password }),
    });
    if (!login.ok) throw new Error(`login answered HTTP ${login.status}: ${await login.text()}`);
    const auth = login.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
    if (!auth) throw new Error('login set no n8n-auth cookie');
    this.cookie = auth.split(';')[0];
  }

  /** @param {string} p @returns {Promise<Response>} */
  async raw(p) {
    return await fetch(`${this.base}${p}`, { headers: { cookie: this.cookie }, signal: AbortSignal.timeout(60_000) });
  }

  /** GET a REST path, its `data`. @param {string} p */
  async get(p) {
    const res = await this.raw(p);
    const text = await res.text();
    if (!res.ok) throw new Error(`GET ${p} answered HTTP ${res.status}: ${text.slice(0, 500)}`);
    return JSON.parse(text).data;
  }

  /** POST a REST path with a JSON body, its `data`. @param {string} p @param {unknown} [body] */
  async post(p, body = {}) {
    const res = await fetch(`${this.base}${p}`, {
      method: 'POST',
      headers: { cookie: this.cookie, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`POST ${p} answered HTTP ${res.status}: ${text.slice(0, 500)}`);
    return JSON.parse(text).data;
  }

  /** Executions of a workflow (newest first), as the editor's executions list reads them. @param {string} workflowId */
  async executions(workflowId) {
    const filter = encodeURIComponent(JSON.stringify({ workflowId }));
    /** @type {any[]} */
    const all = [];
    let lastId = '';
    for (;;) {
      const page = await this.get(`/rest/executions?filter=${filter}&limit=100${lastId ? `&lastId=${lastId}` : ''}`);
      const results = page.results || [];
      all.push(...results);
      if (results.length < 100) break;
      lastId = results[results.length - 1].id;
    }
    return all;
  }

  /** One execution with its data (n8n sends the run data as a `flatted` string; parsed here). @param {string} id */
  async execution(id) {
    const e = await this.get(`/rest/executions/${id}`);
    const flatted = require(path.join(n8n.RUNTIME, 'node_modules', 'flatted'));
    return { ...e, data: typeof e.data === 'string' ? flatted.parse(e.data) : e.data };
  }

  /** Bytes of a binary as the editor downloads it (`/rest/binary-data?id=…&action=download`). @param {string} id */
  async binary(id) {
    const res = await this.raw(`/rest/binary-data?id=${encodeURIComponent(id)}&action=download`);
    if (!res.ok) throw new Error(`GET /rest/binary-data (${id}) answered HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
    return { bytes: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type') };
  }
}

module.exports = {
  Processes,
  stopGroup,
  ensureRedis,
  ensurePostgres,
  startRedis,
  startPostgres,
  psql,
  queueEnv,
  startN8nProcess,
  readJsonLog,
  N8nRest,
};
