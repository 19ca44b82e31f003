// @ts-check
'use strict';

/**
 * throughput: N executions (default 20, at most C at once) of Webhook → Code (2 prompts) → Hailuo Generate → Respond
 * through the production webhook, and checks: every execution succeeded (n8n's REST API), both workers ran some
 * (each worker's log, and the worker id the main logged per execution), every video is byte-identical to the
 * emulator's and readable through the REST path the editor uses (`/rest/binary-data`), the emulator saw exactly 2N
 * jobs and no duplicate. Then it all again on the same processes (the emulator reset): the same results with new
 * jobs. Gives the executions per minute and the most jobs the emulator had in flight (the figures at the end).
 */

const qm = require('../../scripts/lib/queue-mode');
const { assert, check } = require('../../scripts/lib/checks');
const wf = require('./workflows');
const { EXECUTIONS, CONCURRENCY, WORKERS, VIDEO_BYTES } = require('./settings');
const { sha256, show, median, workerHostId, waitForEnd, pool } = require('./helpers');

/** @param {any} ctx */
async function run({ base, rest, emu, emulator, workers, mainLog, figures }) {
  /** @type {Awaited<ReturnType<typeof runRound>>[]} */
  const rounds = [];
  for (const round of [1, 2]) {
    if (round === 2) await emu('/_emulator/reset', { method: 'POST' });
    const r = await runRound({ round, base, rest, emu, emulator, workers, mainLog });
    rounds.push(r);
  }

  await check('the second run gives the same results as the first (same prompts, files and bytes; new jobs)', () => {
    const [a, b] = rounds;
    assert(a.summary.length === EXECUTIONS && b.summary.length === EXECUTIONS, `results: ${a.summary.length} and ${b.summary.length}`);
    assert(JSON.stringify(a.summary) === JSON.stringify(b.summary), `run 1: ${JSON.stringify(a.summary[0])}\nrun 2: ${JSON.stringify(b.summary[0])}`);
    const shared = [...b.requestIds].filter((id) => a.requestIds.has(id));
    assert(shared.length === 0, `run 2 returned run 1's request ids: ${shared.slice(0, 3)}`);
    const sharedExec = [...b.executionIds].filter((id) => a.executionIds.has(id));
    assert(sharedExec.length === 0, `execution ids reused: ${sharedExec}`);
  });

  figures.push(
    ...rounds.map((r) => `run ${r.round}: ${r.perMinute.toFixed(0)} executions/min (${EXECUTIONS} in ${r.wallS.toFixed(1)} s, median ${r.medianS.toFixed(1)} s each: ${r.phases}), emulator max in flight ${r.maxInFlight} jobs`),
  );
}

/**
 * One run of N executions through the production webhook, and its checks.
 * @param {{ round: number, base: string, rest: InstanceType<typeof qm.N8nRest>, emu: (p: string, init?: RequestInit) => Promise<any>,
 *   emulator: { origin: string }, workers: { name: string, log: string }[], mainLog: string }} o
 */
async function runRound({ round, base, rest, emu, emulator, workers, mainLog }) {
  const label = `run ${round}`;
  const tags = Array.from({ length: EXECUTIONS }, (_, i) => `execution ${i + 1}`);
  const t0 = Date.now();
  const answers = await pool(tags, CONCURRENCY, async (tag) => {
    const s = Date.now();
    const sentAt = s;
    try {
      const res = await fetch(`${base}/webhook/${wf.SYNC_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tag }),
        signal: AbortSignal.timeout(180_000),
      });
      const text = await res.text();
      /** @type {any} */
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      return { tag, status: res.status, body, ms: Date.now() - s, sentAt };
    } catch (e) {
      return { tag, status: 0, body: String(e), ms: Date.now() - s, sentAt };
    }
  });
  const wallS = (Date.now() - t0) / 1000;
  const perMinute = (EXECUTIONS / wallS) * 60;
  const stats = await emu('/_emulator/stats');
  process.stdout.write(`      ${label}: ${EXECUTIONS} webhook calls answered in ${wallS.toFixed(1)} s (${perMinute.toFixed(0)}/min), emulator max in flight ${stats.maxInFlight}\n`);

  const executionIds = new Set(answers.map((a) => String(a.body?.executionId ?? '')).filter(Boolean));
  /** @type {Set<string>} */
  const requestIds = new Set();
  /** @type {any[]} */
  const summary = [];

  await check(`${label}: every webhook call answered 200 with two videos from the Respond node`, () => {
    const bad = answers.filter((a) => a.status !== 200 || !Array.isArray(a.body?.videos) || a.body.videos.length !== 2);
    assert(bad.length === 0, `${bad.length} bad answers, e.g. ${show(bad[0], 400)}`);
    assert(executionIds.size === EXECUTIONS, `${executionIds.size} distinct execution ids`);
    for (const a of answers) {
      const want = wf.promptsFor(a.tag);
      assert(a.body.videos.map((/** @type {any} */ v) => v.prompt).join('|') === want.join('|'), `prompts ${JSON.stringify(a.body.videos.map((/** @type {any} */ v) => v.prompt))} for ${a.tag}`);
    }
  });

  /** @type {Map<string, any>} execution id → execution with data */
  const executions = new Map();
  await check(`${label}: n8n's REST API lists all ${EXECUTIONS} executions as succeeded (mode webhook)`, async () => {
    // The Respond node answers the webhook before the worker has stored the end of the execution.
    const list = await waitForEnd(rest, wf.SYNC_ID, executionIds, 60_000);
    assert(list.length === EXECUTIONS, `${list.length} of the ${EXECUTIONS} executions listed`);
    const notOk = list.filter((e) => e.status !== 'success' || e.mode !== 'webhook');
    assert(notOk.length === 0, `not successful: ${notOk.map((e) => `${e.id} ${e.status} ${e.mode}`).join(', ')}`);
    for (const e of list) executions.set(String(e.id), await rest.execution(String(e.id)));
  });

  await check(`${label}: every video is byte-identical to the emulator's, read from the database through /rest/binary-data on the main`, async () => {
    assert(executions.size === EXECUTIONS, 'executions missing (previous check)');
    const byTag = new Map(answers.map((a) => [String(a.body?.executionId), a.tag]));
    const emulatorSha = new Map();
    for (const [id, e] of executions) {
      const runs = e.data?.resultData?.runData?.['Hailuo Video'];
      assert(Array.isArray(runs) && runs.length === 1 && !runs[0].error, `execution ${id}: Hailuo Video did not run once without error`);
      const items = runs[0].data.main[0];
      assert(items.length === 2, `execution ${id}: ${items.length} items`);
      const videos = [];
      for (const item of items) {
        const j = item.json;
        const bin = item.binary?.data;
        assert(bin && typeof bin.id === 'string' && bin.id.startsWith('database:'), `execution ${id}: binary ${JSON.stringify(bin)} is not in the database store`);
        assert(j.status === 'COMPLETED' && j.fileSize === VIDEO_BYTES && j.mimeType === 'video/mp4', `execution ${id}: ${show(j, 300)}`);
        requestIds.add(j.requestId);
        const { bytes, contentType } = await rest.binary(bin.id);
        assert(contentType === 'video/mp4', `binary ${bin.id}: content-type ${contentType}`);
        if (!emulatorSha.has(j.requestId)) {
          const res = await fetch(`${emulator.origin}/cdn/${j.requestId}/output.mp4`);
          assert(res.ok, `the emulator has no video for ${j.requestId} (HTTP ${res.status})`);
          emulatorSha.set(j.requestId, sha256(Buffer.from(await res.arrayBuffer())));
        }
        assert(bytes.length === VIDEO_BYTES, `binary ${bin.id}: ${bytes.length} bytes, the emulator served ${VIDEO_BYTES}`);
        assert(sha256(bytes) === emulatorSha.get(j.requestId), `binary ${bin.id} differs from the emulator's video of ${j.requestId}`);
        videos.push({ prompt: j.prompt, status: j.status, fileSize: j.fileSize, mimeType: j.mimeType, sha256: sha256(bytes), fileNameShape: String(j.fileName).replace(j.requestId, '<request id>') });
      }
      summary.push({ tag: byTag.get(id), videos });
    }
    summary.sort((x, y) => Number(String(x.tag).split(' ')[1]) - Number(String(y.tag).split(' ')[1]));
    assert(requestIds.size === 2 * EXECUTIONS, `${requestIds.size} distinct request ids, expected ${2 * EXECUTIONS}`);
    const answered = new Set(answers.flatMap((a) => (a.body?.videos || []).map((/** @type {any} */ v) => v.requestId)));
    assert([...requestIds].every((rid) => answered.has(rid)), 'the webhook answers and the stored executions name different jobs');
  });

  await check(`${label}: the emulator saw exactly ${2 * EXECUTIONS} jobs, all completed, no duplicate, none left running`, async () => {
    const s = await emu('/_emulator/stats');
    assert(s.accepted === 2 * EXECUTIONS, `accepted ${s.accepted}`);
    assert(s.submits === 2 * EXECUTIONS, `submit calls ${s.submits}`);
    assert(s.duplicates === 0, `duplicates ${s.duplicates}`);
    assert(s.completed === 2 * EXECUTIONS, `completed ${s.completed}`);
    assert(s.running === 0, `running ${s.running}`);
    const jobs = (await emu('/_emulator/jobs')).jobs;
    const ids = new Set(jobs.map((/** @type {any} */ j) => j.requestId));
    assert([...requestIds].every((rid) => ids.has(rid)), 'a request id in n8n is not one of the emulator jobs');
  });

  /** Where an execution's time goes (medians, s): queued in Redis, on the worker before fal, at fal, after fal. */
  let phases = '';
  await check(`${label}: timing of each execution read from n8n and the emulator`, async () => {
    const list = await rest.executions(wf.SYNC_ID);
    const jobs = new Map((await emu('/_emulator/jobs')).jobs.map((/** @type {any} */ j) => [j.requestId, j]));
    /** @type {Record<string, number[]>} */
    const t = { queued: [], beforeFal: [], atFal: [], afterFal: [] };
    for (const a of answers) {
      const e = list.find((x) => String(x.id) === String(a.body?.executionId));
      const js = (a.body?.videos || []).map((/** @type {any} */ v) => jobs.get(v.requestId)).filter(Boolean);
      if (!e || js.length !== 2 || !e.startedAt || !e.stoppedAt) continue;
      const start = Date.parse(e.startedAt);
      const firstSubmit = Math.min(...js.map((/** @type {any} */ j) => j.submittedAt));
      const lastDone = Math.max(...js.map((/** @type {any} */ j) => j.completedAt));
      t.queued.push(start - a.sentAt);
      t.beforeFal.push(firstSubmit - start);
      t.atFal.push(lastDone - firstSubmit);
      t.afterFal.push(Date.parse(e.stoppedAt) - lastDone);
    }
    assert(t.queued.length === EXECUTIONS, `timings for ${t.queued.length} executions`);
    phases = Object.entries(t).map(([k, v]) => `${k} ${(median(v) / 1000).toFixed(2)}`).join(', ');
    process.stdout.write(`      ${label}: median seconds per execution: ${phases}\n`);
  });

  /** @type {Record<string, number>} */
  const perWorker = {};
  await check(`${label}: both workers ran some executions (worker logs; the main's record of the worker id agrees)`, () => {
    /** @type {Map<string, string>} execution id → worker */
    const ranOn = new Map();
    for (const w of workers) {
      for (const l of qm.readJsonLog(w.log)) {
        const m = /^Worker finished execution (\d+)/.exec(l.message || '');
        if (m && executionIds.has(m[1])) {
          assert(!ranOn.has(m[1]), `execution ${m[1]} finished on ${ranOn.get(m[1])} and ${w.name}`);
          ranOn.set(m[1], w.name);
        }
      }
    }
    assert(ranOn.size === EXECUTIONS, `the worker logs name ${ranOn.size} of the ${EXECUTIONS} executions`);
    for (const w of workers) perWorker[w.name] = [...ranOn.values()].filter((x) => x === w.name).length;
    assert(Object.values(perWorker).every((n) => n > 0), `executions per worker: ${JSON.stringify(perWorker)}`);
    // The main logs the worker id (n8n's host id) each job-finished message came from: it must be the host id of the
    // worker whose log has the execution.
    const hostIds = new Map(workers.map((w) => [w.name, workerHostId(w.log)]));
    let agreeing = 0;
    for (const l of qm.readJsonLog(mainLog)) {
      const m = /^Execution (\d+) \(job \S+\) finished/.exec(l.message || '');
      if (!m || !executionIds.has(m[1])) continue;
      const worker = /** @type {string} */ (ranOn.get(m[1]));
      assert(l.metadata?.workerId === hostIds.get(worker), `execution ${m[1]}: the main names worker ${l.metadata?.workerId}, ${worker}'s host id is ${hostIds.get(worker)}`);
      agreeing++;
    }
    assert(agreeing === EXECUTIONS, `the main logged ${agreeing} of the ${EXECUTIONS} finished executions`);
    const sameHost = new Set(hostIds.values()).size < WORKERS;
    process.stdout.write(
      `      ${label}: executions per worker ${JSON.stringify(perWorker)}` +
        (sameHost ? ` (n8n's host ids: ${[...new Set(hostIds.values())]}: in a container n8n names a worker after the hostname, so workers on one host share it)` : '') +
        '\n',
    );
  });

  return {
    round,
    wallS,
    perMinute,
    medianS: median(answers.map((a) => a.ms)) / 1000,
    maxInFlight: stats.maxInFlight,
    phases,
    summary,
    requestIds,
    executionIds,
    perWorker,
  };
}

module.exports = {
  name: 'throughput',
  about: `${EXECUTIONS} webhook executions on 2 workers, twice: all succeed, both workers work, every video byte for byte`,
  /** @param {string} emulatorOrigin */
  workflows: (emulatorOrigin) => [wf.syncWorkflow(emulatorOrigin)],
  run,
};
