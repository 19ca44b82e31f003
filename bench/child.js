// @ts-check
'use strict';

/**
 * One benchmark process, started by bench/index.js (fork, one JSON argument); it reports through process.send.
 * The emulators live in the parent, as fal lives on another machine: this process only makes the client's calls.
 *
 *   node-timing  runs workflows through n8n's engine (test/harness) with the built node, one after another
 *                (and `background` runs side by side with them); reports each run's wall time; then the fast-job
 *                runs (`fast`): the node and the hand-written minimal client (bench/minimal.js) taking turns
 *   naive-timing runs naive batches (bench/naive.js) side by side, each with its items one after another
 *   memory       warms up, then one 20-video download with kind 'node' | 'naive' | 'floor', reporting the growth
 *                of peak RSS (process.resourceUsage().maxRSS) over the run
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Readable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { naiveBatch, naiveItem } = require('./naive');
const { minimalBatch } = require('./minimal');

/**
 * @typedef {{ name: string, url: string, prompts: string[], maxInFlight?: number, parameters?: Record<string, unknown>,
 *   endpoint?: string, input?: Record<string, unknown> }} RunSpec
 *   parameters: the node's (besides the prompt and the image URL); endpoint, input: the fal call of the hand-written
 *   clients (naive, minimal), besides the prompt and the image
 * @typedef {{ role: string, apiKey: string, runs?: RunSpec[], background?: RunSpec[], warmup?: RunSpec, kind?: string,
 *   run?: RunSpec, videoUrls?: string[], warmupVideoUrl?: string, fast?: Array<{ kind: 'node' | 'minimal', run: RunSpec }>,
 *   reps?: RunSpec[][] }} ChildSpec
 */

/** @type {ChildSpec} */
const spec = JSON.parse(process.argv[2]);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `hailuo-bench-${spec.role}-`));
const cleanups = [() => fs.rmSync(tmp, { recursive: true, force: true })];

/** The Hailuo node in n8n's engine: Start → Fixture Items → Hailuo Video (test/workflows.js). */
function nodeRunner() {
  const { runWorkflow, useFilesystemBinaryStore } = require('../test/harness');
  const { hailuoWorkflow } = require('../test/workflows');
  return {
    /** @param {RunSpec} run */
    async run(run) {
      const parameters = {
        prompt: '={{ $json.p }}',
        imageSource: 'url',
        imageUrl: `${run.url}/_samples/frame.jpg`,
        options: { maxInFlight: run.maxInFlight ?? 20 },
        ...run.parameters,
      };
      const items = run.prompts.map((p) => ({ json: { p } }));
      const cpu0 = process.cpuUsage();
      const t0 = Date.now();
      const result = await runWorkflow(hailuoWorkflow({ items, parameters }), {
        credentials: { hailuoApi: { apiKey: spec.apiKey, baseUrl: run.url } },
      });
      const wallMs = Date.now() - t0;
      const cpuMs = cpuSince(cpu0);
      const out = result.status === 'success' ? result.output('Hailuo Video') : [];
      const videos = out.filter((item) => item.binary?.data?.id).length;
      const error = result.status === 'success' ? undefined : String(result.error?.message ?? result.status);
      // the node's own time, as n8n's run data gives it (its execute, from start to end)
      const task = result.run.data.resultData.runData['Hailuo Video']?.[0];
      return { name: run.name, wallMs, cpuMs, startedAt: task?.startTime, nodeMs: task?.executionTime, items: run.prompts.length, videos, status: result.status, error };
    },
    async storeDir() {
      return (await useFilesystemBinaryStore()).dir;
    },
  };
}

/** @param {RunSpec} run @param {number} [pollMs] */
async function naiveRun(run, pollMs) {
  const outDir = fs.mkdtempSync(path.join(tmp, `${run.name}-`));
  const items = run.prompts.map((prompt) => ({ prompt, imageUrl: `${run.url}/_samples/frame.jpg` }));
  const t0 = Date.now();
  try {
    const out = await naiveBatch({ baseUrl: run.url, apiKey: spec.apiKey, outDir, pollMs, endpoint: run.endpoint, input: run.input }, items);
    return { name: run.name, startedAt: t0, wallMs: Date.now() - t0, items: items.length, videos: out.length, status: 'success' };
  } catch (error) {
    return { name: run.name, wallMs: Date.now() - t0, items: items.length, videos: 0, status: 'error', error: String(error) };
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

/** CPU time (user and system) this process used since `from`, in ms. @param {NodeJS.CpuUsage} from */
const cpuSince = (from) => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
};

/** The hand-written minimal client (bench/minimal.js): every item at once. @param {RunSpec} run */
async function minimalRun(run) {
  const outDir = fs.mkdtempSync(path.join(tmp, `${run.name}-`));
  const items = run.prompts.map((prompt) => ({ prompt, imageUrl: `${run.url}/_samples/frame.jpg` }));
  const o = { baseUrl: run.url, apiKey: spec.apiKey, outDir, endpoint: String(run.endpoint), input: run.input ?? {} };
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  try {
    await minimalBatch(o, items);
    return { name: run.name, startedAt: t0, wallMs: Date.now() - t0, cpuMs: cpuSince(cpu0), items: items.length, videos: items.length, status: 'success' };
  } catch (error) {
    return { name: run.name, startedAt: t0, wallMs: Date.now() - t0, items: items.length, videos: 0, status: 'error', error: String(error) };
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

/** Plain Node streams, no n8n: the response body piped into a file. @param {string} url @param {string} file */
async function streamToFile(url, file) {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`video: HTTP ${res.status}`);
  await pipeline(Readable.fromWeb(/** @type {any} */ (res.body)), fs.createWriteStream(file));
}

const kb = () => process.resourceUsage().maxRSS; // KiB

/** Peak RSS growth of `work`: maxRSS after minus maxRSS before, plus a sampled peak of the current RSS. */
async function measure(/** @type {() => Promise<any>} */ work) {
  const maxBefore = kb();
  const rssBefore = process.memoryUsage().rss;
  let sampledPeak = rssBefore;
  const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss)), 10);
  const t0 = Date.now();
  const detail = await work();
  clearInterval(sampler);
  const maxAfter = kb();
  return {
    wallMs: Date.now() - t0,
    maxRssBeforeBytes: maxBefore * 1024,
    maxRssAfterBytes: maxAfter * 1024,
    growthBytes: (maxAfter - maxBefore) * 1024,
    sampledGrowthBytes: sampledPeak - rssBefore,
    detail,
  };
}

async function memory() {
  const { kind, run, warmup } = spec;
  if (!run || !warmup) throw new Error('memory needs run and warmup');
  if (kind === 'node') {
    const node = nodeRunner();
    cleanups.push(() => node.storeDir().then((dir) => fs.rmSync(dir, { recursive: true, force: true })));
    await node.run(warmup);
    return await measure(() => node.run(run));
  }
  if (kind === 'naive') {
    await naiveRun(warmup, 100);
    const outDir = fs.mkdtempSync(path.join(tmp, 'naive-memory-'));
    const o = { baseUrl: run.url, apiKey: spec.apiKey, outDir };
    // Twenty at once, as n8n's HTTP Request node sends the requests of all its input items together.
    return await measure(async () => {
      const out = await Promise.all(run.prompts.map((prompt, i) => naiveItem(o, { prompt, imageUrl: `${run.url}/_samples/frame.jpg` }, `v${i}.mp4`)));
      return { videos: out.length };
    });
  }
  if (kind === 'floor') {
    const urls = spec.videoUrls ?? [];
    if (!spec.warmupVideoUrl) throw new Error('floor needs warmupVideoUrl');
    await streamToFile(spec.warmupVideoUrl, path.join(tmp, 'warmup.mp4'));
    return await measure(async () => {
      await Promise.all(urls.map((url, i) => streamToFile(url, path.join(tmp, `floor-${i}.mp4`))));
      return { videos: urls.length };
    });
  }
  throw new Error(`unknown memory kind ${kind}`);
}

async function main() {
  if (spec.role === 'node-timing') {
    const node = nodeRunner();
    cleanups.push(() => node.storeDir().then((dir) => fs.rmSync(dir, { recursive: true, force: true })));
    if (spec.warmup) await node.run(spec.warmup); // n8n is a long-running server: its engine is warm
    const report = (/** @type {any} */ r) => (process.send?.({ progress: r }), r);
    // background runs (the long job) go on side by side with the runs made one after another
    const background = Promise.all((spec.background ?? []).map((run) => node.run(run).then(report)));
    const results = [];
    for (const run of spec.runs ?? []) results.push(report(await node.run(run)));
    // the fast job: the node and the minimal client take turns, so that both meet the machine as it is meanwhile
    for (const { kind, run } of spec.fast ?? []) results.push(report(kind === 'node' ? await node.run(run) : await minimalRun(run)));
    return [...results, ...(await background)];
  }
  if (spec.role === 'naive-timing') {
    const report = (/** @type {any} */ r) => (process.send?.({ progress: r }), r);
    // independent batches side by side (each one is items one after another), and series of batches (`reps`: one
    // after another, each its own run)
    const series = (spec.reps ?? []).map(async (runs) => {
      const out = [];
      for (const run of runs) out.push(report(await naiveRun(run)));
      return out;
    });
    const batches = await Promise.all((spec.runs ?? []).map((run) => naiveRun(run).then(report)));
    return [...batches, ...(await Promise.all(series)).flat()];
  }
  if (spec.role === 'memory') return await memory();
  throw new Error(`unknown role ${spec.role}`);
}

main()
  .then(async (result) => {
    for (const clean of cleanups) await clean();
    process.send?.({ result }, () => process.exit(0));
  })
  .catch(async (error) => {
    for (const clean of cleanups) await Promise.resolve(clean()).catch(() => undefined);
    process.send?.({ error: error instanceof Error ? error.stack : String(error) }, () => process.exit(1));
  });
