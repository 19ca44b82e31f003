// @ts-check
'use strict';

/** Helpers of the queue-mode scenarios: waiting, hashing, short failure messages, a bounded pool, n8n's logs. */

const crypto = require('node:crypto');
const qm = require('../../scripts/lib/queue-mode');

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

module.exports = { sleep, sha256, show, median, workerHostId, waitForEnd, FINAL, pool };
