// The live contract test (test/live/, `npm run test:live`) run against an emulator, as CI can: every observation runs
// on both sides and matches, nothing is spent, the key never shows; the cap and the job limit stop paid calls; a
// behaviour that differs is found; and it refuses to run against fal without a cap or a key. The script runs as a
// child process, as a maintainer runs it; the target emulator runs here, so the test can read what reached it.
'use strict';

const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { startEmulator } = require('./emulator');
const { REFERENCE_OPTIONS } = require('./live/live');

const LIVE = path.join(__dirname, 'live', 'live.js');
const SENTINEL = 'b3c1e9d0-live-test-sentinel:4f6a0c2e9b8d7a6f5e4d3c2b1a0f9e8d';
const FREE = ['credential-test', 'pricing', 'h3-pricing', 'invalid-key', 'unknown-request', 'unknown-field', 'upload'];
// in the order they run: the Hailuo job's rows, the H3 Max Turbo job's, the Hailuo job cancelled while queued
const PAID = ['submit', 'status-stream', 'result', 'cdn-download', 'webhook', 'h3-turbo-submit', 'h3-turbo-video', 'cancel-queued'];
const H3_ENDPOINT = 'minimax/h3-max-turbo/text-to-video';

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
    const m = /^([a-z0-9-]+)\s+\|.*\|\s(match|differs|skipped)$/.exec(line);
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

/** The submits that reached the emulator for H3 Max Turbo: the status each got, and the duration each sent. */
function h3Submits(emu) {
  return emu.calls.filter((c) => c.route === 'submit' && c.path === `/${H3_ENDPOINT}`).map((c) => ({
    status: c.status,
    duration: c.body?.duration,
    mode: c.body?.prompt_expansion_mode,
  }));
}

/** The table row of one observation, and the indented lines under it. */
function rowOf(stdout, name) {
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`${name} `));
  const end = lines.findIndex((l, i) => i > at && !l.startsWith('    '));
  return lines.slice(at, end).join('\n');
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
    expect(lastLine(r.stdout)).toBe('live: 15 observations, 0 differ, USD 0.00 spent');
    expect(r.stdout).toContain('counted against the cap: USD 0.505 at list price, 3 jobs submitted (to an emulator: nothing billed)');
    expect(r.code).toBe(0);
    // the target saw the key (so its absence from the output means something), the three jobs and the webhook
    expect(emu.calls.filter((c) => c.auth === 'ok').length).toBeGreaterThan(10);
    expect(emu.calls.filter((c) => c.auth === 'invalid').map((c) => c.route).sort()).toEqual(['status', 'submit']);
    expect(emu.stats()).toMatchObject({ accepted: 3, billed: 2, cancelled: 1, running: 0, rangeDownloads: 1 });
    // H3: the string duration and the missing mode refused (no job), then one job with the integer, billed USD 0.125
    expect(h3Submits(emu)).toEqual([
      { status: 422, duration: '5', mode: 'disabled' },
      { status: 422, duration: 5, mode: undefined },
      { status: 200, duration: 5, mode: 'disabled' },
    ]);
    const h3Jobs = [...emu.jobs.values()].filter((j) => j.endpoint === H3_ENDPOINT);
    expect(h3Jobs.map((j) => [j.input.resolution, j.costUsd])).toEqual([['480P', 0.125]]);
    // its status, result and cancel under its own app; the same id under fal-ai/minimax answered 404
    const h3Id = h3Jobs[0].requestId;
    const byApp = (app) => emu.calls.filter((c) => c.path.startsWith(`/${app}/requests/${h3Id}`)).map((c) => `${c.route} ${c.status}`);
    expect(byApp('minimax/h3-max-turbo')).toEqual(['stream 200', 'result 200', 'status 200', 'cancel 400']);
    expect(byApp('fal-ai/minimax')).toEqual(['status 404', 'result 404']);
    const h3 = rowOf(r.stdout, 'h3-turbo-video');
    expect(h3).toMatch(/^h3-turbo-video +\| COMPLETED; result 200; sound yes; fal-ai 404 +\| COMPLETED; result 200; sound yes; fal-ai 404 +\| match$/m);
    expect(h3).toContain('848x480, 3 s (asked 5 s), hasAudio true');
    expect(rowOf(r.stdout, 'h3-pricing')).toContain('USD 0.025 per second; the table: USD 0.025 per second at 480P, USD 0.125 for 5 s at 480P');
    expect(emu.webhooks.filter((w) => w.status === 200)).toHaveLength(1);
    expectNoKey(r.all);
  }, 60_000);

  test('--max-usd 0.10 submits nothing: the first paid call (USD 0.19) is refused, and every one after it', async () => {
    const r = await runLive(['--base-url', emu.url, '--max-usd', '0.10']);
    const rows = verdicts(r.stdout);
    expect(rows).toEqual(Object.fromEntries([...FREE.map((n) => [n, 'match']), ...PAID.filter((n) => n !== 'webhook').map((n) => [n, 'skipped'])]));
    expect(r.stdout).toContain('not submitted: the cap: the first job (Hailuo 2.3 Fast · Image to Video (768p), 6 s) at USD 0.19 would bring the total to USD 0.19, over --max-usd 0.10');
    expect(lastLine(r.stdout)).toBe('live: 7 observations, 0 differ, USD 0.00 spent');
    expect(emu.stats().accepted).toBe(0);
    expect(h3Submits(emu)).toEqual([]); // not even the refusals: they belong to the paid row
    expect(r.code).toBe(0);
    expectNoKey(r.all);
  }, 60_000);

  test('--max-usd 0.20: the first job is submitted (USD 0.19); the H3 job (USD 0.125) is refused before it is sent, and the third', async () => {
    const r = await runLive(['--base-url', emu.url, '--max-usd', '0.20']);
    const rows = verdicts(r.stdout);
    expect(rows).toMatchObject({ submit: 'match', 'status-stream': 'match', result: 'match', 'cdn-download': 'match',
      'h3-turbo-submit': 'skipped', 'h3-turbo-video': 'skipped', 'cancel-queued': 'skipped' });
    expect(r.stdout).toContain('not submitted: the cap: the H3 job (H3 Max Turbo · Text to Video, with Sound (480p–1080p, 5–15 s), 5 s at 480P) at USD 0.125 would bring the total to USD 0.315, over --max-usd 0.20');
    expect(r.stdout).toContain('counted against the cap: USD 0.19 at list price, 1 job submitted');
    expect(lastLine(r.stdout)).toBe('live: 11 observations, 0 differ, USD 0.00 spent');
    expect(emu.stats()).toMatchObject({ submits: 3, accepted: 1, cancelled: 0 }); // the two others: a wrong key, a 422
    expect(h3Submits(emu)).toEqual([]);
    expect(r.code).toBe(0);
  }, 60_000);

  test('--max-usd 0.50: the Hailuo job (USD 0.19) and the H3 job (USD 0.125) are made; the third (USD 0.19) is refused', async () => {
    const r = await runLive(['--base-url', emu.url, '--max-usd', '0.50']);
    const rows = verdicts(r.stdout);
    expect(rows).toEqual(Object.fromEntries([...FREE, ...PAID.filter((n) => n !== 'webhook')].map((n) => [n, n === 'cancel-queued' ? 'skipped' : 'match'])));
    expect(r.stdout).toContain('not submitted: the cap: the second job (cancelled while queued; counted though fal does not bill it) at USD 0.19 would bring the total to USD 0.505, over --max-usd 0.50');
    expect(r.stdout).toContain('counted against the cap: USD 0.315 at list price, 2 jobs submitted');
    expect(lastLine(r.stdout)).toBe('live: 13 observations, 0 differ, USD 0.00 spent');
    expect(emu.stats()).toMatchObject({ accepted: 2, billed: 2, billedUsd: 0.315, cancelled: 0 });
    expect(r.code).toBe(0);
  }, 60_000);
});

test('a behaviour the emulator does not share is reported as differing (a stream that starts at once); --max-jobs 2 counts the H3 job', async () => {
  const emu = await startEmulator({ ...REFERENCE_OPTIONS, apiKey: SENTINEL, streamFirstEvent: 'at-once' });
  try {
    const r = await runLive(['--base-url', emu.url, '--max-jobs', '2']);
    const rows = verdicts(r.stdout);
    expect(rows['status-stream']).toBe('differs');
    expect(r.stdout).toMatch(/≠ first event: target the status at submit \(sent at once\) {2}\| {2}emulator a change/);
    expect(r.stdout).toMatch(/≠ sequence: target IN_QUEUE>IN_PROGRESS>COMPLETED {2}\| {2}emulator IN_PROGRESS>COMPLETED/);
    expect(rows['h3-turbo-video']).toBe('match');
    expect(rows['cancel-queued']).toBe('skipped');
    expect(r.stdout).toContain('not submitted: --max-jobs 2: 2 jobs already submitted');
    expect(lastLine(r.stdout)).toBe('live: 13 observations, 1 differ, USD 0.00 spent');
    expect(emu.stats().accepted).toBe(2);
    expect(r.code).toBe(1);
  } finally {
    await emu.close();
  }
}, 60_000);

/**
 * A fal that takes the string "5" for H3's integer duration (pydantic's lax mode would): a proxy in front of an
 * emulator that makes the string a number in H3 submits, and shows the emulator's own URLs under its origin.
 */
async function laxDurationFal(emu) {
  const target = new URL(emu.url);
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.method === 'POST' && req.url.startsWith(`/${H3_ENDPOINT}`)) {
        const input = JSON.parse(body.toString('utf8'));
        if (typeof input.duration === 'string') input.duration = Number(input.duration);
        body = Buffer.from(JSON.stringify(input));
      }
      const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
      const out = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
        if (!/json/.test(answer.headers['content-type'] || '')) {
          res.writeHead(answer.statusCode, answer.headers);
          answer.pipe(res);
          return;
        }
        const parts = [];
        answer.on('data', (c) => parts.push(c));
        answer.on('end', () => {
          const text = Buffer.from(Buffer.concat(parts).toString('utf8').split(emu.url).join(proxy.url));
          res.writeHead(answer.statusCode, { ...answer.headers, 'content-length': String(text.length) });
          res.end(text);
        });
      });
      out.on('error', () => res.destroy());
      out.end(body);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const proxy = { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
  return proxy;
}

test('a fal that takes the string "5": that submit is the H3 job (followed), nothing more is submitted for it; the row differs', async () => {
  const emu = await startEmulator({ ...REFERENCE_OPTIONS, apiKey: SENTINEL });
  const lax = await laxDurationFal(emu);
  try {
    const r = await runLive(['--base-url', lax.url]);
    const rows = verdicts(r.stdout);
    expect(rows).toEqual(Object.fromEntries([...FREE, ...PAID.filter((n) => n !== 'webhook')].map((n) => [n, n === 'h3-turbo-submit' ? 'differs' : 'match'])));
    expect(r.stdout).toMatch(/≠ duration "5" \(a string\): target accepted: it made the job \(followed as this row's\) {2}\| {2}emulator 422 int_type at body.duration/);
    expect(r.stdout).toMatch(/≠ no prompt_expansion_mode: target not sent: a job was made {2}\| {2}emulator 422 missing at body.prompt_expansion_mode/);
    // one H3 job, made by the string; no other H3 submit reached the target
    expect(h3Submits(emu)).toEqual([{ status: 200, duration: 5, mode: 'disabled' }]);
    expect(r.stdout).toContain('counted against the cap: USD 0.505 at list price, 3 jobs submitted');
    expect(emu.stats()).toMatchObject({ accepted: 3, billed: 2, cancelled: 1 });
    expect(lastLine(r.stdout)).toBe('live: 14 observations, 1 differ, USD 0.00 spent');
    expect(r.code).toBe(1);
  } finally {
    await lax.close();
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
