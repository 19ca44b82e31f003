// @ts-check
'use strict';

/**
 * stop: the main's stop (what the editor's Stop button calls) goes through Redis to the worker running the
 * execution, and the node cancels its fal jobs there (none billed). n8n logs errors for a stopped execution on
 * purpose: the runner checks the logs for errors before this scenario.
 */

const qm = require('../../scripts/lib/queue-mode');
const { assert, check } = require('../../scripts/lib/checks');
const wf = require('./workflows');
const { sleep, show } = require('./helpers');

/**
 * Stop in queue mode: the main's stop (what the editor's Stop button calls) goes through Redis to the worker running
 * the execution, and the node cancels its fal jobs there.
 * @param {{ base: string, rest: InstanceType<typeof qm.N8nRest>, emu: (p: string, init?: RequestInit) => Promise<any>,
 *   workers: { name: string, log: string }[] }} o
 */
async function runStop({ base, rest, emu, workers }) {
  await emu('/_emulator/reset', { method: 'POST' });
  const before = new Set((await rest.executions(wf.SYNC_ID)).map((e) => String(e.id)));
  const answer = fetch(`${base}/webhook/${wf.SYNC_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tag: 'stopped [emulator:ms=120000]' }),
    signal: AbortSignal.timeout(90_000),
  }).then(
    async (res) => ({ status: res.status, text: await res.text() }),
    (e) => ({ status: 0, text: String(e) }),
  );
  await check('stop in queue mode: the main\'s stop reaches the worker, which cancels both fal jobs (none billed)', async () => {
    let deadline = Date.now() + 30_000;
    while ((await emu('/_emulator/stats')).inProgress < 2 && Date.now() < deadline) await sleep(200);
    const mine = (await rest.executions(wf.SYNC_ID)).filter((e) => !before.has(String(e.id)));
    assert(mine.length === 1 && mine[0].status === 'running', `executions: ${show(mine.map((e) => [e.id, e.status]))}`);
    const id = String(mine[0].id);
    const t0 = Date.now();
    await rest.post(`/rest/executions/${id}/stop`);
    /** @type {any[]} */
    let jobs = [];
    deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      jobs = (await emu('/_emulator/jobs')).jobs;
      if (jobs.length === 2 && jobs.every((j) => j.status === 'CANCELLED' || j.status === 'COMPLETED')) break;
      await sleep(200);
    }
    const stoppedS = (Date.now() - t0) / 1000;
    assert(jobs.length === 2, `the emulator has ${jobs.length} jobs`);
    assert(jobs.every((j) => j.cancelRequested && !j.billed), `jobs after the stop: ${show(jobs.map((j) => [j.status, j.cancelRequested, j.billed, j.error]), 500)}`);
    const [x] = (await rest.executions(wf.SYNC_ID)).filter((e) => String(e.id) === id);
    assert(x && x.status === 'canceled', `execution ${id} is ${x?.status}`);
    const ranOn = workers.filter((w) => qm.readJsonLog(w.log).some((l) => (l.message || '').startsWith(`Worker started execution ${id} `)));
    assert(ranOn.length === 1, `execution ${id} started on ${ranOn.length} workers`);
    const a = await answer;
    process.stdout.write(`      stop: execution ${id} on ${ranOn[0].name}: both fal jobs cancelled ${stoppedS.toFixed(1)} s after the stop; the webhook caller got HTTP ${a.status} ${a.text.slice(0, 120)}\n`);
  });
}

module.exports = {
  name: 'stop',
  about: "the main's stop reaches the worker, which cancels both fal jobs (none billed)",
  /** n8n logs errors for the stopped execution: the check of the logs runs before. */
  logsErrors: true,
  /** @param {string} emulatorOrigin */
  workflows: (emulatorOrigin) => [wf.syncWorkflow(emulatorOrigin)],
  /** @param {any} ctx */
  run: (ctx) => runStop(ctx),
};
