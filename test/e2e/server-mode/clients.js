// @ts-check
'use strict';

/**
 * Small clients of the server-mode scenarios: n8n's REST API as the editor uses it (owner, run, executions), and a
 * fal emulator's admin API (stats, calls, jobs, webhooks, reset, faults).
 */

const path = require('node:path');
const n8n = require('../../../scripts/lib/n8n');
const { assert } = require('../../../scripts/lib/checks');
const { MANUAL } = require('./workflows');
const { sleep } = require('./helpers');

const OWNER = { email: 'owner@example.com', firstName: 'Hailuo', lastName: 'Server', password: 'Hailuo-server-1' };

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
    /** fal lets the job's result go (past its retention): `POST /_emulator/expire`. @param {string} requestId */
    expire: async (requestId) => {
      const r = await fetch(`${emulator.origin}/_emulator/expire`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ request_id: requestId }),
      });
      assert(r.ok, `expire refused: ${await r.text()}`);
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


module.exports = { Rest, emuApi, flatted };
