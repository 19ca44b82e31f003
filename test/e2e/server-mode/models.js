// @ts-check
'use strict';

/**
 * models (issues 17 and 26): each model's submit carries exactly its fields — a Fast image-to-video job, a
 * text-to-video job, and Hailuo 02 with a last frame from an image URL, with a last frame from a binary field (n8n's
 * HTTP Request downloads it; the node uploads it to fal storage) and as a 512p draft of 10 s; last frames fal would
 * refuse (too small, a ratio outside 2:5..5:2, at 512p) are refused before anything is paid; the spending guard adds
 * up per-video and per-second prices of mixed models in one run.
 */

const fs = require('node:fs');
const path = require('node:path');
const { assert, check } = require('../../../scripts/lib/checks');
const { workflow, manualTrigger, hailuoNode, generate, frame, codeNode, httpFile } = require('./workflows');
const { nodeItems, execError, assertVideoItem, download } = require('./helpers');

const WORKFLOW_ID = 'hailuoSrvModels1';
const REFUSED_ID = 'hailuoSrvModels2';
const GUARD_ID = 'hailuoSrvModels3';
const FAST_I2V = 'fal-ai/minimax/hailuo-2.3-fast/standard/image-to-video';
const STANDARD_T2V = 'fal-ai/minimax/hailuo-2.3/standard/text-to-video';
const STANDARD_I2V = 'fal-ai/minimax/hailuo-2.3/standard/image-to-video';
const HAILUO_02 = 'fal-ai/minimax/hailuo-02/standard/image-to-video';
const FRAME_PNG = fs.readFileSync(path.join(__dirname, '..', '..', 'emulator', 'fixtures', 'frame.png'));

const keys = (/** @type {any} */ c) => Object.keys(c.body).sort().join(',');
const FIELDS_02 = 'duration,image_url,prompt,prompt_optimizer,resolution';

/** @param {any} ctx */
async function run({ rest, emu: { main: emu }, userFolder, origin }) {
  await check('each model\'s submit carries exactly its fields: Fast, text to video, and Hailuo 02 with a last frame (URL, binary) and as a 512p draft', async () => {
    await emu.reset();
    const exec = await rest.waitFor(await rest.run(WORKFLOW_ID), ['success', 'error', 'crashed', 'canceled'], 120_000);
    assert(exec.status === 'success', `execution ${exec.status}: ${execError(exec)}`);
    const submits = (await emu.calls()).filter((c) => c.route === 'submit');
    assert(submits.length === 5, `${submits.length} submits`);
    const [fast, text, lastUrl, lastBinary, draft] = submits;
    assert(fast.path === `/${FAST_I2V}` && text.path === `/${STANDARD_T2V}`, `submit paths: ${submits.map((c) => c.path).join(', ')}`);
    assert(submits.slice(2).every((c) => c.path === `/${HAILUO_02}`), `submit paths: ${submits.map((c) => c.path).join(', ')}`);
    assert(keys(fast) === 'duration,image_url,prompt,prompt_optimizer', `Fast body: ${JSON.stringify(fast.body)}`);
    assert(keys(text) === 'duration,prompt,prompt_optimizer', `text-to-video body: ${JSON.stringify(text.body)}`);
    assert(fast.body.duration === '6' && text.body.duration === '10', `durations ${fast.body.duration}, ${text.body.duration}`);
    for (const c of [lastUrl, lastBinary]) assert(keys(c) === `${FIELDS_02},end_image_url`.split(',').sort().join(','), `02 body: ${JSON.stringify(c.body)}`);
    assert(keys(draft) === FIELDS_02, `02 draft body: ${JSON.stringify(draft.body)}`);
    assert(lastUrl.body.end_image_url === `${origin.main}/_samples/jpeg/800x600.jpg`, `end_image_url ${lastUrl.body.end_image_url}`);
    assert(lastUrl.body.resolution === '768P' && lastUrl.body.duration === '10', `02 with a last frame: ${JSON.stringify(lastUrl.body)}`);
    assert(draft.body.resolution === '512P' && draft.body.duration === '10', `02 draft: ${JSON.stringify(draft.body)}`);
    // the binary last frame went to fal storage, byte for byte, and its URL is what was sent
    const uploaded = await download(lastBinary.body.end_image_url);
    assert(uploaded.equals(FRAME_PNG), `the uploaded last frame (${lastBinary.body.end_image_url}) is not frame.png`);
    assert(lastBinary.body.image_url === frame(origin.main), `first frame ${lastBinary.body.image_url}`);
    assert(submits.every((c) => c.status === 200), `submit answers ${submits.map((c) => c.status).join(', ')}`);
    const items = ['Fast Video', 'Text Video', '02 Last Frame URL', '02 Last Frame Binary', '02 Draft'].map((n) => nodeItems(exec, n)[0]);
    const models = items.map((item) => item.json.model);
    assert(models.join() === [FAST_I2V, STANDARD_T2V, HAILUO_02, HAILUO_02, HAILUO_02].join(), `models ${models.join(', ')}`);
    const costs = items.map((item) => item.json.costUsd);
    assert(costs.join() === '0.19,0.56,0.45,0.27,0.17', `costUsd ${costs.join(', ')}`);
    const last = items.slice(2).map((item) => `${item.json.lastFrameSource}:${item.json.resolution}`);
    assert(last.join() === 'url:768P,binary:768P,null:512P', `last frame and resolution in the outputs: ${last.join(', ')}`);
    assert(items[3].json.lastFrameUrl === lastBinary.body.end_image_url, `lastFrameUrl ${items[3].json.lastFrameUrl}`);
    for (const item of items) await assertVideoItem(userFolder, item);
    process.stdout.write(`      02 with a last frame: ${JSON.stringify(lastBinary.body)}\n      02 draft: ${JSON.stringify(draft.body)}\n`);
  });

  await check('last frames fal would refuse (100x100, 2100x320, at 512p; 100x100 in a binary field) are refused with 0 uploads and 0 submits', async () => {
    await emu.reset();
    const exec = await rest.waitFor(await rest.run(REFUSED_ID), ['success', 'error', 'crashed', 'canceled'], 60_000);
    assert(exec.status === 'success', `execution ${exec.status}: ${execError(exec)}`);
    const byUrl = nodeItems(exec, '02 Refused URL').map((item) => String(item.json.error));
    const expected = [
      /^Last Frame URL: is 100×100 px; its short side must be over 300 px \(item 0\)$/,
      /^Last Frame URL: is 2100×320 px \(ratio 6\.6:1\); the model takes ratios between 2:5 and 5:2 \(item 1\)$/,
      /^Last Frame: the model makes videos with a last frame at 768p only, not at 512p \(item 2\)$/,
    ];
    assert(byUrl.length === 3 && expected.every((re, i) => re.test(byUrl[i])), `errors: ${JSON.stringify(byUrl)}`);
    const byBinary = nodeItems(exec, '02 Refused Binary').map((item) => String(item.json.error));
    assert(byBinary.length === 1 && /^Last Frame Binary Field "last": is 100×100 px/.test(byBinary[0]), `errors: ${JSON.stringify(byBinary)}`);
    const calls = await emu.calls();
    const paid = calls.filter((c) => ['submit', 'initiate', 'upload'].includes(c.route));
    assert(paid.length === 0, `${paid.length} submit or upload calls: ${paid.map((c) => c.route).join(', ')}`);
    process.stdout.write(`      "${byUrl[1]}"\n      "${byUrl[2]}"\n      "${byBinary[0]}"\n`);
  });

  await check('the spending guard adds up mixed models in one run: 0.28 + 10 × 0.045 + 6 × 0.017 = USD 0.832 > 0.80, nothing submitted', async () => {
    await emu.reset();
    const exec = await rest.waitFor(await rest.run(GUARD_ID), ['success', 'error', 'crashed', 'canceled'], 60_000);
    assert(exec.status === 'error', `execution ${exec.status}`);
    const message = execError(exec);
    assert(message === '3 videos would cost USD 0.832, over the limit of USD 0.80', `error: ${message}`);
    const submits = (await emu.calls()).filter((c) => c.route === 'submit');
    assert(submits.length === 0, `${submits.length} submits`);
    process.stdout.write(`      "${message}"\n`);
  });
}

/** @param {any} ctx */
function workflows({ origin, credential }) {
  const o = origin.main;
  const main = credential.main;
  const at = (/** @type {number} */ i) => /** @type {[number, number]} */ ([220 * i, 0]);
  const hailuo02 = (/** @type {Record<string, unknown>} */ p) => generate({ model: HAILUO_02, prompt: 'A door opens onto a beach', imageUrl: frame(o), ...p });
  return [
    workflow(WORKFLOW_ID, 'server-mode: every model\'s fields', [
      manualTrigger(),
      hailuoNode('Fast Video', main, generate({ model: FAST_I2V, prompt: 'A fast pan across the frame', imageUrl: frame(o), options: { fileName: 'fast.mp4' } }), at(1)),
      hailuoNode(
        'Text Video',
        main,
        {
          operation: 'generate',
          model: STANDARD_T2V,
          prompt: 'A paper boat drifts down a rainy street',
          duration: '10',
          promptOptimizer: false,
          // Left over from an image model: a text-to-video model must not be sent it.
          imageSource: 'url',
          imageUrl: frame(o),
          options: { fileName: 'text.mp4' },
        },
        at(2),
      ),
      hailuoNode('02 Last Frame URL', main, hailuo02({ duration: '10', lastFrameSource: 'url', lastFrameUrl: `${o}/_samples/jpeg/800x600.jpg` }), at(3)),
      httpFile('Last Frame File', `${o}/_samples/frame.png`, 'last', at(4)),
      hailuoNode('02 Last Frame Binary', main, hailuo02({ lastFrameSource: 'binary', lastFrameBinaryPropertyName: 'last' }), at(5)),
      hailuoNode('02 Draft', main, hailuo02({ resolution: '512P', duration: '10' }), at(6)),
    ]),
    workflow(REFUSED_ID, 'server-mode: last frames refused before anything is paid', [
      manualTrigger(),
      codeNode(
        `return ${JSON.stringify([
          { lastFrameUrl: `${o}/_samples/png/100x100.png`, resolution: '768P' },
          { lastFrameUrl: `${o}/_samples/png/2100x320.png`, resolution: '768P' },
          { lastFrameUrl: `${o}/_samples/png/640x480.png`, resolution: '512P' },
        ])}.map((json) => ({ json }));`,
      ),
      {
        ...hailuoNode('02 Refused URL', main, hailuo02({ lastFrameSource: 'url', lastFrameUrl: '={{ $json.lastFrameUrl }}', resolution: '={{ $json.resolution }}' }), at(2)),
        onError: 'continueRegularOutput',
      },
      httpFile('Small Last Frame', `${o}/_samples/png/100x100.png`, 'last', at(3)),
      {
        ...hailuoNode('02 Refused Binary', main, hailuo02({ lastFrameSource: 'binary', lastFrameBinaryPropertyName: 'last' }), at(4)),
        onError: 'continueRegularOutput',
      },
    ]),
    workflow(GUARD_ID, 'server-mode: spending guard over mixed models', [
      manualTrigger(),
      codeNode(
        `return ${JSON.stringify([
          { model: STANDARD_I2V, duration: '6', resolution: '768P' },
          { model: HAILUO_02, duration: '10', resolution: '768P' },
          { model: HAILUO_02, duration: '6', resolution: '512P' },
        ])}.map((json) => ({ json }));`,
      ),
      hailuoNode(
        'Mixed Videos',
        main,
        generate({
          model: '={{ $json.model }}',
          duration: '={{ $json.duration }}',
          resolution: '={{ $json.resolution }}',
          prompt: 'A mixed batch',
          imageUrl: frame(o),
          options: { maxSpendUsd: 0.8 },
        }),
        at(2),
      ),
    ]),
  ];
}

module.exports = {
  name: 'models',
  about: 'every model\'s submit with exactly its fields (Hailuo 02: last frame by URL and binary, 512p), refused last frames, the spending guard over mixed models',
  workflows,
  run,
};
