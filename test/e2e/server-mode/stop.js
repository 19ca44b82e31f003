// @ts-check
'use strict';

/**
 * stop (issue 14): a run started as the editor starts it (POST /rest/workflows/:id/run), two jobs on an emulator that
 * lets one run at a time (one running, one queued), then the editor's Stop (POST /rest/executions/:id/stop): no job
 * left running on the emulator within a few seconds, none billed, the execution canceled.
 */

const { assert, check } = require('../../../scripts/lib/checks');
const { workflow, manualTrigger, codeNode, hailuoNode, promptsCode, generate, frame } = require('./workflows');
const { until } = require('./helpers');

const WORKFLOW_ID = 'hailuoSrvStop001';

/** @param {any} ctx */
async function run({ rest, emu: { slow: emu } }) {
  await check('Stop (POST /rest/executions/:id/stop) on a running execution leaves no job running on fal', async () => {
    const executionId = await rest.run(WORKFLOW_ID);
    await until(
      async () => {
        const jobs = await emu.jobs();
        return jobs.some((j) => j.status === 'IN_PROGRESS') && jobs.some((j) => j.status === 'IN_QUEUE');
      },
      30_000,
      'one job in progress and one queued on the emulator',
    );
    const t0 = Date.now();
    const stopped = await rest.raw('POST', `/rest/executions/${executionId}/stop`, {});
    assert(stopped.status === 200, `stop answered HTTP ${stopped.status}: ${stopped.text.slice(0, 300)}`);
    let stats = await emu.stats();
    await until(async () => (stats = await emu.stats()).running === 0, 5_000, `stats.running === 0 (now ${stats.running})`).catch(
      async (e) => {
        throw new Error(`${e.message}; jobs: ${JSON.stringify((await emu.jobs()).map((j) => [j.status, j.cancelRequested]))}`);
      },
    );
    const ms = Date.now() - t0;
    const jobs = await emu.jobs();
    assert(jobs.length === 2, `${jobs.length} jobs`);
    const notCancelled = jobs.filter((j) => j.status !== 'CANCELLED' && !j.cancelRequested);
    assert(notCancelled.length === 0, `jobs neither cancelled nor asked to stop: ${JSON.stringify(notCancelled)}`);
    assert(stats.billed === 0, `${stats.billed} jobs billed`);
    const exec = await rest.waitFor(executionId, ['canceled', 'error', 'crashed', 'success'], 30_000);
    assert(exec.status === 'canceled', `execution status ${exec.status}`);
    process.stdout.write(`      no job running ${ms} ms after Stop; jobs: ${jobs.map((j) => (j.status === 'CANCELLED' ? 'CANCELLED' : `${j.status} (${j.errorType ?? 'cancel requested'})`)).join(', ')}\n`);
  });
}

module.exports = {
  name: 'stop',
  about: "the editor's Stop on a running execution leaves no fal job running and none billed",
  emulators: {
    // One job at a time, each running for minutes: a run stopped from n8n leaves one job running and one queued.
    slow: {
      args: ['--queue-ms', '100', '--progress-ms', '600000', '--concurrency', '1'],
      credential: { id: 'hailuoSlowEmu001', name: 'Hailuo (slow fal emulator)' },
    },
  },
  /** @param {any} ctx */
  workflows: (ctx) => [
    workflow(WORKFLOW_ID, 'server-mode: stopped from n8n', [
      manualTrigger(),
      codeNode(promptsCode(2, frame(ctx.origin.slow), 'A long take')),
      hailuoNode('Hailuo Video', ctx.credential.slow, generate({}), [440, 0]),
    ]),
  ],
  run,
};
