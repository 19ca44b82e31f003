// @ts-check
'use strict';

/**
 * The fal emulator (test/emulator/) as a child process of the scripts, and the credential that points the node at it.
 * Built on ./n8n.js (ports, waiting, stopping); used by `npm run dev`, the e2e, browser and queue tests.
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, node24, pathWithNode24, freePort, waitForHttp, stopChild } = require('./n8n');

/** Name and id of the credential that points at the emulator (the examples reference both). */
const EMULATOR_CREDENTIAL = { id: 'hailuoEmulator01', name: 'Hailuo (fal emulator)' };
const EMULATOR_API_KEY = 'test-key';

/**
 * The credential that points the node at the emulator, in `n8n import:credentials` form (n8n encrypts `data`).
 * @param {string} emulatorOrigin
 */
function emulatorCredential(emulatorOrigin) {
  return {
    ...EMULATOR_CREDENTIAL,
    type: 'hailuoApi',
    data: { apiKey: EMULATOR_API_KEY, baseUrl: emulatorOrigin },
  };
}

/**
 * What `npm run dev` prints about the emulator's credential: its key and Base URL, and how to make one by hand with
 * them (the key is the emulator's test key, no secret: the emulator refuses any other, as fal does a wrong one).
 * test/browser/hand-made-credential.js follows these words in the editor.
 * @param {string} origin @returns {string[]}
 */
function emulatorCredentialWords(origin) {
  return [
    `    API Key: ${EMULATOR_API_KEY}    Base URL: ${origin}    (the emulator's test key, not a secret)`,
    '  A credential of your own: Create credential → "Hailuo (fal.ai) API" → that API Key and Base URL → Save (n8n tests it).',
  ];
}

/**
 * Starts the fal emulator (test/emulator/cli.js, always on 127.0.0.1) on a free port, key `test-key`.
 * @param {{ port?: number, logFile?: string, args?: string[] }} [o]
 * @returns {Promise<{ origin: string, port: number, child: import('node:child_process').ChildProcess, stop: () => Promise<void> }>}
 */
async function startEmulator({ port, logFile, args = [] } = {}) {
  const cli = path.join(ROOT, 'test', 'emulator', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error(`the fal emulator is missing (${path.relative(ROOT, cli)})`);
  const p = port || (await freePort());
  const out = logFile ? fs.openSync(logFile, 'a') : 'ignore';
  const child = spawn(node24(), [cli, '--port', String(p), '--api-key', EMULATOR_API_KEY, ...args], {
    cwd: ROOT,
    stdio: ['ignore', out, out],
    env: { ...process.env, PATH: pathWithNode24() },
  });
  const origin = `http://127.0.0.1:${p}`;
  await waitForHttp(`${origin}/_emulator/stats`, { timeoutMs: 20_000, child });
  return { origin, port: p, child, stop: () => stopChild(child) };
}

module.exports = { EMULATOR_CREDENTIAL, EMULATOR_API_KEY, emulatorCredential, emulatorCredentialWords, startEmulator };
