// @ts-check
'use strict';

/** models (issue 17): a Fast image-to-video job and a text-to-video job; each submit body carries exactly its model's fields. */

const { assert, check } = require('../../../scripts/lib/checks');
const { workflow, manualTrigger, hailuoNode, generate, frame } = require('./workflows');
const { nodeItems, execError, assertVideoItem } = require('./helpers');

const WORKFLOW_ID = 'hailuoSrvModels1';
const FAST_I2V = 'fal-ai/minimax/hailuo-2.3-fast/standard/image-to-video';
const STANDARD_T2V = 'fal-ai/minimax/hailuo-2.3/standard/text-to-video';

/** @param {any} ctx */
async function run({ rest, emu: { main: emu }, userFolder }) {
  await check('a Fast image-to-video and a text-to-video job run in n8n; each submit carries exactly its model\'s fields', async () => {
    await emu.reset();
    const exec = await rest.waitFor(await rest.run(WORKFLOW_ID), ['success', 'error', 'crashed', 'canceled'], 90_000);
    assert(exec.status === 'success', `execution ${exec.status}: ${execError(exec)}`);
    const submits = (await emu.calls()).filter((c) => c.route === 'submit');
    assert(submits.length === 2, `${submits.length} submits`);
    const byPath = Object.fromEntries(submits.map((c) => [c.path, c]));
    const fast = byPath[`/${FAST_I2V}`];
    const text = byPath[`/${STANDARD_T2V}`];
    assert(fast && text, `submit paths: ${submits.map((c) => c.path).join(', ')}`);
    const keys = (/** @type {any} */ c) => Object.keys(c.body).sort().join(',');
    assert(keys(fast) === 'duration,image_url,prompt,prompt_optimizer', `Fast body: ${JSON.stringify(fast.body)}`);
    assert(keys(text) === 'duration,prompt,prompt_optimizer', `text-to-video body: ${JSON.stringify(text.body)}`);
    assert(fast.body.duration === '6' && text.body.duration === '10', `durations ${fast.body.duration}, ${text.body.duration}`);
    assert(fast.status === 200 && text.status === 200, `submit answers ${fast.status}, ${text.status}`);
    const [fastItem] = nodeItems(exec, 'Fast Video');
    const [textItem] = nodeItems(exec, 'Text Video');
    assert(fastItem.json.model === FAST_I2V && textItem.json.model === STANDARD_T2V, `models ${fastItem.json.model}, ${textItem.json.model}`);
    await assertVideoItem(userFolder, fastItem);
    await assertVideoItem(userFolder, textItem);
    process.stdout.write(`      Fast: ${JSON.stringify(fast.body)}\n      text: ${JSON.stringify(text.body)}\n`);
  });
}

/** @param {any} ctx */
function workflows({ origin, credential }) {
  return [
    workflow(WORKFLOW_ID, 'server-mode: Fast and text-to-video', [
      manualTrigger(),
      hailuoNode(
        'Fast Video',
        credential.main,
        generate({ model: FAST_I2V, prompt: 'A fast pan across the frame', imageUrl: frame(origin.main), options: { fileName: 'fast.mp4' } }),
        [220, 0],
      ),
      hailuoNode(
        'Text Video',
        credential.main,
        {
          operation: 'generate',
          model: STANDARD_T2V,
          prompt: 'A paper boat drifts down a rainy street',
          duration: '10',
          promptOptimizer: false,
          // Left over from an image model: a text-to-video model must not be sent it.
          imageSource: 'url',
          imageUrl: frame(origin.main),
          options: { fileName: 'text.mp4' },
        },
        [440, 0],
      ),
    ]),
  ];
}

module.exports = {
  name: 'models',
  about: 'a Fast image-to-video and a text-to-video job, each submit with exactly its model\'s fields',
  workflows,
  run,
};
