// @ts-check
'use strict';

/** in-flight (issue 15): three items whose jobs the emulator sees in flight together, three videos. */

const { assert, check } = require('../../../scripts/lib/checks');
const { workflow, manualTrigger, codeNode, hailuoNode, promptsCode, generate, frame } = require('./workflows');
const { nodeItems, execError, assertVideoItem, seconds } = require('./helpers');

const WORKFLOW_ID = 'hailuoSrvFlight1';

/** @param {any} ctx */
async function run({ rest, emu: { main: emu }, userFolder }) {
  await check('a 3-item run: the emulator sees the 3 jobs in flight together (maxInFlight 3), 3 videos', async () => {
    await emu.reset();
    const t0 = Date.now();
    const exec = await rest.waitFor(await rest.run(WORKFLOW_ID), ['success', 'error', 'crashed', 'canceled'], 90_000);
    assert(exec.status === 'success', `execution ${exec.status}: ${execError(exec)}`);
    const stats = await emu.stats();
    assert(stats.maxInFlight === 3, `maxInFlight ${stats.maxInFlight}`);
    const items = nodeItems(exec, 'Hailuo Video');
    assert(items.length === 3, `${items.length} items`);
    for (const item of items) await assertVideoItem(userFolder, item);
    process.stdout.write(`      3 videos of ~2.2 s jobs in ${seconds(Date.now() - t0)}\n`);
  });
}

module.exports = {
  name: 'in-flight',
  about: "a 3-item run's jobs are in flight together on fal; 3 videos",
  /** @param {any} ctx */
  workflows: (ctx) => [
    workflow(WORKFLOW_ID, 'server-mode: three items in flight', [
      manualTrigger(),
      codeNode(promptsCode(3, frame(ctx.origin.main), 'Three at once')),
      hailuoNode('Hailuo Video', ctx.credential.main, generate({ options: { fileName: '=hailuo-flight-{{ $itemIndex }}.mp4' } }), [440, 0]),
    ]),
  ],
  run,
};
