// @ts-check
'use strict';

/**
 * schedule (issue 18): a workflow published before start, Schedule Trigger every 5 s → Code (2 prompts naming the
 * execution) → Hailuo Generate. It fires at least twice with nobody at the editor; every execution in n8n's database
 * is a success in mode `trigger`, its videos in the binary store are the emulator's bytes, and no job is submitted
 * twice. Then it is deactivated over REST, and after every other scenario: nothing more was submitted for two
 * intervals.
 */

const n8n = require('../../../scripts/lib/n8n');
const { assert, check, fail } = require('../../../scripts/lib/checks');
const { promptsCode, frame } = require('./workflows');
const { nodeItems, assertVideoItem, executionRows, sleep, until, seconds } = require('./helpers');

const WORKFLOW_ID = 'hailuoSrvSched01';
/** The schedule's interval (seconds) and how many times it must fire before it is switched off. */
const INTERVAL_S = 5;
const MIN_RUNS = 2;
const SCHEDULE_ITEMS = 2;

/**
 * Example 3 on a 5-second schedule: two prompts naming the execution, so that a re-submitted item would show as a
 * duplicate on the emulator.
 * @param {any} example3 @param {string} imageUrl @param {{ id: string, name: string }} credential
 */
function scheduleWorkflow(example3, imageUrl, credential) {
  const wf = JSON.parse(JSON.stringify(example3));
  wf.id = WORKFLOW_ID;
  wf.name = 'server-mode: schedule every 5 s';
  const trigger = wf.nodes.find((/** @type {any} */ n) => n.type === 'n8n-nodes-base.scheduleTrigger');
  trigger.parameters.rule = { interval: [{ field: 'seconds', secondsInterval: INTERVAL_S }] };
  const code = wf.nodes.find((/** @type {any} */ n) => n.type === 'n8n-nodes-base.code');
  code.parameters.jsCode = promptsCode(SCHEDULE_ITEMS, imageUrl, 'A slow dolly shot, scheduled video');
  const hailuo = wf.nodes.find((/** @type {any} */ n) => n.type === n8n.NODE_TYPE);
  hailuo.credentials.hailuoApi = { ...credential };
  hailuo.parameters.options = { fileName: '=hailuo-scheduled-{{ $itemIndex }}.mp4' };
  // Results names the shot from the Code node's items, which no longer have one.
  const results = wf.nodes.find((/** @type {any} */ n) => n.name === 'Results');
  results.parameters.assignments.assignments = results.parameters.assignments.assignments.filter(
    (/** @type {any} */ a) => a.name !== 'shot',
  );
  return wf;
}

/** @param {any} ctx */
async function run({ rest, emu: { schedule: emu }, userFolder, n8nStartedAt }) {
  const done = () => executionRows(userFolder, WORKFLOW_ID).filter((r) => r.status !== 'running' && r.status !== 'new');
  const fired = await check(`the published schedule fires by itself at least ${MIN_RUNS} times (every ${INTERVAL_S} s, nobody at the editor)`, async () => {
    await until(() => done().length >= MIN_RUNS, 60_000, `${MIN_RUNS} finished executions of the schedule`);
    process.stdout.write(`      ${done().length} runs finished ${seconds(Date.now() - n8nStartedAt)} after n8n was started\n`);
  });

  // Switch it off as the editor does (2.x: Unpublish; 1.x: the Active toggle), then let a running execution end.
  await rest.call('POST', `/rest/workflows/${WORKFLOW_ID}/deactivate`, {});
  const deactivatedAt = Date.now();
  await until(() => executionRows(userFolder, WORKFLOW_ID).every((r) => r.status !== 'running' && r.status !== 'new'), 60_000, 'the last scheduled run to end').catch(
    (e) => fail('the last scheduled run ends after deactivation', e.message),
  );
  const rows = executionRows(userFolder, WORKFLOW_ID);
  const runs = rows.length;
  const accepted = (await emu.stats()).accepted;

  await check('every scheduled execution in n8n\'s database: status success, mode trigger', () => {
    assert(fired, 'the schedule did not fire');
    assert(rows.length >= MIN_RUNS, `${rows.length} executions`);
    const bad = rows.filter((r) => r.status !== 'success' || r.mode !== 'trigger');
    assert(bad.length === 0, `executions not success/trigger: ${JSON.stringify(bad)}`);
  });

  await check(`each scheduled run made ${SCHEDULE_ITEMS} videos, the emulator's MP4 byte for byte in n8n's binary store`, async () => {
    assert(fired, 'the schedule did not fire');
    for (const row of rows) {
      const exec = await rest.execution(row.id);
      const items = nodeItems(exec, 'Hailuo Video');
      assert(items.length === SCHEDULE_ITEMS, `execution ${row.id}: ${items.length} items`);
      for (const item of items) await assertVideoItem(userFolder, item);
    }
  });

  await check('each run submitted its own jobs: no job submitted twice, accepted = 2 × runs', async () => {
    assert(fired, 'the schedule did not fire');
    const stats = await emu.stats();
    const ids = new Set();
    for (const row of rows) {
      for (const item of nodeItems(await rest.execution(row.id), 'Hailuo Video')) ids.add(item.json.requestId);
    }
    assert(stats.duplicates === 0, `the emulator saw ${stats.duplicates} duplicate submits`);
    assert(stats.accepted === SCHEDULE_ITEMS * rows.length, `accepted ${stats.accepted}, runs ${rows.length}`);
    assert(ids.size === SCHEDULE_ITEMS * rows.length, `${ids.size} distinct request ids over ${rows.length} runs`);
    assert(stats.running === 0, `${stats.running} jobs still running`);
  });

  // After every other scenario: two intervals have passed since the deactivation, and nothing more ran.
  return async () => {
    await check(`after deactivation nothing more is submitted or run (${2 * INTERVAL_S + 2} s and more)`, async () => {
      assert(deactivatedAt > 0, 'the schedule was never deactivated');
      const wait = deactivatedAt + (2 * INTERVAL_S + 2) * 1000 - Date.now();
      if (wait > 0) await sleep(wait);
      const stats = await emu.stats();
      const now = executionRows(userFolder, WORKFLOW_ID);
      assert(stats.accepted === accepted, `accepted went from ${accepted} to ${stats.accepted}`);
      assert(now.length === runs, `executions went from ${runs} to ${now.length}`);
      process.stdout.write(`      quiet for ${seconds(Date.now() - deactivatedAt)} after deactivation\n`);
    });
  };
}

module.exports = {
  name: 'schedule',
  about: 'a published Schedule Trigger fires by itself; its runs succeed, submit nothing twice, stop when deactivated',
  emulators: {
    schedule: {
      args: ['--queue-ms', '100', '--progress-ms', '400'],
      credential: { id: 'hailuoSchedEmu01', name: 'Hailuo (schedule fal emulator)' },
    },
  },
  /** @param {any} ctx */
  workflows: (ctx) => [scheduleWorkflow(ctx.example('hailuoExample003'), frame(ctx.origin.schedule), ctx.credential.schedule)],
  /** The schedule is active when n8n starts, as a published workflow is after a restart. @param {any} ctx */
  beforeStart: async ({ runtime, env }) => {
    await n8n.runN8nOk(runtime.activateArgs(WORKFLOW_ID), env);
  },
  run,
};
