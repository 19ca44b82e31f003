// @ts-check
'use strict';

/**
 * The fast-job row of `npm run bench`. H3 Max Turbo renders a 5 s clip in a few seconds, so the node's own overhead
 * (image check, submit, the status stream, the result, the download, n8n's store) no longer hides behind a minute of
 * generation. A job of T = 3 s (H3 Max Turbo image to video, 5 s at 480P) on emulators with the bench's latencies,
 * for 1 item and for 20, measured as the time beyond fal's time and the download, per item:
 *
 *   beyond = the run's wall time − the job's time at fal (created → COMPLETED, from the emulator's record) − the
 *            download's transfer (the video's size at the CDN's pace)
 *
 * For the node, the run's wall time is the node's own (n8n's run data: its executionTime). Beside it: the naive
 * pattern (bench/naive.js: one after another, a 5 s poll), a hand-written minimal client (bench/minimal.js: image
 * check, submit, status stream, result, download; nothing else) measured in the same run, taking turns with the node,
 * and the bare minimum computed from the emulator's latency (a latency before every answer: the image check, the
 * submit, the result and the download's first byte each wait one; the status stream, open before the job ends, costs
 * nothing after fal's time). The aim: the node within 50 ms of the minimal client, for 1 item and for 20.
 */

const { percentile, table, msf } = require('./figures');

const T_MS = 3_000;
const ENDPOINT = 'minimax/h3-max-turbo/image-to-video';
/** The fal input of the hand-written clients, and the node's parameters for the same video. */
const INPUT = { duration: 5, resolution: '480P', prompt_expansion_mode: 'disabled' };
const PARAMETERS = { model: ENDPOINT, durationSeconds: 5, resolution: '480P', promptExpansion: 'disabled' };
/** Runs per size: the node's and the minimal client's (taking turns), the naive pattern's (side by side with them). */
const SMOKE = process.env.BENCH_FAST_SMOKE === '1'; // a quick try of the code, not a measurement
const REPS = /** @type {Record<number, number>} */ (SMOKE ? { 1: 2, 20: 1 } : { 1: 12, 20: 6 });
const NAIVE_REPS = /** @type {Record<number, number>} */ (SMOKE ? { 1: 1, 20: 0 } : { 1: 3, 20: 1 });
const SIZES = [1, 20];
const AIM_MS = 50;

/** @param {string} kind @param {number} n @param {number} rep */
const runName = (kind, n, rep) => `fast-${kind}-${n}-r${rep}`;

/**
 * The emulators and what the children run: first one untimed run of the node and of the minimal client on the
 * warm-up emulator (`warmUrl`: no latency), so that neither is measured cold, then the runs taking turns.
 * @param {(o?: import('../test/emulator').EmulatorOptions) => Promise<import('../test/emulator').Emulator>} emu
 * @param {string} warmUrl
 */
async function fastPlan(emu, warmUrl) {
  /** @type {Record<string, import('../test/emulator').Emulator>} */
  const emulators = {};
  for (const kind of ['node', 'minimal', 'naive']) for (const n of SIZES) emulators[`${kind}-${n}`] = await emu();
  const spec = (/** @type {string} */ kind, /** @type {number} */ n, /** @type {number} */ rep) => {
    const e = emulators[`${kind}-${n}`];
    const prompts = Array.from({ length: n }, (_, i) => `bench fast ${kind}-${n} rep ${rep} item ${i} [emulator:ms=${T_MS}]`);
    return { name: runName(kind, n, rep), url: e.url, prompts, maxInFlight: 20, parameters: PARAMETERS, endpoint: ENDPOINT, input: INPUT };
  };
  const warm = (/** @type {string} */ kind) => ({ ...spec(kind, 1, 0), name: `warm-up-fast-${kind}`, url: warmUrl, prompts: [`warm-up fast ${kind} [emulator:ms=50]`] });
  /** @type {Array<{ kind: 'node' | 'minimal', run: any }>} */
  const fast = [{ kind: 'node', run: warm('node') }, { kind: 'minimal', run: warm('minimal') }];
  for (const n of SIZES) {
    for (let rep = 0; rep < REPS[n]; rep++) {
      fast.push({ kind: 'node', run: spec('node', n, rep) }, { kind: 'minimal', run: spec('minimal', n, rep) });
    }
  }
  const naiveReps = SIZES.map((n) => Array.from({ length: NAIVE_REPS[n] }, (_, rep) => spec('naive', n, rep)));
  return { emulators, fast, naiveReps };
}

/**
 * What one run of the fast job shows: each item's time beyond fal's and the download, and when each stage happened
 * (for 20 items, the batch's last of each stage).
 * @param {any} r  the child's report  @param {import('../test/emulator').Emulator} e  @param {number} transferMs
 */
function runFacts(r, e, transferMs) {
  const [, kind, n, rep] = /** @type {RegExpExecArray} */ (/^fast-(\w+)-(\d+)-r(\d+)$/.exec(r.name));
  const tag = `bench fast ${kind}-${n} rep ${rep} item `;
  const jobs = [...e.jobs.values()].filter((j) => String(j.input.prompt).startsWith(tag));
  const start = r.startedAt;
  const wall = kind === 'node' ? r.nodeMs : r.wallMs;
  const end = start + wall;
  const calls = e.calls.filter((c) => !c.runner && c.at >= start - 2 && c.at <= end + 2);
  const last = (/** @type {string} */ route) => Math.max(...calls.filter((c) => c.route === route).map((c) => c.at));
  const firstResult = (/** @type {any} */ job) => calls.find((c) => c.route === 'result' && c.requestId === job.requestId)?.at ?? NaN;
  const beyond = jobs.map((j) => wall - (j.completedAt - j.submittedAt) - transferMs);
  const lags = jobs.map((j) => firstResult(j) - j.completedAt);
  const created = Math.max(...jobs.map((j) => j.submittedAt));
  const done = Math.max(...jobs.map((j) => j.completedAt));
  const stages = {
    'start → image check reaches fal': last('sample') - start,
    'image check → submit reaches fal': last('submit') - last('sample'),
    'submit → job made (latency)': created - last('submit'),
    "fal's time (queue + T)": done - created,
    'COMPLETED → result call reaches fal': Math.max(...lags),
    'result call → download call': last('cdn') - Math.max(...jobs.map(firstResult)),
    'download call → end (latency, transfer, store, output)': end - last('cdn'),
  };
  return { kind, n: Number(n), cpuMs: r.cpuMs, ok: r.status === 'success' && r.videos === r.items && jobs.length === r.items, beyond, lags, stages, engineMs: kind === 'node' ? r.wallMs - r.nodeMs : undefined };
}

/**
 * The figures of every fast run, by pattern and size.
 * @param {Record<string, any>} wall  the children's reports by run name
 * @param {Record<string, import('../test/emulator').Emulator>} emulators
 * @param {{ latencyMs: number, videoBytes: number, cdnBytesPerSec: number }} fal
 */
function fastFigures(wall, emulators, fal) {
  const transferMs = (fal.videoBytes / fal.cdnBytesPerSec) * 1000;
  /** @type {Record<string, ReturnType<typeof runFacts>[]>} */
  const by = {};
  for (const r of Object.values(wall)) {
    if (!/^fast-\w+-\d+-r\d+$/.test(String(r.name))) continue;
    const facts = runFacts(r, emulators[r.name.replace(/^fast-(\w+-\d+)-r\d+$/, '$1')], transferMs);
    (by[`${facts.kind}-${facts.n}`] ??= []).push(facts);
  }
  const summary = (/** @type {string} */ key) => {
    const runs = by[key] ?? [];
    const beyond = runs.flatMap((f) => f.beyond);
    // the run whose own median is the median of the runs: its stages add up to its wall time
    const middle = [...runs].sort((a, b) => percentile(a.beyond, 50) - percentile(b.beyond, 50))[Math.floor((runs.length - 1) / 2)];
    return {
      /** each run's median, in the order they ran */
      perRun: runs.map((f) => percentile(f.beyond, 50)),
      runs: runs.length,
      failed: runs.filter((f) => !f.ok).length,
      median: percentile(beyond, 50),
      p95: percentile(beyond, 95),
      stages: middle?.stages ?? {},
      middle: middle ? percentile(middle.beyond, 50) : NaN,
      engine: percentile(runs.map((f) => f.engineMs ?? NaN).filter(Number.isFinite), 50),
      /** the client's process's CPU time per run (user and system), median */
      cpu: percentile(runs.map((f) => f.cpuMs ?? NaN).filter(Number.isFinite), 50),
    };
  };
  const fig = Object.fromEntries(['node', 'minimal', 'naive'].flatMap((k) => SIZES.map((n) => [`${k}-${n}`, summary(`${k}-${n}`)])));
  return { fig, minimumMs: 4 * fal.latencyMs, transferMs };
}

/** The headline row and the section of results.md. @param {ReturnType<typeof fastFigures>} f */
function fastReport(f) {
  const { fig, minimumMs } = f;
  const pair = (/** @type {string} */ k) => `${msf(fig[k].median)} / ${msf(fig[k].p95)}`;
  const both = (/** @type {string} */ k) => `1: ${pair(`${k}-1`)}; 20: ${pair(`${k}-20`)}`;
  const over = (/** @type {number} */ n) => fig[`node-${n}`].median - fig[`minimal-${n}`].median;
  const overP95 = (/** @type {number} */ n) => fig[`node-${n}`].p95 - fig[`minimal-${n}`].p95;
  const met = SIZES.every((n) => over(n) <= AIM_MS);
  const metP95 = SIZES.every((n) => overP95(n) <= AIM_MS);
  const headline = [
    `time beyond fal's and the download, job of T = ${T_MS / 1000} s (H3 Max Turbo), median / p95, 1 item; 20 items`,
    `≤ bare minimum + ${AIM_MS} ms (minimal client ${both('minimal')}; computed ${minimumMs} ms)`,
    both('node'),
    both('naive'),
    SIZES.map((n) => `${(fig[`naive-${n}`].median / Math.max(1, fig[`node-${n}`].median)).toFixed(0)}× less (${n})`).join('; '),
  ];
  const rows = [
    ['bare minimum, computed', '1 or 20', '—', `${minimumMs} ms`, `${minimumMs} ms`, '—', `4 × ${minimumMs / 4} ms: image check, submit, result, the download's first byte (the stream's COMPLETED costs nothing after fal's time; a status read instead: ${(minimumMs / 4) * 5} ms)`],
    ...['minimal', 'node', 'naive'].flatMap((k) => SIZES.map((n) => {
      const x = fig[`${k}-${n}`];
      const what = k === 'minimal' ? 'hand-written: exactly those calls (fetch; node:http for the video), items at once'
        : k === 'node' ? `the node's own time (n8n's run data); n8n's engine around it: ${msf(x.engine)} more`
          : 'one after another, 5 s poll';
      return [k === 'minimal' ? 'minimal client' : k, n, x.runs + (x.failed ? ` (${x.failed} failed)` : ''), msf(x.median), msf(x.p95), k === 'naive' ? '—' : `${Math.round(x.cpu)} ms`, what];
    })),
  ];
  const stageNames = Object.keys(fig['node-1'].stages);
  const keys = ['node-1', 'minimal-1', 'node-20', 'minimal-20'];
  const ms = (/** @type {number} */ v) => `${Math.round(v)} ms`;
  const stages = table(
    ['stage (20 items: the last of the batch)', 'node, 1', 'minimal, 1', 'node, 20', 'minimal, 20'],
    [
      ...stageNames.map((k) => [k, ...keys.map((key) => ms(/** @type {any} */ (fig[key].stages)[k]))]),
      ['that run: beyond fal\'s time and the download (median item)', ...keys.map((key) => ms(fig[key].middle))],
    ],
  );
  const perRun = ['node', 'minimal'].flatMap((k) => SIZES.map((n) => `- ${k}, ${n} item${n === 1 ? '' : 's'}, each run${n === 1 ? '' : "'s median"} in the order they ran: ${fig[`${k}-${n}`].perRun.map((v) => Math.round(v)).join(', ')} ms`));
  const verdict = `- The node against the minimal client, median (p95): ${SIZES.map((n) => `${n} item${n === 1 ? '' : 's'} ${over(n) >= 0 ? '+' : ''}${Math.round(over(n))} ms (${overP95(n) >= 0 ? '+' : ''}${Math.round(overP95(n))} ms)`).join(', ')}: the aim (≤ ${AIM_MS} ms more) is ${met ? 'met' : 'missed'} at the median, ${metP95 ? 'met' : 'missed'} at p95 (the slowest runs: each run below). CPU per run, node against minimal: ${SIZES.map((n) => `${n} item${n === 1 ? '' : 's'} ${Math.round(fig[`node-${n}`].cpu)} against ${Math.round(fig[`minimal-${n}`].cpu)} ms`).join(', ')}: on a busy machine each ms of it can be a ms of wall time.`;
  const section = `
## A fast job (T = ${T_MS / 1000} s)
H3 Max Turbo image to video (5 s at 480P) with the latencies above and T = ${T_MS / 1000} s. Per item, the time beyond fal's
time and the download: the run's wall time (the node's own, from n8n's run data) minus the job's time at fal (created →
COMPLETED, the emulator's record) minus the transfer (${msf(f.transferMs)}: the video at the CDN's pace). The node and the
minimal client (bench/minimal.js) take turns, ${REPS[1]} runs of 1 item and ${REPS[20]} of 20 each; the naive runs go side by side.

${table(['pattern', 'items', 'runs', 'median', 'p95', 'CPU per run (median)', 'what'], rows)}

${verdict}
${perRun.join('\n')}

Where the time goes, in the median run of each (each stage from the emulator's record of when each call reached it;
the stages add up to the run's wall time):

${stages}
`;
  const problems = Object.entries(fig).filter(([, x]) => x.failed || !x.runs).map(([k, x]) => `fast ${k}: ${x.failed} of ${x.runs} runs failed`);
  return { headline, section, verdict, met, problems };
}

module.exports = { fastPlan, fastFigures, fastReport };
