// @ts-check
'use strict';

/**
 * `npm run bench` (it builds first): the built node in n8n's engine against the fal emulator with fal-like latencies,
 * side by side in one run with the naive pattern (bench/naive.js). Prints the figures and writes bench/results.md.
 * A benchmark, not a test: it asserts nothing about the clock.
 *
 * Processes: the emulators live here (one per run, so each run's records are its own); the node's runs, the naive
 * runs and each memory measurement run in child processes (bench/child.js), as n8n and fal are different machines.
 *
 *   0 s    node: 1, 5, 20 items of T, then the lag run, one after another; its 60 s job (real time: the call count
 *          depends on it) alongside, in the same n8n process; then the fast job (bench/fast.js: T = 3 s, 1 and 20
 *          items), the node and the minimal client taking turns. Then memory: floor, node, naive, one process each.
 *   0 s    naive: 1, 5, 20 items, the lag run and the 60 s job side by side, each batch one item after another; the
 *          fast job's naive runs alongside
 *
 * `--only fast` runs the fast job alone and prints its section (results.md is left as it is).
 */

const { execFileSync, fork } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startEmulator } = require('../test/emulator');
const { POLL_MS } = require('./naive');
const { runFigures, percentile, table, s, msf, mb, x } = require('./figures');
const { triggerFigures } = require('./trigger');
const { fastPlan, fastFigures, fastReport } = require('./fast');

/** Jobs the Hailuo Trigger's queue-mode measurement delivers (bench/trigger.js). */
const TRIGGER_JOBS = 60;

const API_KEY = 'bench-key';
// fal-like latencies. Only the generation time T is scaled down (Hailuo takes about a minute or more per video);
// queue wait, per-request latency and the CDN's rate stay as they are, so wall/T is pessimistic at this T. 7 s keeps
// the whole run (the naive pattern's 20 items one after another) under 4 minutes on a 2-core machine.
const T_MS = 7_000;
const FAL = { apiKey: API_KEY, latencyMs: 40, queueMs: 300, progressMs: T_MS, videoBytes: 4_000_000, cdnBytesPerSec: 10_000_000 };
const LONG_JOB_MS = 60_000;
// The lag run: generation times spread evenly over one 5 s poll period, as real generation times (a minute or two,
// varying by many seconds) fall anywhere between two polls. All end before the naive pattern's first poll.
const LAG_ITEMS = 10;
const lagMs = (/** @type {number} */ i) => 200 + i * 450;
const MEMORY = { items: 20, videoBytes: 50_000_000, generationMs: 1_000 };
const NODE_LIMIT = 20;

const started = Date.now();
const log = (/** @type {string} */ line) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);

/** @param {string} name @param {number} n @param {(i: number) => number} ms */
const prompts = (name, n, ms) => Array.from({ length: n }, (_, i) => `bench ${name} item ${i} [emulator:ms=${ms(i)}]`);

/**
 * One child process (bench/child.js); resolves with what it reports.
 * @param {string} label @param {Record<string, unknown>} spec
 * @returns {Promise<any>}
 */
function child(label, spec) {
  return new Promise((resolve, reject) => {
    const cp = fork(path.join(__dirname, 'child.js'), [JSON.stringify({ apiKey: API_KEY, ...spec })], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    /** @type {any} */
    let result;
    /** @type {string | undefined} */
    let error;
    cp.on('message', (/** @type {any} */ m) => {
      if (m.progress) log(`${label}: ${m.progress.name} ${m.progress.status}, ${s(m.progress.wallMs)}${m.progress.error ? ` (${m.progress.error})` : ''}`);
      if ('result' in m) result = m.result;
      if (m.error) error = m.error;
    });
    cp.on('exit', (code) => {
      if (code === 0 && result !== undefined) resolve(result);
      else reject(new Error(`${label} exited with ${code}: ${error ?? 'no result'}`));
    });
  });
}

/** Jobs made directly on an emulator (for the floor): their video URLs, once they are done. */
async function videoUrls(/** @type {import('../test/emulator').Emulator} */ emu, /** @type {number} */ n) {
  const headers = { authorization: `Key ${API_KEY}`, 'content-type': 'application/json' };
  const submitted = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const body = { prompt: `floor ${i} [emulator:ms=10]`, image_url: `${emu.url}/_samples/frame.jpg` };
      const res = await fetch(`${emu.url}/fal-ai/minimax/hailuo-2.3/standard/image-to-video`, { method: 'POST', headers, body: JSON.stringify(body) });
      return await res.json();
    }),
  );
  while (!submitted.every((j) => emu.jobs.get(j.request_id)?.completedAt)) await new Promise((r) => setTimeout(r, 20));
  return await Promise.all(submitted.map(async (j) => (await (await fetch(j.response_url, { headers })).json()).video.url));
}

/** The fast job alone (`--only fast`): its section printed, results.md left as it is. */
async function onlyFast(/** @type {any} */ emu, /** @type {any} */ warmup) {
  const plan = await fastPlan(emu, warmup.url);
  log(`fast job: T = 3 s, latency ${FAL.latencyMs} ms per request, queue ${FAL.queueMs} ms, ${mb(FAL.videoBytes)} videos at ${mb(FAL.cdnBytesPerSec)}/s`);
  const naive = child('naive', { role: 'naive-timing', runs: [], reps: plan.naiveReps });
  const node = await child('node', { role: 'node-timing', warmup, runs: [], fast: plan.fast });
  const wall = Object.fromEntries([...node, ...(await naive)].map((r) => [r.name, r]));
  const report = fastReport(fastFigures(wall, plan.emulators, FAL));
  console.log(`${table(['figure', 'goal', 'node', 'naive', 'ratio (naive ÷ node)'], [report.headline])}\n${report.section}`);
}

async function main() {
  const emulators = [];
  const emu = async (/** @type {import('../test/emulator').EmulatorOptions} */ options = {}) => {
    const e = await startEmulator({ ...FAL, ...options });
    emulators.push(e);
    return e;
  };
  const warm = await emu({ latencyMs: 0, queueMs: 20, progressMs: 50, videoBytes: undefined, cdnBytesPerSec: 0 });
  const warmup = { name: 'warm-up', url: warm.url, prompts: ['warm-up [emulator:ms=50]'] };
  if (process.argv.includes('--only') && process.argv[process.argv.indexOf('--only') + 1] === 'fast') {
    await onlyFast(emu, warmup);
    for (const e of emulators) await e.close();
    return;
  }

  /** @type {Record<string, { emu: import('../test/emulator').Emulator, prompts: string[], nodeOrNaive: string, items: number, label: string }>} */
  const runs = {};
  const sizes = [1, 5, 20];
  for (const pattern of ['node', 'naive']) {
    for (const n of sizes) {
      runs[`${pattern}-${n}`] = { emu: await emu(), prompts: prompts(`${pattern}-${n}`, n, () => T_MS), nodeOrNaive: pattern, items: n, label: `${n} × T` };
    }
    runs[`${pattern}-lag`] = { emu: await emu(), prompts: prompts(`${pattern}-lag`, LAG_ITEMS, lagMs), nodeOrNaive: pattern, items: LAG_ITEMS, label: `${LAG_ITEMS}, spread` };
    runs[`${pattern}-60s`] = { emu: await emu(), prompts: prompts(`${pattern}-60s`, 1, () => LONG_JOB_MS), nodeOrNaive: pattern, items: 1, label: '1 × 60 s' };
  }
  const spec = (/** @type {string} */ key) => ({ name: key, url: runs[key].emu.url, prompts: runs[key].prompts, maxInFlight: NODE_LIMIT });
  const fast = await fastPlan(emu, warm.url);

  log(`T = ${T_MS} ms; latency ${FAL.latencyMs} ms per request, queue ${FAL.queueMs} ms, ${mb(FAL.videoBytes)} videos at ${mb(FAL.cdnBytesPerSec)}/s; naive polls every ${POLL_MS / 1000} s`);
  const naive = child('naive', { role: 'naive-timing', runs: ['naive-1', 'naive-5', 'naive-20', 'naive-lag', 'naive-60s'].map(spec), reps: fast.naiveReps });
  const nodeTiming = await child('node', {
    role: 'node-timing', warmup, runs: ['node-1', 'node-5', 'node-20', 'node-lag'].map(spec), background: [spec('node-60s')], fast: fast.fast,
  });

  // Memory: one process each, one after another, each on its own emulator serving 50 MB videos.
  const memory = {};
  const memEmu = async () => await emu({ videoBytes: MEMORY.videoBytes });
  const memPrompts = (/** @type {string} */ kind) => prompts(`memory-${kind}`, MEMORY.items, () => MEMORY.generationMs);
  {
    const e = await memEmu();
    const [warmVideo] = await videoUrls(warm, 1);
    const urls = await videoUrls(e, MEMORY.items);
    log(`memory: plain stream-to-file floor, ${MEMORY.items} × ${mb(MEMORY.videoBytes)} at once…`);
    memory.floor = await child('floor', { role: 'memory', kind: 'floor', warmup, run: { name: 'floor', url: e.url, prompts: [] }, videoUrls: urls, warmupVideoUrl: warmVideo });
    log(`memory: floor +${mb(memory.floor.growthBytes)}`);
  }
  for (const kind of ['node', 'naive']) {
    const e = await memEmu();
    log(`memory: ${kind}, ${MEMORY.items} × ${mb(MEMORY.videoBytes)} at once…`);
    memory[kind] = await child(kind, { role: 'memory', kind, warmup, run: { name: `memory-${kind}`, url: e.url, prompts: memPrompts(kind), maxInFlight: NODE_LIMIT } });
    memory[kind].emulator = runFigures(e);
    log(`memory: ${kind} +${mb(memory[kind].growthBytes)} (${memory[kind].emulator.downloads} downloads, ${memory[kind].emulator.maxInFlight} in flight at most)`);
  }

  const naiveTiming = await naive;
  const elapsedMs = Date.now() - started;
  for (const e of emulators) await e.close();

  const wall = Object.fromEntries([...nodeTiming, ...naiveTiming].map((r) => [r.name, r]));
  const fig = Object.fromEntries(Object.keys(runs).map((key) => [key, { ...runFigures(runs[key].emu), ...wall[key] }]));
  writeReport({ fig, memory, elapsedMs, fast: fastReport(fastFigures(wall, fast.emulators, FAL)) });
}

/** Which source the built node came from: the commit, and whether its sources differ from it. */
function builtFrom() {
  const root = path.resolve(__dirname, '..');
  try {
    const git = (/** @type {string[]} */ ...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'nodes', 'credentials').split('\n').filter(Boolean).length;
    return `dist/ built from commit ${commit}${dirty ? ` with ${dirty} uncommitted change(s) in nodes/ or credentials/` : ' (nodes/ and credentials/ as committed)'}`;
  } catch {
    return 'dist/ (not a git checkout)';
  }
}

/** @param {{ fig: Record<string, any>, memory: Record<string, any>, elapsedMs: number, fast: ReturnType<typeof fastReport> }} r */
function writeReport({ fig, memory, elapsedMs, fast }) {
  const problems = [];
  for (const [key, f] of Object.entries(fig)) {
    if (f.status !== 'success' || f.videos !== f.items) problems.push(`${key}: ${f.status}, ${f.videos}/${f.items} videos${f.error ? ` — ${f.error}` : ''}`);
    if (f.duplicates) problems.push(`${key}: ${f.duplicates} duplicate submits`);
  }
  problems.push(...fast.problems);
  const lag = (/** @type {any} */ f, /** @type {number} */ p) => percentile(f.lags, p);
  const wallT = (/** @type {any} */ f) => f.wallMs / T_MS;

  const n1 = fig['node-1'];
  const n20 = fig['node-20'];
  const v20 = fig['naive-20'];
  const nLag = fig['node-lag'];
  const vLag = fig['naive-lag'];
  const n60 = fig['node-60s'];
  const v60 = fig['naive-60s'];
  const nodeCalls60 = n60.allCalls; // to fal, plus the node's check of the image URL (the image's host)
  const growth = (/** @type {string} */ k) => memory[k].growthBytes;

  const headline = table(
    ['figure', 'goal', 'node', 'naive', 'ratio (naive ÷ node)'],
    [
      [`wall time / T, 20 items of T = ${T_MS / 1000} s (node limit 20)`, '≤ 1.2 (naive ≈ 20)', `${wallT(n20).toFixed(2)} (${s(n20.wallMs)})`, `${wallT(v20).toFixed(1)} (${s(v20.wallMs)})`, `${x(v20.wallMs / n20.wallMs)} faster`],
      [`lag fal COMPLETED → result call, median / p95 (${LAG_ITEMS} jobs, lengths spread over one poll period)`, '≤ 50 ms median (naive ≈ 2.5 s)', `${msf(lag(nLag, 50))} / ${msf(lag(nLag, 95))}`, `${msf(lag(vLag, 50))} / ${msf(lag(vLag, 95))}`, `${x(lag(vLag, 50) / Math.max(1, lag(nLag, 50)))} shorter (median)`],
      [`HTTP calls for one video, job of ${LONG_JOB_MS / 1000} s (real time)`, '≤ 5 (naive ≈ 15)', `${nodeCalls60}: ${n60.falCalls} to fal (${n60.sequence.filter((/** @type {string} */ r) => r !== 'sample').join(', ')}) + ${n60.routes.sample ?? 0} image URL check`, `${v60.allCalls} (${v60.routes.status ?? 0} status polls)`, `${x(v60.allCalls / nodeCalls60)} fewer`],
      [`peak RSS growth, ${MEMORY.items} × ${mb(MEMORY.videoBytes)} videos at once`, 'printed with the naive figure beside it', `+${mb(growth('node'))} (plain stream-to-file floor: +${mb(growth('floor'))})`, `+${mb(growth('naive'))}`, `${x(growth('naive') / growth('node'))} less`],
      fast.headline,
    ],
  );

  const ratios = [
    `- wall time, 20 items of T: node ${s(n20.wallMs)} (${wallT(n20).toFixed(2)} × T), naive ${s(v20.wallMs)} (${wallT(v20).toFixed(1)} × T): the node takes ${(n20.wallMs / v20.wallMs).toFixed(3)} of the naive time (${x(v20.wallMs / n20.wallMs)} faster).`,
    `- lag COMPLETED → result: node median ${msf(lag(nLag, 50))} (p95 ${msf(lag(nLag, 95))}), naive median ${msf(lag(vLag, 50))} (p95 ${msf(lag(vLag, 95))}): ${x(lag(vLag, 50) / Math.max(1, lag(nLag, 50)))} shorter.`,
    `- HTTP calls for a 60 s job: node ${nodeCalls60} (${n60.falCalls} to fal), naive ${v60.allCalls}: ${x(v60.allCalls / nodeCalls60)} fewer.`,
    fast.verdict,
    `- peak RSS growth for ${MEMORY.items} × ${mb(MEMORY.videoBytes)}: node +${mb(growth('node'))}, naive +${mb(growth('naive'))} (${(growth('node') / growth('naive')).toFixed(3)} of the naive growth, ${x(growth('naive') / growth('node'))} less); node ÷ plain stream-to-file floor (+${mb(growth('floor'))}) = ${(growth('node') / growth('floor')).toFixed(1)}.`,
  ];

  const detail = table(
    ['run', 'pattern', 'wall', 'wall / T', 'lag median', 'lag p95', 'calls per video (to fal)', 'most jobs in flight'],
    ['1', '5', '20', 'lag', '60s'].flatMap((size) =>
      ['node', 'naive'].map((pattern) => {
        const f = fig[`${pattern}-${size}`];
        const label = size === 'lag' ? `${LAG_ITEMS} items, lengths ${lagMs(0) / 1000}–${lagMs(LAG_ITEMS - 1) / 1000} s` : size === '60s' ? '1 item, 60 s job' : `${size} × T`;
        const perVideo = (n) => (n / f.items).toFixed(1);
        return [label, pattern, s(f.wallMs), size === 'lag' || size === '60s' ? '—' : wallT(f).toFixed(2), msf(lag(f, 50)), msf(lag(f, 95)), `${perVideo(f.allCalls)} (${perVideo(f.falCalls)})`, f.maxInFlight];
      }),
    ),
  );

  const mem = table(
    ['process', 'what it does', 'peak RSS before', 'peak RSS after', 'growth (maxRSS)', 'growth (sampled RSS)', 'time'],
    [
      ['floor', 'plain Node streams: fetch body piped to a file, 20 at once', mb(memory.floor.maxRssBeforeBytes), mb(memory.floor.maxRssAfterBytes), `+${mb(growth('floor'))}`, `+${mb(memory.floor.sampledGrowthBytes)}`, s(memory.floor.wallMs)],
      ['node', `the Hailuo node in n8n's engine, 20 items, limit 20, filesystem binary store`, mb(memory.node.maxRssBeforeBytes), mb(memory.node.maxRssAfterBytes), `+${mb(growth('node'))}`, `+${mb(memory.node.sampledGrowthBytes)}`, s(memory.node.wallMs)],
      ['naive', 'naive items, 20 at once (as the HTTP Request node sends all items), each video read into a Buffer, then written', mb(memory.naive.maxRssBeforeBytes), mb(memory.naive.maxRssAfterBytes), `+${mb(growth('naive'))}`, `+${mb(memory.naive.sampledGrowthBytes)}`, s(memory.naive.wallMs)],
    ],
  );

  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()}`;
  const notes = [
    `- Time beyond T, 20 items: node ${s(n20.wallMs - T_MS)} for the whole batch; naive ${s((v20.wallMs - 20 * T_MS) / 20)} per item, ${s(v20.wallMs - 20 * T_MS)} in all. Per video the fixed part is the queue wait (${FAL.queueMs} ms), the download (${s((FAL.videoBytes / FAL.cdnBytesPerSec) * 1000)}) and ${FAL.latencyMs} ms per call; the naive pattern adds the wait for its next poll.`,
    `- 20 items against 1: the node's batch of 20 took ${s(n20.wallMs - n1.wallMs)} longer than its single item (${s(n20.wallMs)} against ${s(n1.wallMs)}): what running 20 at once adds, whatever T is.`,
    `- The node's calls for the ${LONG_JOB_MS / 1000} s job, seconds after its first call: ${n60.timeline.join(', ')}.`,
    `- The naive pattern's calls for the same job: ${v60.routes.submit ?? 0} submit, ${v60.routes.status ?? 0} status, ${v60.routes.result ?? 0} result, ${v60.routes.cdn ?? 0} download.`,
    `- Memory per video at ${MEMORY.items} at once: node ${mb(growth('node') / MEMORY.items)}, naive ${mb(growth('naive') / MEMORY.items)}, plain stream-to-file ${mb(growth('floor') / MEMORY.items)} (a video is ${mb(MEMORY.videoBytes)}).`,
  ];
  const md = `# Benchmark: the Hailuo node against the naive pattern

Written by \`npm run bench\` (bench/index.js) on ${new Date().toISOString().slice(0, 10)}; ${machine}. Run time ${s(elapsedMs)} (after the build).
Node measured: ${builtFrom()}.

The node runs in n8n's engine (n8n-core's WorkflowExecute, filesystem binary store, the built \`dist/\`) against the
fal emulator (test/emulator); the naive pattern (bench/naive.js: items one after another, a fixed ${POLL_MS / 1000} s poll of
the status URL, the video read whole into a Buffer) speaks the same fal protocol with plain fetch to the same kind of
emulator, in the same run. fal-like latencies: ${FAL.latencyMs} ms before every answer, ${FAL.queueMs} ms queue wait,
generation time T = ${T_MS / 1000} s (scaled down from a minute or more), ${mb(FAL.videoBytes)} videos served at ${mb(FAL.cdnBytesPerSec)}/s per download.
Only T is scaled: the queue wait, latencies and download (about ${((FAL.queueMs + 5 * FAL.latencyMs + (FAL.videoBytes / FAL.cdnBytesPerSec) * 1000) / 1000).toFixed(1)} s per video) are not, so wall / T is
pessimistic here; with a real T of 60 s or more it approaches 1.

${headline}

Ratios to the naive pattern:
${ratios.join('\n')}

## Notes
${notes.join('\n')}

## Every run
Lag is from the emulator's records: job.completedAt to the arrival of that job's first result call. Calls are
every HTTP call the client made (the image URL check goes to the image's host, not fal; fal's own reads of the image
are not counted). With equal lengths, every naive item ends at the same point between two polls, so its lag there is
one value; the lag run spreads the lengths over one poll period to show the naive pattern's real distribution.

${detail}

## Memory
Each in its own process (bench/child.js), one after another, after a warm-up download of the small fixture; growth is
\`process.resourceUsage().maxRSS\` after the run minus before it (the sampled column: highest RSS seen every 10 ms minus
RSS at the start). ${MEMORY.items} jobs of ${MEMORY.generationMs / 1000} s, videos of ${mb(MEMORY.videoBytes)} at ${mb(FAL.cdnBytesPerSec)}/s per download, all downloading at once.

${mem}
${fast.section}${problems.length ? `\n## Problems seen in this run\n${problems.map((p) => `- ${p}`).join('\n')}\n` : ''}`;

  log(`the Hailuo Trigger in queue mode: ${TRIGGER_JOBS} deliveries (Redis, PostgreSQL, main + 2 workers)…`);
  const trigger = triggerFigures(TRIGGER_JOBS);
  log(trigger.line);
  const triggerMd = `
## The Hailuo Trigger in queue mode
test/queue/trigger.js with ${TRIGGER_JOBS} jobs submitted to the emulator (0.5 s queue, 2 s generation, 2 MB videos) with the
trigger's production URL on the main, half of them delivered twice; n8n 2.41.1 queue mode, main + 2 workers
(concurrency 5 each), binary data in PostgreSQL.

- ${trigger.line}
`;
  fs.writeFileSync(path.join(__dirname, 'results.md'), md + triggerMd);
  console.log(`\n${headline}\n\n${ratios.join('\n')}\n\n${notes.join('\n')}\n\n${detail}\n\n${mem}\n${fast.section}`);
  if (problems.length) console.log(`Problems:\n${problems.join('\n')}`);
  log(`done in ${s(elapsedMs)}; wrote bench/results.md`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
