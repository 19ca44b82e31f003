// The live contract test (test/live/, `npm run test:live`) run against an emulator, as CI can: every observation runs
// on both sides and matches, nothing is spent, the key never shows; the cap and the job limit stop paid calls; a
// behaviour that differs is found; and it refuses to run against fal without a cap or a key. The script runs as a
// child process, as a maintainer runs it; the target emulator runs here, so the test can read what reached it.
'use strict';

const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { startEmulator } = require('./emulator');
const { REFERENCE_OPTIONS } = require('./live/live');

const LIVE = path.join(__dirname, 'live', 'live.js');
const SENTINEL = 'b3c1e9d0-live-test-sentinel:4f6a0c2e9b8d7a6f5e4d3c2b1a0f9e8d';
const FREE = ['credential-test', 'pricing', 'invalid-key', 'unknown-request', 'unknown-field', 'upload'];
const PAID = ['submit', 'status-stream', 'result', 'cdn-download', 'webhook', 'cancel-queued'];

/** Runs live.js with these arguments; FAL_KEY is the sentinel unless `env` says otherwise. */
function runLive(args, env = { FAL_KEY: SENTINEL }) {
  const childEnv = { ...process.env };
  delete childEnv.FAL_KEY;
  Object.assign(childEnv, env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LIVE, ...args], { env: childEnv, cwd: path.join(__dirname, '..') });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, all: stdout + stderr }));
  });
}

/** The table's rows: observation name → verdict. */
function verdicts(stdout) {
  const rows = {};
  for (const line of stdout.split('\n')) {
    const m = /^([a-z-]+)\s+\|.*\|\s(match|differs|skipped)$/.exec(line);
    if (m) rows[m[1]] = m[2];
  }
  return rows;
}

const lastLine = (stdout) => stdout.trimEnd().split('\n').pop();

async function freePort() {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** The sentinel, and each part of it, absent from everything the script printed. */
function expectNoKey(out) {
  for (const secret of [SENTINEL, ...SENTINEL.split(':')]) expect(out).not.toContain(secret);
}

describe('npm run test:live against an emulator', () => {
  let emu;
  beforeEach(async () => {
    emu = await startEmulator({ ...REFERENCE_OPTIONS, apiKey: SENTINEL });
  });
  afterEach(() => emu.close());

  test('every observation runs on both sides and matches; USD 0 spent; the key reached the target and never shows', async () => {
    const port = await freePort();
    const r = await runLive(['--base-url', emu.url, '--webhook-url', `http://127.0.0.1:${port}/hook`, '--webhook-port', String(port)]);
    expect(r.stderr).toBe('');
    expect(verdicts(r.stdout)).toEqual(Object.fromEntries([...FREE, ...PAID].map((n) => [n, 'match'])));
    expect(lastLine(r.stdout)).toBe('live: 12 observations, 0 differ, USD 0.00 spent');
    expect(r.stdout).toContain('counted against the cap: USD 0.38 at list price, 2 jobs submitted (to an emulator: nothing billed)');
    expect(r.code).toBe(0);
    // the target saw the key (so its absence from the output means something), the two jobs and the webhook
    expect(emu.calls.filter((c) => c.auth === 'ok').length).toBeGreaterThan(10);
    expect(emu.calls.filter((c) => c.auth === 'invalid').map((c) => c.route).sort()).toEqual(['status', 'submit']);
    expect(emu.stats()).toMatchObject({ accepted: 2, billed: 1, cancelled: 1, running: 0, rangeDownloads: 1 });
    expect(emu.webhooks.filter((w) => w.status === 200)).toHaveLength(1);
    expectNoKey(r.all);
  }, 60_000);

  test('--max-usd 0.10 submits nothing: the first paid call (USD 0.19) is refused, and every one after it', async () => {
    const r = await runLive(['--base-url', emu.url, '--max-usd', '0.10']);
    const rows = verdicts(r.stdout);
    expect(rows).toEqual(Object.fromEntries([...FREE.map((n) => [n, 'match']), ...PAID.filter((n) => n !== 'webhook').map((n) => [n, 'skipped'])]));
    expect(r.stdout).toContain('not submitted: the cap: the first job (Hailuo 2.3 Fast · Image to Video (768p), 6 s) at USD 0.19 would bring the total to USD 0.19, over --max-usd 0.10');
    expect(lastLine(r.stdout)).toBe('live: 6 observations, 0 differ, USD 0.00 spent');
    expect(emu.stats().accepted).toBe(0);
    expect(r.code).toBe(0);
    expectNoKey(r.all);
  }, 60_000);

  test('--max-usd 0.20: the first job is submitted (USD 0.19), the second is refused before it is sent', async () => {
    const r = await runLive(['--base-url', emu.url, '--max-usd', '0.20']);
    const rows = verdicts(r.stdout);
    expect(rows).toMatchObject({ submit: 'match', 'status-stream': 'match', result: 'match', 'cdn-download': 'match', 'cancel-queued': 'skipped' });
    expect(r.stdout).toContain('at USD 0.19 would bring the total to USD 0.38, over --max-usd 0.20');
    expect(r.stdout).toContain('counted against the cap: USD 0.19 at list price, 1 job submitted');
    expect(lastLine(r.stdout)).toBe('live: 10 observations, 0 differ, USD 0.00 spent');
    expect(emu.stats()).toMatchObject({ submits: 3, accepted: 1, cancelled: 0 }); // the two others: a wrong key, a 422
    expect(r.code).toBe(0);
  }, 60_000);
});

test('a behaviour the emulator does not share is reported as differing (a stream that starts at once); --max-jobs 1', async () => {
  const emu = await startEmulator({ ...REFERENCE_OPTIONS, apiKey: SENTINEL, streamFirstEvent: 'at-once' });
  try {
    const r = await runLive(['--base-url', emu.url, '--max-jobs', '1']);
    const rows = verdicts(r.stdout);
    expect(rows['status-stream']).toBe('differs');
    expect(r.stdout).toMatch(/≠ first event: target the status at submit \(sent at once\) {2}\| {2}emulator a change/);
    expect(r.stdout).toMatch(/≠ sequence: target IN_QUEUE>IN_PROGRESS>COMPLETED {2}\| {2}emulator IN_PROGRESS>COMPLETED/);
    expect(rows['cancel-queued']).toBe('skipped');
    expect(r.stdout).toContain('not submitted: --max-jobs 1: 1 job already submitted');
    expect(lastLine(r.stdout)).toBe('live: 10 observations, 1 differ, USD 0.00 spent');
    expect(emu.stats().accepted).toBe(1);
    expect(r.code).toBe(1);
  } finally {
    await emu.close();
  }
}, 60_000);

test('Ctrl-C during a run cancels the jobs it submitted on the target', async () => {
  const emu = await startEmulator({ ...REFERENCE_OPTIONS, apiKey: SENTINEL, progressMs: 60_000 });
  try {
    const childEnv = { ...process.env, FAL_KEY: SENTINEL };
    const child = spawn(process.execPath, [LIVE, '--base-url', emu.url], { env: childEnv });
    let stdout = '';
    child.stdout.on('data', (d) => { stdout += d; });
    const exited = new Promise((r) => child.on('close', r));
    for (let i = 0; i < 400 && emu.stats().accepted < 1; i++) await new Promise((r) => setTimeout(r, 25));
    expect(emu.stats().accepted).toBe(1);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stdout).toContain('live: interrupted: cancelling the 1 job it submitted, then stopping');
    expect(stdout).toContain('live: cancel answers: 202');
    expect([...emu.jobs.values()].map((j) => j.cancelRequested)).toEqual([true]);
  } finally {
    await emu.close();
  }
});

describe('it refuses to run', () => {
  test('against fal without --max-usd, or without FAL_KEY; nothing is sent', async () => {
    const noCap = await runLive([]);
    expect(noCap.code).toBe(2);
    expect(noCap.stderr).toContain('refusing to run against fal (queue.fal.run, rest.fal.ai, api.fal.ai) without --max-usd');
    const noKey = await runLive(['--max-usd', '0.50'], {});
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('FAL_KEY is not set');
    expect(noCap.stdout + noKey.stdout).toBe('');
  });

  test('a key typed on the command line is refused and not echoed', async () => {
    const r = await runLive(['--max-usd', '0.50', SENTINEL]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('argument 3 is not one of the options (the key goes in FAL_KEY, never on the command line)');
    expectNoKey(r.all);
  });

  test('a Base URL on this machine that is not an emulator counts as fal: it needs --max-usd', async () => {
    const emu = await startEmulator({ apiKey: SENTINEL });
    try {
      const r = await runLive(['--base-url', emu.otherUrl]); // answers 200 {} to everything: not an emulator
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`refusing to run against ${emu.otherUrl} without --max-usd`);
      expect(emu.otherCalls.map((c) => c.path)).toEqual(['/_emulator/stats']);
    } finally {
      await emu.close();
    }
  });
});
