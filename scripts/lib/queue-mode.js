// @ts-check
'use strict';

/**
 * n8n in queue mode on one machine, for `npm run test:queue` (test/queue/): one n8n main process (webhooks, REST,
 * editor) and n8n workers (`n8n worker`), each with its own user folder holding the package, all sharing one
 * PostgreSQL database and one Redis (started by ./queue-services.js), one encryption key and binary data in the
 * database; their JSON logs, and n8n's REST API as the editor calls it.
 *
 * Plain CommonJS for Node 24 (n8n 2.41 needs it); no dependencies beyond Node, scripts/lib/n8n.js and
 * scripts/lib/queue-services.js.
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const n8n = require('./n8n');
const { stopGroup } = require('./queue-services');

/** @typedef {import('./queue-services').Processes} Processes */

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
  queueEnv,
  startN8nProcess,
  readJsonLog,
  N8nRest,
};
