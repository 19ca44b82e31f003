// @ts-check
'use strict';

/**
 * Helpers of the server-mode scenarios: reading what n8n did (a node's output items, an execution's error, the
 * bytes of a binary in n8n's store, the executions in n8n's database) and waiting.
 */

const fs = require('node:fs');
const path = require('node:path');
const { assert } = require('../../../scripts/lib/checks');

/** Output items of a node's first run. @param {any} exec @param {string} node */
function nodeItems(exec, node) {
  const runs = exec?.data?.resultData?.runData?.[node];
  assert(Array.isArray(runs) && runs.length > 0, `node "${node}" did not run (status ${exec?.status})`);
  assert(!runs[0].error, `node "${node}" failed: ${runs[0].error?.message}`);
  return runs[0].data.main[0] || [];
}

/** @param {any} exec */
const execError = (exec) => exec?.data?.resultData?.error?.message ?? '';

/**
 * The bytes n8n keeps for a binary: filesystem mode (`filesystem-v2:<relative path>`), or, in n8n 1.x's default
 * mode, base64 in the execution's data.
 * @param {string} userFolder @param {any} binary
 */
function binaryBytes(userFolder, binary) {
  if (binary && !binary.id && typeof binary.data === 'string' && binary.data.length > 0) return Buffer.from(binary.data, 'base64');
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
        .prepare('SELECT CAST(id AS TEXT) AS id, status, mode, finished FROM execution_entity WHERE workflowId = ? ORDER BY CAST(id AS INTEGER)')
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

module.exports = { nodeItems, execError, binaryBytes, download, assertVideoItem, executionRows, sleep, until, seconds };
