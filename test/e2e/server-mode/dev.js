// @ts-check
'use strict';

/**
 * dev (issue 18): `npm run dev` as a newcomer meets it ("a first run that just works"). Runs after the other
 * scenarios, once their n8n has stopped, and with the default n8n only (dev runs no other).
 *
 * 1. Without FAL_KEY: dev starts the fal emulator by itself, says so in its banner, imports the credential
 *    "Hailuo (fal emulator)" and the examples pointing at it, prints what to do now; example 1 then runs as the
 *    editor runs it (owner created over REST) and makes a video.
 *    The banner's key and Base URL, entered by hand into a new credential of the type it names, pass the credential's
 *    Test; a wrong key fails it, and the dev terminal shows n8n's message and one folded line, no stack.
 * 2. With FAL_KEY=fake-key-…: no emulator; the credential "Hailuo (fal.ai)" (type hailuoApi) holds the key in n8n's
 *    encrypted store (n8n decrypts it back), the examples point at it, and the key is in no file of the user folder
 *    (the database included: it is stored encrypted) and nowhere in dev's output.
 *
 * Each dev runs in its own user folder (`--user-folder`) and ports, and is stopped with Ctrl-C (SIGINT) as a user
 * stops it.
 */

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const n8n = require('../../../scripts/lib/n8n');
const { EMULATOR_CREDENTIAL } = require('../../../scripts/lib/fal-emulator');
const { assert, check } = require('../../../scripts/lib/checks');
const { Rest } = require('./clients');

const DEV = path.join(n8n.ROOT, 'scripts', 'dev.js');
const OWNER = { email: 'newcomer@example.com', firstName: 'New', lastName: 'Comer', password: 'Hailuo-newcomer-1' };

/**
 * Starts `node scripts/dev.js` and waits for its "What to do now".
 * @param {{ userFolder: string, falKey?: string, build: boolean }} o
 */
async function startDev({ userFolder, falKey, build }) {
  const port = await n8n.freePort();
  const emulatorPort = await n8n.freePort();
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env, PATH: n8n.pathWithNode24() };
  // dev runs the default n8n, whatever runtime the caller picked; FAL_KEY only when given.
  for (const k of ['N8N_VERSION', 'N8N_RUNTIME_DIR', 'FAL_KEY', 'N8N_PORT']) delete env[k];
  if (falKey !== undefined) env.FAL_KEY = falKey;
  const devArgs = [DEV, '--user-folder', userFolder, '--port', String(port), '--emulator-port', String(emulatorPort)];
  if (!build) devArgs.push('--no-build');
  const child = spawn(n8n.node24(), devArgs, { cwd: n8n.ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const deadline = Date.now() + 240_000;
  while (!/What to do now/.test(output)) {
    if (child.exitCode !== null) throw new Error(`dev exited ${child.exitCode}:\n${output.slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`dev printed no "What to do now" within 240 s:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    emulatorOrigin: `http://127.0.0.1:${emulatorPort}`,
    output: () => output,
    /** Ctrl-C, as a user stops it; resolves when dev (and with it n8n and the emulator) has exited. */
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.once('exit', (code) => {
          clearTimeout(t);
          resolve(code);
        });
        child.kill('SIGINT');
      }),
  };
}

/** Rows of a table in the user folder's database. @param {string} userFolder @param {string} sql */
function query(userFolder, sql) {
  const { DatabaseSync } = require('node:sqlite');
  const db = new DatabaseSync(path.join(userFolder, '.n8n', 'database.sqlite'), { readOnly: true });
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    return db.prepare(sql).all().map((r) => /** @type {Record<string, any>} */ ({ ...r }));
  } finally {
    db.close();
  }
}

/** The credential ids every Hailuo node of the imported examples points at. @param {string} userFolder */
function exampleCredentialIds(userFolder) {
  const ids = new Set();
  for (const wf of query(userFolder, "SELECT nodes FROM workflow_entity WHERE name LIKE 'Hailuo example%'")) {
    for (const node of JSON.parse(wf.nodes)) {
      if (node.type === n8n.NODE_TYPE) ids.add(node.credentials?.hailuoApi?.id);
    }
  }
  return ids;
}

/** Every file under `dir` whose bytes contain `needle`. @param {string} dir @param {string} needle */
function filesContaining(dir, needle) {
  const hits = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (fs.readFileSync(file).includes(needle)) hits.push(path.relative(dir, file));
  }
  return hits;
}

/**
 * The dev checks; `work` is a scratch folder of the caller.
 * @param {{ work: string, build?: boolean }} o
 */
async function devChecks({ work, build = false }) {
  const plainFolder = path.join(work, 'dev-emulator');
  const plain = await startDev({ userFolder: plainFolder, build }).catch((e) => e);
  try {
    await check('npm run dev without FAL_KEY: the fal emulator by default, said in the banner, with "what to do now"', () => {
      assert(!(plain instanceof Error), plain instanceof Error ? plain.message : '');
      const out = plain.output();
      assert(/\*\*\* FAL EMULATOR \*\*\*/.test(out) && out.includes(plain.emulatorOrigin), `banner:\n${out.slice(-2000)}`);
      for (const step of [`Open ${plain.url}`, 'Create the owner account', 'Hailuo example 1: image URL to MP4 file', 'Execute workflow']) {
        assert(out.includes(step), `"what to do now" lacks "${step}":\n${out.slice(-1500)}`);
      }
      const creds = query(plainFolder, 'SELECT id, name, type FROM credentials_entity');
      assert(
        creds.length === 1 && creds[0].name === EMULATOR_CREDENTIAL.name && creds[0].type === 'hailuoApi',
        `credentials: ${JSON.stringify(creds)}`,
      );
      const ids = exampleCredentialIds(plainFolder);
      assert(ids.size === 1 && ids.has(EMULATOR_CREDENTIAL.id), `the examples point at ${[...ids].join(', ')}`);
    });

    await check('npm run dev without FAL_KEY: example 1 runs as the editor runs it and makes a video', async () => {
      assert(!(plain instanceof Error), 'dev did not start');
      const headers = { 'content-type': 'application/json' };
      const setup = await fetch(`${plain.url}/rest/owner/setup`, { method: 'POST', headers, body: JSON.stringify(OWNER) });
      assert(setup.ok, `owner setup: HTTP ${setup.status}`);
      const cookie = (setup.headers.getSetCookie().find((c) => c.startsWith('n8n-auth=')) || '').split(';')[0];
      const api = async (/** @type {string} */ method, /** @type {string} */ p, /** @type {unknown} */ body) => {
        const r = await fetch(`${plain.url}${p}`, { method, headers: { ...headers, cookie }, body: body && JSON.stringify(body) });
        const text = await r.text();
        assert(r.ok, `${method} ${p}: HTTP ${r.status} ${text}`);
        return JSON.parse(text).data;
      };
      const workflowData = await api('GET', '/rest/workflows/hailuoExample001');
      const { executionId } = await api('POST', '/rest/workflows/hailuoExample001/run', {
        workflowData,
        triggerToStartFrom: { name: "When clicking 'Execute workflow'" },
      });
      const deadline = Date.now() + 60_000;
      let exec;
      do {
        await new Promise((r) => setTimeout(r, 500));
        exec = await api('GET', `/rest/executions/${executionId}`);
      } while (!['success', 'error', 'crashed', 'canceled'].includes(exec.status) && Date.now() < deadline);
      assert(exec.status === 'success', `example 1 ended ${exec.status}`);
      const file = path.join(plainFolder, n8n.FILES_DIR_NAME, 'hailuo', 'hailuo-example-1.mp4');
      // The emulator serves its fixture clip as every video.
      const fixture = fs.readFileSync(path.join(n8n.ROOT, 'test', 'emulator', 'fixtures', 'video.mp4'));
      assert(fs.readFileSync(file).equals(fixture), `${file} is not the emulator's video`);

      // example 6a submits three jobs with example 6b's trigger URL on this n8n: the trigger writes three videos
      const six = await api('GET', '/rest/workflows/hailuoExample06a');
      await api('POST', '/rest/workflows/hailuoExample06a/run', { workflowData: six, triggerToStartFrom: { name: "When clicking 'Execute workflow'" } });
      const dir = path.join(plainFolder, n8n.FILES_DIR_NAME, 'hailuo');
      const rows = () => fs.readdirSync(dir).filter((f) => /^row-\d-.*\.mp4$/.test(f));
      const until = Date.now() + 60_000;
      while (rows().length < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 500));
      assert(rows().length === 3, `example 6b wrote ${rows().length} of 3 videos: ${rows().join(', ')}`);

      // a workflow with an empty Prompt (a parameter issue): n8n 2.41 prints a stack after such a run
      const broken = JSON.parse(JSON.stringify(workflowData));
      for (const node of broken.nodes) if (node.type === n8n.NODE_TYPE) node.parameters.prompt = '';
      const created = await api('POST', '/rest/workflows', { name: 'dev: empty prompt', nodes: broken.nodes, connections: broken.connections, settings: broken.settings });
      await api('POST', `/rest/workflows/${created.id}/run`, { workflowData: created, triggerToStartFrom: { name: "When clicking 'Execute workflow'" } }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 3_000));
    });

    await check('a credential made by hand from the banner\'s words passes its Test; a wrong key fails it, with no stack in dev\'s output', async () => {
      assert(!(plain instanceof Error), 'dev did not start');
      const banner = plain.output();
      const given = banner.match(/API Key: (\S+) +Base URL: (\S+)/);
      assert(given, `the banner names no API Key and Base URL:\n${banner.slice(-2500)}`);
      const [, apiKey, baseUrl] = given;
      assert(baseUrl === plain.emulatorOrigin, `the banner's Base URL ${baseUrl} is not the emulator's ${plain.emulatorOrigin}`);
      // the words the banner uses are the credential's own: its type's name and its two fields
      const { HailuoApi } = require(path.join(n8n.ROOT, 'dist', 'credentials', 'HailuoApi.credentials.js'));
      const type = new HailuoApi();
      const fields = type.properties.map((/** @type {any} */ p) => p.displayName);
      assert(banner.includes(`Create credential → "${type.displayName}" → that ${fields.join(' and ')}`), `the banner does not say how to make a "${type.displayName}" credential with ${fields.join(', ')}`);

      const rest = new Rest(plain.url);
      await rest.call('POST', '/rest/login', { emailOrLdapLoginId: OWNER.email, password: OWNER.password });
      const made = await rest.call('POST', '/rest/credentials', { name: 'Made by hand', type: type.name, data: { apiKey, baseUrl } });
      const testWith = async (/** @type {Record<string, string>} */ data) =>
        await rest.call('POST', '/rest/credentials/test', { credentials: { id: made.id, name: made.name, type: type.name, data } });
      const good = await testWith({ apiKey, baseUrl });
      assert(good?.status === 'OK', `the Test of the credential made from the banner: ${JSON.stringify(good)}`);

      const before = plain.output().length;
      const bad = await testWith({ apiKey: 'not-the-key', baseUrl });
      assert(bad?.status === 'Error', `the Test with a wrong key: ${JSON.stringify(bad)}`);
      // n8n logs the failed request (its message, then the AxiosError's stack): dev folds the stack into one line
      const folded = /\[n8n\] Request failed with status code 401 \(n8n's stack of that failed request, folded by npm run dev\)/;
      const until = Date.now() + 10_000;
      while (!folded.test(plain.output().slice(before)) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
      const after = plain.output().slice(before);
      assert(folded.test(after), `no folded line for the failed Test in dev's output:\n${after.slice(-2500)}`);
      assert(after.includes('Authorization failed - please check your credentials'), `n8n's message for the failed Test is not shown:\n${after}`);
      assert(!/^\s+at |AxiosError/m.test(after), `a stack in dev's output after the failed Test:\n${after}`);
    });

    await check('npm run dev shows what matters: the sample images in the banner, no stack traces (n8n\'s known noise folded)', () => {
      assert(!(plain instanceof Error), 'dev did not start');
      const out = plain.output();
      assert(out.includes(`${plain.emulatorOrigin}/_samples/frame.jpg`) && out.includes('…/png/100x100.png (too small)'), 'the banner lacks the sample images');
      const lines = out.split('\n');
      const first = lines.findIndex((line) => /^\s+at /.test(line));
      assert(first < 0, `stack lines in dev's output:\n${lines.slice(Math.max(0, first - 8), first + 3).join('\n')}`);
      assert(!/community node|verified.*packages/i.test(out.replace(/Settings → Community Nodes/g, '')), 'dev\'s output mentions the community-node catalogue fetch');
    });
  } finally {
    if (!(plain instanceof Error)) await plain.stop();
  }

  const keyFolder = path.join(work, 'dev-fal-key');
  const key = `fake-key-${crypto.randomUUID()}`;
  const withKey = await startDev({ userFolder: keyFolder, falKey: key, build: false }).catch((e) => e);
  try {
    await check('npm run dev with FAL_KEY: the credential "Hailuo (fal.ai)" with that key, the examples use it, no emulator', async () => {
      assert(!(withKey instanceof Error), withKey instanceof Error ? withKey.message : '');
      const out = withKey.output();
      assert(/\*\*\* FAL\.AI \*\*\*/.test(out) && !/FAL EMULATOR|fal emulator on/.test(out), `banner:\n${out.slice(-2000)}`);
      const creds = query(keyFolder, 'SELECT id, name, type FROM credentials_entity');
      assert(
        creds.length === 1 && creds[0].id === 'hailuoFalAi00001' && creds[0].name === 'Hailuo (fal.ai)' && creds[0].type === 'hailuoApi',
        `credentials: ${JSON.stringify(creds)}`,
      );
      const ids = exampleCredentialIds(keyFolder);
      assert(ids.size === 1 && ids.has('hailuoFalAi00001'), `the examples point at ${[...ids].join(', ')}`);
      const reachable = await fetch(`${withKey.emulatorOrigin}/_emulator/stats`).then(() => true, () => false);
      assert(!reachable, 'an emulator answers although FAL_KEY is set');
    });
  } finally {
    if (!(withKey instanceof Error)) await withKey.stop();
  }

  await check('the FAL_KEY is only in n8n\'s encrypted store: in no file of the user folder, not in dev\'s output', async () => {
    assert(!(withKey instanceof Error), 'dev did not start');
    const files = filesContaining(keyFolder, key);
    assert(files.length === 0, `the key is in ${files.join(', ')}`);
    assert(!withKey.output().includes(key), 'dev printed the key');
    const env = n8n.n8nEnv({ userFolder: keyFolder, port: await n8n.freePort(), brokerPort: await n8n.freePort() });
    const exported = await n8n.runN8n(['export:credentials', '--id=hailuoFalAi00001', '--decrypted'], env);
    assert(exported.stdout.includes(`"apiKey": "${key}"`) || exported.stdout.includes(`"apiKey":"${key}"`), 'n8n does not decrypt the stored credential to the key');
  });
}

module.exports = {
  name: 'dev',
  about: '`npm run dev` without FAL_KEY (the emulator, example 1 runs) and with one (the key only in n8n\'s store)',
  server: false,
  /** @param {any} ctx */
  run: async ({ runtime, work }) => {
    if (runtime.isDefault !== false) await devChecks({ work });
    else process.stdout.write(`server-mode: npm run dev is checked with the default n8n only, not ${runtime.version}\n`);
  },
};
