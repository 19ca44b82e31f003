// @ts-check
'use strict';

/**
 * The services n8n's queue mode needs, for `npm run test:queue` (test/queue/): real Redis and PostgreSQL started as
 * this project's own processes in a scratch folder (Debian's `redis-server` and `postgresql`, installed when
 * missing), and the list of every process a run started.
 *
 * Every process started here is recorded in a `Processes` list; `stopAll()` stops them in reverse order (workers and
 * main before the database), and `killAllNow()` is the synchronous last resort for `process.on('exit')`.
 * The n8n processes themselves (main and workers) are ./queue-mode.js's.
 *
 * Plain CommonJS for Node 24; no dependencies beyond Node and scripts/lib/n8n.js.
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

module.exports = {
  Processes,
  stopGroup,
  ensureRedis,
  ensurePostgres,
  startRedis,
  startPostgres,
  psql,
};
