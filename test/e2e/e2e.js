#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * End-to-end tests in real n8n: `npm run test:e2e` (or `node test/e2e/e2e.js [--n8n <version>] [--no-build] [--keep]`).
 * `--n8n 1.123.x` (or N8N_VERSION) runs them in n8n 1.123 on the machine's Node 20–24 instead of the default
 * n8n 2.41.1 on Node 24 (scripts/lib/runtime.js); the runner prints which n8n and which Node it ran.
 *
 * Builds and `npm pack`s the package, installs the tarball into a fresh user folder the way Settings → Community
 * Nodes does, starts the fal emulator, imports the emulator credential (plus one with a wrong key), the example
 * workflows and a few variants of them, runs each with `n8n execute --id … --rawOutput` (one user folder, one n8n
 * boot per workflow) and checks the execution data n8n prints, the files Write File wrote and the emulator's
 * counters. Ends with `N passed, N failed`; exits non-zero on any failure.
 */

const fs = require('node:fs');
const path = require('node:path');
const runtimes = require('../../scripts/lib/runtime');

const argv = process.argv.slice(2);
/** The n8n to run: `--n8n <version>`, else N8N_VERSION, else 2.41.1. scripts/lib/n8n.js then defaults to it. */
const RUNTIME = runtimes.resolveRuntime(runtimes.takeN8nArg(argv));
process.env.N8N_VERSION = RUNTIME.version;
const n8n = require('../../scripts/lib/n8n');
const { startEmulator, emulatorCredential } = require('../../scripts/lib/fal-emulator');
const { loadExamples } = require('../../scripts/lib/examples');
const { packAndInstall } = require('../../scripts/lib/community-package');
const { assert, check, allPassed, runChecks } = require('../../scripts/lib/checks');

const args = new Set(argv);
const BUILD = !args.has('--no-build');
const KEEP = args.has('--keep');
/** Size of every video the emulator serves: big enough that a truncated or re-encoded copy shows. */
const VIDEO_BYTES = 2_500_000;
const BAD_CREDENTIAL = { id: 'hailuoBadKey0001', name: 'Hailuo (wrong key)' };

/**
 * The execution data `n8n execute --rawOutput` prints: the last top-level JSON object in its output (n8n prints it
 * through its logger, between other log lines; on failure it prints it before the error).
 * @param {string} text @returns {any}
 */
function parseExecution(text) {
  // At debug level the logger prefixes the first line with the time and level and appends its metadata to the last.
  const lines = text
    .split('\n')
    .map((l) => l.replace(/^\d\d:\d\d:\d\d\.\d+\s+\w+\s+\{$/, '{').replace(/^\} \{ "file": .*\}$/, '}'));
  for (let start = lines.length - 1; start >= 0; start--) {
    if (lines[start] !== '{' || !/^ {2}"data": \{/.test(lines[start + 1] ?? '')) continue;
    for (let end = start + 1; end < lines.length; end++) {
      if (lines[end] !== '}') continue;
      try {
        const data = JSON.parse(lines.slice(start, end + 1).join('\n'));
        if (data && data.data && data.data.resultData) return data;
      } catch {
        /* a log line inside, or not the end yet */
      }
    }
  }
  return undefined;
}

/** Output items of a node in an execution (first run, first output). @param {any} exec @param {string} node */
function nodeItems(exec, node) {
  const runs = exec?.data?.resultData?.runData?.[node];
  assert(Array.isArray(runs) && runs.length > 0, `node "${node}" did not run`);
  assert(!runs[0].error, `node "${node}" failed: ${runs[0].error?.message}`);
  return runs[0].data.main[0] || [];
}

/** @param {any} wf */
const clone = (wf) => JSON.parse(JSON.stringify(wf));
/** @param {any} wf @param {string} type */
const nodeOfType = (wf, type) => wf.nodes.find((/** @type {any} */ n) => n.type === type);

/**
 * Bytes of a binary in an execution: from n8n's filesystem store (`filesystem-v2:<relative path>`, n8n 2.x's default
 * mode), or, without a store id, from the base64 `data` n8n 1.x's default in-memory mode keeps in the execution.
 * @param {string} userFolder @param {any} binary @returns {Buffer}
 */
function binaryBytes(userFolder, binary) {
  if (!binary.id && RUNTIME.major < 2 && typeof binary.data === 'string' && binary.data.length > 0) {
    return Buffer.from(binary.data, 'base64');
  }
  // in n8n's database: as the Write File step of the example read it from there
  if (String(binary.id).startsWith('database:')) return fs.readFileSync(path.join(userFolder, '.n8n-files', 'hailuo', binary.fileName));
  return fs.readFileSync(binaryFile(userFolder, binary));
}

/** Path of a binary that n8n keeps in its filesystem store (`filesystem-v2:<relative path>`). */
function binaryFile(/** @type {string} */ userFolder, /** @type {any} */ binary) {
  assert(typeof binary.id === 'string' && binary.id.includes(':'), `binary has no store id: ${JSON.stringify({ ...binary, data: binary.data && `${String(binary.data).slice(0, 40)}…` })}`);
  const rel = binary.id.slice(binary.id.indexOf(':') + 1);
  for (const base of ['storage', 'binaryData']) {
    const p = path.join(userFolder, '.n8n', base, rel);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`binary ${binary.id} is not in ${userFolder}/.n8n/storage`);
}

/** An MP4 starts with a box whose type, at bytes 4..8, is `ftyp`. @param {Buffer} b */
const isMp4 = (b) => b.length > 12 && b.toString('latin1', 4, 8) === 'ftyp';

async function main() {
  const started = Date.now();
  process.stdout.write(`e2e: ${RUNTIME.describe()}\n`);
  const work = n8n.scratchDir('e2e');
  const userFolder = path.join(work, 'user');
  fs.mkdirSync(userFolder, { recursive: true });
  process.stdout.write(`e2e: user folder ${path.relative(n8n.ROOT, userFolder)}\n`);

  const { pkgDir } = packAndInstall({ userFolder, scratch: work, build: BUILD });

  const emulator = await startEmulator({
    logFile: path.join(work, 'emulator.log'),
    args: ['--video-bytes', String(VIDEO_BYTES)],
  });
  const emu = async (/** @type {string} */ p, /** @type {RequestInit} */ init = {}) => {
    const res = await fetch(`${emulator.origin}${p}`, init);
    return await res.json();
  };

  const brokerPort = await n8n.freePort();
  const port = await n8n.freePort();
  const env = n8n.n8nEnv({ userFolder, port, brokerPort, logLevel: 'info' });
  /** Everything n8n printed, for the warning scan. */
  let allLogs = '';

  try {
    await check(`n8n ${RUNTIME.version} runs, on Node ${RUNTIME.nodeVersion}`, async () => {
      const r = await n8n.runN8n(['--version'], env);
      const said = stripAnsi(r.stdout).trim().split('\n').pop();
      assert(r.code === 0 && said === RUNTIME.version, `n8n --version said ${JSON.stringify(said)} (exit ${r.code}), expected ${RUNTIME.version}`);
      const node = n8n.runtimeOf(env);
      assert(node.nodeVersion === RUNTIME.nodeVersion, `n8n runs on Node ${node.nodeVersion}, expected ${RUNTIME.nodeVersion}`);
    });

    await check('package as npm pack ships it has the node, the credential and the icons', () => {
      for (const f of [
        'package.json',
        'dist/nodes/Hailuo/Hailuo.node.js',
        'dist/credentials/HailuoApi.credentials.js',
      ]) {
        assert(fs.existsSync(path.join(pkgDir, f)), `missing ${f} in the packed package`);
      }
      const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
      for (const f of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
        assert(fs.existsSync(path.join(pkgDir, f)), `package.json n8n block names ${f}, not in the tarball`);
      }
      const icons = fs.readdirSync(path.join(pkgDir, 'dist'), { recursive: true }).map(String);
      assert(icons.some((f) => f.endsWith('.svg')), 'no .svg icon in dist/');
    });

    const creds = [
      emulatorCredential(emulator.origin),
      { ...BAD_CREDENTIAL, type: 'hailuoApi', data: { apiKey: 'wrong-key', baseUrl: emulator.origin } },
    ];
    const imp = await n8n.importCredentials(creds, env, work);
    allLogs += imp.stdout + imp.stderr;

    const examples = loadExamples(emulator.origin);
    const [ex1, ex2, ex3] = examples.map((e) => e.workflow);
    assert(ex1 && ex2 && ex3, 'expected three example workflows in examples/');

    // Variants of the examples for the error paths.
    const badKey = clone(ex1);
    badKey.id = 'hailuoE2eBadKey1';
    badKey.name = 'e2e: wrong API key';
    nodeOfType(badKey, n8n.NODE_TYPE).credentials.hailuoApi = BAD_CREDENTIAL;

    const failing = clone(ex1);
    failing.id = 'hailuoE2eFailGen';
    failing.name = 'e2e: failed generation';
    nodeOfType(failing, n8n.NODE_TYPE).parameters.prompt = 'A slow pan [emulator:fail]';

    const partial = clone(ex3);
    partial.id = 'hailuoE2ePartial';
    partial.name = 'e2e: continue on fail keeps the good items';
    const code = nodeOfType(partial, 'n8n-nodes-base.code');
    code.parameters.jsCode = code.parameters.jsCode.replace(
      "prompt: 'The camera orbits the subject, dramatic clouds move behind'",
      "prompt: 'The camera orbits the subject [emulator:fail]'",
    );
    assert(code.parameters.jsCode.includes('[emulator:fail]'), 'could not plant the failure in example 3');

    const urlOnly = clone(ex1);
    urlOnly.id = 'hailuoE2eUrlOnly';
    urlOnly.name = 'e2e: download off';
    urlOnly.nodes = urlOnly.nodes.filter((/** @type {any} */ n) => n.type !== 'n8n-nodes-base.readWriteFile');
    urlOnly.connections = { [urlOnly.nodes[0].name]: urlOnly.connections[urlOnly.nodes[0].name] };
    nodeOfType(urlOnly, n8n.NODE_TYPE).parameters.options = { download: false };

    const workflows = [ex1, ex2, ex3, badKey, failing, partial, urlOnly];
    const wimp = await n8n.importWorkflows(workflows, env, work);
    allLogs += wimp.stdout + wimp.stderr;

    /** @type {Record<string, { code: number | null, exec: any, out: string, ms: number, stats: any, statsBefore: any }>} */
    const runs = {};
    for (const wf of workflows) {
      const statsBefore = await emu('/_emulator/stats');
      // The first run logs at debug level: n8n then says what it loaded from the package.
      const runEnv = wf === workflows[0] ? { ...env, N8N_LOG_LEVEL: 'debug' } : env;
      const r = await n8n.runN8n(['execute', `--id=${wf.id}`, '--rawOutput'], runEnv);
      const out = stripAnsi(r.stdout + r.stderr);
      allLogs += out;
      fs.writeFileSync(path.join(work, `${wf.id}.log`), out);
      runs[wf.id] = { code: r.code, exec: parseExecution(stripAnsi(r.stdout)), out, ms: r.ms, statsBefore, stats: await emu('/_emulator/stats') };
      process.stdout.write(`      ran "${wf.name}" in ${(r.ms / 1000).toFixed(1)} s (exit ${r.code})\n`);
    }
    // n8n 1.x keeps binary data in memory by default (2.x: on disk; in its database in queue mode). The runs above use
    // the filesystem mode, as scripts/lib/runtime.js sets it for 1.x (self-hosters of 1.x set it for large files);
    // examples 1 and 2 run once more in 1.x's default mode, where the image comes from and the video goes into the
    // execution's own data; on 2.x, example 1 runs once more with binary data in the database.
    const [otherMode, otherRuns] = RUNTIME.major < 2 ? ['default', [ex1, ex2]] : ['database', [ex1]];
    /** @type {Record<string, { code: number | null, exec: any, out: string }>} */
    const memoryRuns = {};
    for (const wf of otherRuns) {
      const r = await n8n.runN8n(['execute', `--id=${wf.id}`, '--rawOutput'], { ...env, N8N_DEFAULT_BINARY_DATA_MODE: otherMode });
      const out = stripAnsi(r.stdout + r.stderr);
      allLogs += out;
      fs.writeFileSync(path.join(work, `${wf.id}-${otherMode}.log`), out);
      memoryRuns[wf.id] = { code: r.code, exec: parseExecution(stripAnsi(r.stdout)), out };
      process.stdout.write(`      ran "${wf.name}" with N8N_DEFAULT_BINARY_DATA_MODE=${otherMode} in ${(r.ms / 1000).toFixed(1)} s (exit ${r.code})\n`);
    }
    /** Checks one successful Hailuo item and the MP4 behind it. @param {any} item @param {string} fileName */
    const checkVideoItem = (item, fileName) => {
      const j = item.json;
      for (const k of ['requestId', 'videoUrl', 'fileName', 'fileSize', 'mimeType', 'duration', 'prompt', 'costUsd']) {
        assert(j[k] !== undefined && j[k] !== '', `output JSON lacks ${k}: ${JSON.stringify(j)}`);
      }
      assert(j.fileName === fileName, `fileName ${j.fileName}, expected ${fileName}`);
      assert(j.mimeType === 'video/mp4', `mimeType ${j.mimeType}`);
      assert(j.fileSize === VIDEO_BYTES, `fileSize ${j.fileSize}, the emulator served ${VIDEO_BYTES}`);
      // what the emulator's video is (ffprobe: 3.000 s, 432x768, no audio stream), read from the MP4 as it streamed in
      const facts = JSON.stringify([j.durationSeconds, j.width, j.height, j.hasAudio]);
      assert(facts === '[3,432,768,false]', `durationSeconds, width, height, hasAudio: ${facts}`);
      assert(j.videoUrl.startsWith(emulator.origin), `videoUrl ${j.videoUrl} is not the emulator's`);
      const bin = item.binary?.data;
      assert(bin, `no binary "data" in the output item (binary: ${Object.keys(item.binary || {})})`);
      assert(bin.mimeType === 'video/mp4', `binary mimeType ${bin.mimeType}`);
      assert(bin.fileName === fileName, `binary fileName ${bin.fileName}`);
      const bytes = binaryBytes(userFolder, bin);
      assert(bytes.length === VIDEO_BYTES, `binary has ${bytes.length} bytes, the emulator served ${VIDEO_BYTES}`);
      assert(isMp4(bytes), 'binary is not an MP4 (no ftyp box)');
      return { bytes, json: j };
    };

    await check('example 1 (image URL → Hailuo → Write File): succeeds', () => {
      const r = runs[ex1.id];
      assert(r.code === 0 && r.exec && !r.exec.data.resultData.error, `exit ${r.code}: ${r.exec?.data?.resultData?.error?.message ?? tail(r.out)}`);
    });
    await check('example 1: binary MP4 (video/mp4) of the size the emulator served, JSON fields present', async () => {
      const r = runs[ex1.id];
      const items = nodeItems(r.exec, 'Hailuo Video');
      assert(items.length === 1, `${items.length} items`);
      const { bytes, json } = checkVideoItem(items[0], 'hailuo-example-1.mp4');
      const fromEmulator = Buffer.from(await (await fetch(json.videoUrl)).arrayBuffer());
      assert(fromEmulator.length === bytes.length, `emulator serves ${fromEmulator.length} bytes, n8n holds ${bytes.length}`);
      assert(fromEmulator.equals(bytes), 'the binary differs from what the emulator served');
      assert(json.duration === 6 || json.duration === '6', `duration ${json.duration}`);
      assert(r.stats.submits - r.statsBefore.submits === 1, `submits: ${r.stats.submits - r.statsBefore.submits}`);
    });
    await check('example 1: Write File wrote a valid MP4 under the allowed folder', () => {
      const r = runs[ex1.id];
      const [written] = nodeItems(r.exec, 'Write MP4 to Disk');
      assert(written.json.fileName === '.n8n-files/hailuo/hailuo-example-1.mp4', `Write File path ${written.json.fileName}`);
      const file = path.join(userFolder, written.json.fileName);
      const bytes = fs.readFileSync(file);
      assert(bytes.length === VIDEO_BYTES, `${file} has ${bytes.length} bytes, expected ${VIDEO_BYTES}`);
      assert(isMp4(bytes), `${file} is not an MP4 (bytes 4..8: ${bytes.toString('latin1', 4, 8)})`);
    });

    await check(`n8n ${RUNTIME.version}'s binary mode ${otherMode} (${otherMode === 'default' ? 'in memory' : 'in its database'}): ${otherRuns.length} example(s) carry the emulator's MP4 byte for byte`, async () => {
      for (const [wf, fileName] of [[ex1, 'hailuo-example-1.mp4'], [ex2, 'hailuo-example-2.mp4']].filter(([wf]) => memoryRuns[wf.id])) {
        const r = memoryRuns[wf.id];
        assert(r.code === 0 && r.exec && !r.exec.data.resultData.error, `${wf.name}: exit ${r.code}: ${r.exec?.data?.resultData?.error?.message ?? tail(r.out)}`);
        const [item] = nodeItems(r.exec, 'Hailuo Video');
        const bin = item.binary?.data;
        const where = otherMode === 'default' ? bin && !bin.id && typeof bin.data === 'string' : String(bin?.id).startsWith('database:');
        assert(where, `${wf.name}: the binary is not held in mode ${otherMode}: ${JSON.stringify({ ...bin, data: bin?.data && `${String(bin.data).slice(0, 40)}…` })}`);
        const { bytes, json } = checkVideoItem(item, fileName);
        const fromEmulator = Buffer.from(await (await fetch(json.videoUrl)).arrayBuffer());
        assert(fromEmulator.equals(bytes), `${wf.name}: the binary differs from what the emulator served`);
      }
    });

    await check('example 2 (PNG from disk → Hailuo binary image → Write File): video written, image uploaded', () => {
      const r = runs[ex2.id];
      assert(r.code === 0 && r.exec && !r.exec.data.resultData.error, `exit ${r.code}: ${r.exec?.data?.resultData?.error?.message ?? tail(r.out)}`);
      const [read] = nodeItems(r.exec, 'Read PNG from Disk');
      assert(read.binary?.data?.mimeType === 'image/png', `read mime ${read.binary?.data?.mimeType}`);
      const items = nodeItems(r.exec, 'Hailuo Video');
      assert(items.length === 1, `${items.length} items`);
      checkVideoItem(items[0], 'hailuo-example-2.mp4');
      const file = path.join(userFolder, '.n8n-files', 'hailuo', 'hailuo-example-2.mp4');
      const bytes = fs.readFileSync(file);
      assert(bytes.length === VIDEO_BYTES && isMp4(bytes), `${file}: ${bytes.length} bytes, MP4 ${isMp4(bytes)}`);
      const uploads = (r.stats.uploads ?? 0) - (r.statsBefore.uploads ?? 0);
      assert(uploads === 1, `the emulator saw ${uploads} image uploads (stats: ${JSON.stringify(r.stats)})`);
    });

    await check('example 3 (batch of three prompts): three videos, one submit each, Results lists them', () => {
      const r = runs[ex3.id];
      assert(r.code === 0 && r.exec && !r.exec.data.resultData.error, `exit ${r.code}: ${r.exec?.data?.resultData?.error?.message ?? tail(r.out)}`);
      const items = nodeItems(r.exec, 'Hailuo Video');
      assert(items.length === 3, `${items.length} items`);
      ['push-in', 'orbit', 'rain'].forEach((shot, i) => checkVideoItem(items[i], `hailuo-${shot}.mp4`));
      const ids = new Set(items.map((/** @type {any} */ it) => it.json.requestId));
      assert(ids.size === 3, 'request ids are not distinct');
      assert(r.stats.submits - r.statsBefore.submits === 3, `submits: ${r.stats.submits - r.statsBefore.submits}`);
      const res = nodeItems(r.exec, 'Results');
      assert(res.length === 3 && res.every((/** @type {any} */ it) => it.json.ok === true), `Results: ${JSON.stringify(res.map((/** @type {any} */ it) => it.json))}`);
    });

    await check('wrong API key: the execution fails with "fal rejected the API key (HTTP 401)" naming the item', () => {
      const r = runs[badKey.id];
      assert(r.code !== 0, `exit ${r.code}, expected a failure`);
      const msg = r.exec?.data?.resultData?.error?.message ?? '';
      assert(/fal rejected the API key \(HTTP 401\)/.test(msg), `error message: ${msg || tail(r.out)}`);
      assert(/item 0/.test(msg), `error message does not name the item: ${msg}`);
      assert(r.stats.accepted - r.statsBefore.accepted === 0, 'a job was accepted with a wrong key');
    });

    await check('failed generation: the execution fails with the reason and the fal request id', async () => {
      const r = runs[failing.id];
      assert(r.code !== 0, `exit ${r.code}, expected a failure`);
      const msg = r.exec?.data?.resultData?.error?.message ?? '';
      const m = /fal request ([\w-]+)/.exec(msg);
      assert(/could not generate the video/.test(msg) && m, `error message: ${msg || tail(r.out)}`);
      const jobs = (await emu('/_emulator/jobs')).jobs;
      assert(jobs.some((/** @type {any} */ j) => j.requestId === m[1] || j.id === m[1]), `request id ${m[1]} is not one of the emulator's jobs`);
    });

    await check('continue on fail: the failed item carries error + requestId, the two good items keep their videos', () => {
      const r = runs[partial.id];
      assert(r.code === 0 && r.exec && !r.exec.data.resultData.error, `exit ${r.code}: ${r.exec?.data?.resultData?.error?.message ?? tail(r.out)}`);
      const items = nodeItems(r.exec, 'Hailuo Video');
      assert(items.length === 3, `${items.length} items`);
      checkVideoItem(items[0], 'hailuo-push-in.mp4');
      checkVideoItem(items[2], 'hailuo-rain.mp4');
      const bad = items[1].json;
      assert(/could not generate the video/.test(bad.error ?? ''), `item 1 error: ${JSON.stringify(bad)}`);
      assert(typeof bad.requestId === 'string' && bad.requestId && String(bad.error).includes(bad.requestId), `item 1 request id: ${JSON.stringify(bad)}`);
      assert(!items[1].binary, 'the failed item has binary data');
      const res = nodeItems(r.exec, 'Results');
      assert(res.map((/** @type {any} */ it) => it.json.ok).join() === 'true,false,true', `Results ok: ${res.map((/** @type {any} */ it) => it.json.ok)}`);
    });

    await check('download off: the item has the video URL and no binary', () => {
      const r = runs[urlOnly.id];
      assert(r.code === 0 && r.exec && !r.exec.data.resultData.error, `exit ${r.code}: ${r.exec?.data?.resultData?.error?.message ?? tail(r.out)}`);
      const [item] = nodeItems(r.exec, 'Hailuo Video');
      assert(item.json.videoUrl && item.json.requestId, `JSON: ${JSON.stringify(item.json)}`);
      assert(!item.binary || Object.keys(item.binary).length === 0, 'binary present with download off');
    });

    await check('n8n loads the package (2 nodes, 1 credential) from the community folder, without warnings about it', () => {
      const suspicious = allLogs
        .split('\n')
        .filter((l) => /hailuo/i.test(l) && /(warn|deprecat|invalid|unknown|skipping|failed to load|not (be )?loaded|unrecognized)/i.test(l))
        .filter((l) => !/rejected the API key|could not generate the video|\[emulator:fail\]/.test(l));
      const generic = allLogs
        .split('\n')
        .filter((l) => /Skipping package|Failed to load (package|Custom API)|builderHint|Unrecognized node type/i.test(l));
      const bad = [...suspicious, ...generic];
      assert(bad.length === 0, `n8n said:\n${[...new Set(bad)].slice(0, 10).join('\n')}`);
      assert(!/Unrecognized node type: n8n-nodes-hailuo/.test(allLogs), 'n8n did not recognise the node type');
      const loaded = /Loaded all credentials and nodes from n8n-nodes-hailuo \{ "credentials": (\d+), "nodes": (\d+)/.exec(allLogs);
      assert(loaded !== null, 'n8n (debug log) did not report loading n8n-nodes-hailuo from the community folder');
      assert(loaded[1] === '1' && loaded[2] === '2', `n8n loaded ${loaded[1]} credentials and ${loaded[2]} nodes, expected 1 and 2 (the node and its trigger)`);
    });
  } finally {
    await emulator.stop();
    if (!KEEP && allPassed()) fs.rmSync(work, { recursive: true, force: true });
    else process.stdout.write(`e2e: logs and user folder kept in ${path.relative(n8n.ROOT, work)}\n`);
  }
  process.stdout.write(`e2e: n8n ${RUNTIME.version} on Node ${RUNTIME.nodeVersion}, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

/** @param {string} s */
function stripAnsi(s) {
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}

/** @param {string} s */
function tail(s) {
  return s.split('\n').slice(-15).join('\n');
}

runChecks('e2e', main);
