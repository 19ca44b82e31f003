// @ts-check
'use strict';

/**
 * small-image (issue 14): an Image URL of a 100x100 PNG is refused before any submit; the error names Image URL and
 * the item, and says what is wrong with the image.
 */

const { assert, check } = require('../../../scripts/lib/checks');
const { workflow, manualTrigger, hailuoNode, generate } = require('./workflows');
const { execError } = require('./helpers');

const WORKFLOW_ID = 'hailuoSrvTiny001';

/** @param {any} ctx */
async function run({ rest, emu: { main } }) {
  await check('a 100x100 Image URL is refused before any submit; the error names Image URL and the item', async () => {
    const before = await main.stats();
    const executionId = await rest.run(WORKFLOW_ID);
    const exec = await rest.waitFor(executionId, ['error', 'success', 'crashed', 'canceled'], 60_000);
    const after = await main.stats();
    assert(exec.status === 'error', `execution status ${exec.status}`);
    const msg = execError(exec);
    assert(/Image URL/.test(msg) && /item 0/.test(msg), `error message: ${msg}`);
    assert(/100\s*[x×]\s*100|300/.test(msg), `the message does not say what is wrong with the image: ${msg}`);
    assert(after.submits === before.submits, `${after.submits - before.submits} submits`);
    process.stdout.write(`      "${msg}"\n`);
  });
}

module.exports = {
  name: 'small-image',
  about: 'a 100x100 first frame is refused before any submit, naming Image URL and the item',
  /** @param {any} ctx */
  workflows: (ctx) => [
    workflow(WORKFLOW_ID, 'server-mode: 100x100 first frame', [
      manualTrigger(),
      hailuoNode('Hailuo Video', ctx.credential.main, generate({ prompt: 'A tiny image', imageUrl: `${ctx.origin.main}/_samples/png/100x100.png` }), [220, 0]),
    ]),
  ],
  run,
};
