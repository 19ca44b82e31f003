// @ts-check
'use strict';

/**
 * h3 (issue 30): MiniMax's H3 Max and H3 Max Turbo, as users run them in n8n, against an emulator whose H3 schema is
 * written apart from the node's model table:
 * - an H3 Max image-to-video job with a last frame at 768P for 8 s; an H3 Max Turbo text-to-video job at 480P, 9:16,
 *   5 s (USD 0.125); an H3 Max reference-to-video job with two references, one by URL and one from a binary field
 *   (n8n's HTTP Request downloads it); a Hailuo 02 text-to-video job: each submit exactly as fal takes it, billed what
 *   the output says, the video's durationSeconds/width/height/hasAudio right with sound (H3) and without (Hailuo);
 * - every new field by expression, per item (the model too);
 * - bad inputs (a duration of 16 s, 4 s, 8.5 s, 512P, an unknown prompt expansion or aspect ratio, a prompt over
 *   50,000 characters, 0 or 10 references, a reference too small) refused with 0 uploads and 0 submits, one by one
 *   (On Error → Continue) and as a batch that fails before its good items are sent;
 * - Submit, then in a workflow saved afterwards with the request ids pasted in: Get Status, Get Result (Wait for the
 *   Video) and Cancel on H3 jobs; the Hailuo Trigger (published over REST, as the editor does) delivering an H3 video;
 * - workflows saved with the parameters of earlier versions of the node (the first version's, without a Model;
 *   Hailuo 02 with a last frame and as a 512p draft, before H3 existed) run unchanged.
 */

const { assert, check } = require('../../../scripts/lib/checks');
const { workflow, manualTrigger, hailuoNode, frame, codeNode, httpFile } = require('./workflows');
const { nodeItems, execError, assertVideoItem, download, until } = require('./helpers');
const fs = require('node:fs');
const path = require('node:path');

const IDS = {
  jobs: 'hailuoSrvH3Jobs1',
  expr: 'hailuoSrvH3Expr1',
  refused: 'hailuoSrvH3Bad01',
  refusedBatch: 'hailuoSrvH3Bad02',
  submit: 'hailuoSrvH3Sub01',
  trigger: 'hailuoSrvH3Trig1',
  old: 'hailuoSrvH3Old01',
};
const HOOK = '6b0e7c2a-1f3d-4e59-9a8b-000000000030';
const CREDENTIAL = { id: 'hailuoH3Emu00001', name: 'Hailuo (H3 fal emulator)' };

const MAX_I2V = 'minimax/h3-max/image-to-video';
const MAX_T2V = 'minimax/h3-max/text-to-video';
const MAX_REF = 'minimax/h3-max/reference-to-video';
const TURBO_T2V = 'minimax/h3-max-turbo/text-to-video';
const STANDARD_I2V = 'fal-ai/minimax/hailuo-2.3/standard/image-to-video';
const FAST_I2V = 'fal-ai/minimax/hailuo-2.3-fast/standard/image-to-video';
const HAILUO_02 = 'fal-ai/minimax/hailuo-02/standard/image-to-video';
const HAILUO_02_T2V = 'fal-ai/minimax/hailuo-02/standard/text-to-video';
const PROMPT = 'A lighthouse keeper climbs the stairs at dusk';
const FRAME_PNG = fs.readFileSync(path.join(__dirname, '..', '..', 'emulator', 'fixtures', 'frame.png'));
/** What the emulator's videos are (test/emulator/fixtures/README.md): H3's with a stereo track, Hailuo's silent. */
const WITH_SOUND = '[3,848,480,true]';
const SILENT = '[3,432,768,false]';
const END = ['success', 'error', 'crashed', 'canceled'];

const facts = (/** @type {any} */ j) => JSON.stringify([j.durationSeconds, j.width, j.height, j.hasAudio]);
const sortedKeys = (/** @type {object} */ o) => Object.keys(o).sort().join(',');

/** Every generated item: billed on fal exactly what its costUsd says, the video byte for byte, its facts. */
async function assertGenerated(/** @type {any} */ ctx, /** @type {any[]} */ jobs, /** @type {any} */ item, /** @type {string} */ expectedFacts) {
  const job = jobs.find((j) => j.requestId === item.json.requestId);
  assert(job && job.billed && job.costUsd === item.json.costUsd, `costUsd ${item.json.costUsd}, fal billed ${job?.costUsd} (${job?.status})`);
  assert(facts(item.json) === expectedFacts, `${item.json.model}: durationSeconds, width, height, hasAudio ${facts(item.json)}, expected ${expectedFacts}`);
  await assertVideoItem(ctx.userFolder, item);
}

/** Runs a workflow to its end. @param {any} ctx @param {string} id */
const runToEnd = async (ctx, id, timeoutMs = 90_000) => await ctx.rest.waitFor(await ctx.rest.run(id), END, timeoutMs);

/** @param {any} ctx */
async function run(ctx) {
  const emu = ctx.emu.h3;
  const o = ctx.origin.h3;
  const submits = async () => (await emu.calls()).filter((/** @type {any} */ c) => c.route === 'submit');

  await check('H3 Max image to video with a last frame (768P, 8 s), H3 Max Turbo text to video (480P, 9:16, 5 s: USD 0.125), H3 Max with a URL and a binary reference, Hailuo 02 text to video: sent as fal takes them, billed as said, with and without sound', async () => {
    await emu.reset();
    const exec = await runToEnd(ctx, IDS.jobs);
    assert(exec.status === 'success', `execution ${exec.status}: ${execError(exec)}`);
    const sent = await submits();
    assert(sent.length === 4 && sent.every((c) => c.status === 200), `submits: ${sent.map((c) => `${c.path} ${c.status}`).join(', ')}`);
    const [last, turbo, refs, h02] = sent;
    assert(sent.map((c) => c.path).join() === [MAX_I2V, TURBO_T2V, MAX_REF, HAILUO_02_T2V].map((e) => `/${e}`).join(), `paths ${sent.map((c) => c.path).join(', ')}`);
    const expectLast = { prompt: PROMPT, image_url: frame(o), end_image_url: `${o}/_samples/png/640x480.png`, duration: 8, resolution: '768P', prompt_expansion_mode: 'balanced' };
    assert(sameBody(last.body, expectLast), `H3 Max with a last frame: ${JSON.stringify(last.body)}`);
    assert(sameBody(turbo.body, { prompt: PROMPT, duration: 5, resolution: '480P', aspect_ratio: '9:16', prompt_expansion_mode: 'disabled' }), `Turbo: ${JSON.stringify(turbo.body)}`);
    assert(sortedKeys(refs.body) === 'duration,prompt,prompt_expansion_mode,reference_image_urls,resolution', `references: ${JSON.stringify(refs.body)}`);
    const [byUrl, uploaded] = refs.body.reference_image_urls;
    assert(refs.body.reference_image_urls.length === 2 && byUrl === frame(o), `reference_image_urls ${JSON.stringify(refs.body.reference_image_urls)}`);
    assert((await download(uploaded)).equals(FRAME_PNG), `the binary reference uploaded to fal storage (${uploaded}) is not frame.png`);
    assert(sameBody(h02.body, { prompt: 'Rain on a tin roof', duration: '6', prompt_optimizer: true }), `Hailuo 02 text to video: ${JSON.stringify(h02.body)}`);

    const jobs = await emu.jobs();
    const [iLast, iTurbo, iRefs, i02] = ['H3 Max Last Frame', 'H3 Turbo Text', 'H3 Max References', 'Hailuo 02 Text'].map((n) => nodeItems(exec, n)[0]);
    assert(iLast.json.model === MAX_I2V && iLast.json.duration === 8 && iLast.json.resolution === '768P' && iLast.json.costUsd === 0.64, `H3 Max item ${JSON.stringify(iLast.json)}`);
    assert(iLast.json.lastFrameSource === 'url' && iLast.json.promptExpansion === 'balanced' && !('promptOptimizer' in iLast.json), `H3 Max item ${JSON.stringify(iLast.json)}`);
    assert(iTurbo.json.costUsd === 0.125 && iTurbo.json.aspectRatio === '9:16' && iTurbo.json.priceSource === 'list price', `Turbo item ${JSON.stringify(iTurbo.json)}`);
    assert(JSON.stringify(iRefs.json.referenceImageSources) === '["url","binary"]' && iRefs.json.referenceImageUrls[1] === uploaded, `references item ${JSON.stringify(iRefs.json)}`);
    assert(i02.json.model === HAILUO_02_T2V && i02.json.resolution === '768P' && i02.json.duration === 6 && i02.json.costUsd === 0.27, `Hailuo 02 item ${JSON.stringify(i02.json)}`);
    for (const item of [iLast, iTurbo, iRefs]) await assertGenerated(ctx, jobs, item, WITH_SOUND);
    await assertGenerated(ctx, jobs, i02, SILENT);
    // each H3 job was read under its own queue app (owner minimax), never under fal-ai/minimax
    const results = (await emu.calls()).filter((c) => c.route === 'result' && !c.runner).map((c) => `${c.path} ${c.status}`);
    const apps = ['/minimax/h3-max', '/minimax/h3-max-turbo', '/minimax/h3-max', '/fal-ai/minimax'];
    const ids = [iLast, iTurbo, iRefs, i02].map((i) => i.json.requestId);
    assert(results.join() === ids.map((id, i) => `${apps[i]}/requests/${id} 200`).join(), `result reads: ${results.join(', ')}`);
    process.stdout.write(`      H3 Max with a last frame: ${JSON.stringify(last.body)}\n      facts with sound ${facts(iLast.json)}, without ${facts(i02.json)}\n`);
  });

  await check('every H3 field by expression, per item (the model too): duration, resolution, aspect ratio, prompt expansion, first and last frame, reference image', async () => {
    await emu.reset();
    const exec = await runToEnd(ctx, IDS.expr);
    assert(exec.status === 'success', `execution ${exec.status}: ${execError(exec)}`);
    const sent = await submits();
    assert(sent.length === 6, `${sent.length} submits`);
    const line = (/** @type {any} */ c) => [c.path.slice(1), c.body.duration, c.body.resolution, c.body.aspect_ratio ?? '-', c.body.prompt_expansion_mode].join(' ');
    const lines = sent.map(line).sort();
    const want = [
      `${TURBO_T2V} 6 1080P 1:1 quality`,
      `${MAX_T2V} 12 480P 16:9 balanced`,
      `${MAX_I2V} 6 1080P - quality`,
      `${MAX_I2V} 12 480P - balanced`,
      `${MAX_REF} 6 1080P - quality`,
      `${MAX_REF} 12 480P - balanced`,
    ].sort();
    assert(lines.join('\n') === want.join('\n'), `submits:\n${lines.join('\n')}`);
    const frames = sent.filter((c) => c.path === `/${MAX_I2V}`).map((c) => `${c.body.image_url} → ${c.body.end_image_url}`).sort();
    assert(frames.join() === [`${o}/_samples/jpeg/800x600.jpg → ${o}/_samples/png/640x480.png`, `${frame(o)} → ${o}/_samples/webp/768x1344.webp`].sort().join(), `frames: ${frames.join(', ')}`);
    const refs = sent.filter((c) => c.path === `/${MAX_REF}`).map((c) => JSON.stringify(c.body.reference_image_urls)).sort();
    assert(refs.join() === [[`${o}/_samples/jpeg/800x600.jpg`], [frame(o)]].map((r) => JSON.stringify(r)).sort().join(), `references: ${refs.join(', ')}`);
    const costs = ['Settings by Expression', 'Frames by Expression', 'References by Expression'].map((n) => nodeItems(exec, n).map((i) => i.json.costUsd).join('/'));
    // 6 × 0.08 (Turbo 1080P), 12 × 0.05 (Max 480P); 6 × 0.16, 12 × 0.05 (Max)
    assert(costs.join(' ') === '0.48/0.6 0.96/0.6 0.96/0.6', `costUsd ${costs.join(' ')}`);
    const jobs = await emu.jobs();
    for (const n of ['Settings by Expression', 'Frames by Expression', 'References by Expression']) {
      for (const item of nodeItems(exec, n)) await assertGenerated(ctx, jobs, item, WITH_SOUND);
    }
  });

  await check('bad inputs refused with 0 uploads and 0 submits: each alone (On Error → Continue), and a batch failing before its good items are sent', async () => {
    await emu.reset();
    const exec = await runToEnd(ctx, IDS.refused);
    assert(exec.status === 'success', `execution ${exec.status}: ${execError(exec)}`);
    const errors = (/** @type {string} */ n) => nodeItems(exec, n).map((i) => String(i.json.error));
    const expected = [
      'Duration (Seconds): must be a whole number from 5 to 15 seconds, not "16" (item 0)',
      'Duration (Seconds): must be a whole number from 5 to 15 seconds, not "4" (item 1)',
      'Duration (Seconds): must be a whole number from 5 to 15 seconds, not "8.5" (item 2)',
      'Resolution: must be 480p, 768p or 1080p, not "512P" (item 3)',
      'Prompt Expansion: must be disabled, balanced or quality, not "fast" (item 4)',
      'Aspect Ratio: must be 16:9, 9:16 or 1:1, not "4:3" (item 5)',
      'Prompt: is 50001 characters long; the model takes at most 50000 (item 6)',
    ];
    const settings = errors('H3 Refused');
    assert(JSON.stringify(settings) === JSON.stringify(expected), `errors:\n${settings.join('\n')}`);
    const references = ['No Reference', 'Ten References', 'Small Reference'].map((n) => errors(n).join(' | '));
    const expectedRefs = [
      'Reference Images: has 0 images; the model takes 1 to 9 (item 0)',
      'Reference Images: has 10 images; the model takes 1 to 9 (item 0)',
      'Reference Image 2 URL: is 100×100 px; its short side must be over 300 px (item 0)',
    ];
    assert(JSON.stringify(references) === JSON.stringify(expectedRefs), `reference errors:\n${references.join('\n')}`);
    const batch = await runToEnd(ctx, IDS.refusedBatch);
    const message = execError(batch);
    assert(batch.status === 'error' && message === 'Duration (Seconds): must be a whole number from 5 to 15 seconds, not "16" (item 2)', `batch: ${batch.status} ${message}`);
    const description = String(batch.data.resultData.error.description ?? '');
    assert(/Nothing was sent to fal for this item\.$/.test(description), `description: ${description}`);
    const paid = (await emu.calls()).filter((c) => ['submit', 'initiate', 'upload'].includes(c.route));
    assert(paid.length === 0, `${paid.length} submit or upload calls: ${paid.map((c) => c.route).join(', ')}`);
    process.stdout.write(`      "${expected[0]}"\n      "${expectedRefs[1]}"\n`);
  });

  await check('Submit, then a workflow saved with the request ids: Get Status, Get Result (Wait for the Video) and Cancel on H3 jobs; the Hailuo Trigger delivers the H3 video', async () => {
    await emu.reset();
    const triggerRuns = async () => await executions(ctx.rest, IDS.trigger);
    const before = (await triggerRuns()).length;
    const submitted = await runToEnd(ctx, IDS.submit);
    assert(submitted.status === 'success', `submit ${submitted.status}: ${execError(submitted)}`);
    const [{ json: delivered }] = nodeItems(submitted, 'Submit H3');
    const [{ json: long }] = nodeItems(submitted, 'Submit Long H3');
    assert(delivered.status === 'IN_QUEUE' && long.status === 'IN_QUEUE', `submit outputs ${JSON.stringify([delivered, long])}`);

    // the trigger: fal delivered the job once, n8n answered 200 and ran one execution with the video read from H3's app
    const answered = async () => (await emu.webhooks()).filter((h) => h.requestId === delivered.requestId && h.status !== undefined);
    await until(async () => (await answered()).length > 0, 30_000, 'fal\'s delivery of the H3 job');
    const attempts = await answered();
    assert(attempts.length === 1 && attempts[0].status === 200, `deliveries: ${JSON.stringify(attempts)}`);
    await until(async () => (await triggerRuns()).slice(before).some((r) => ['success', 'error', 'crashed'].includes(r.status)), 60_000, 'the trigger\'s execution');
    const rows = (await triggerRuns()).slice(before);
    assert(rows.length === 1, `${rows.length} trigger executions for one delivery`);
    const triggered = await ctx.rest.execution(rows[0].id);
    assert(triggered.status === 'success', `trigger execution ${triggered.status}: ${execError(triggered)}`);
    const [hooked] = nodeItems(triggered, 'Hailuo Trigger');
    assert(hooked.json.requestId === delivered.requestId && hooked.json.status === 'OK', `trigger item ${JSON.stringify(hooked.json)}`);
    assert(facts(hooked.json) === WITH_SOUND, `trigger item facts ${facts(hooked.json)}`);
    await assertVideoItem(ctx.userFolder, hooked);

    // as a user does next: a workflow with the request ids pasted into Get Status, Get Result and Cancel
    const byId = await ctx.rest.call('POST', '/rest/workflows', byIdWorkflow(delivered.requestId, long.requestId));
    const calls = (await emu.calls()).length;
    const exec = await runToEnd(ctx, String(byId.id));
    assert(exec.status === 'success', `by id: ${exec.status} ${execError(exec)}`);
    const [status] = nodeItems(exec, 'Get Status');
    assert(status.json.requestId === delivered.requestId && status.json.status === 'COMPLETED' && status.json.ended === true && status.json.failed === false, `Get Status ${JSON.stringify(status.json)}`);
    const [result] = nodeItems(exec, 'Get Result');
    assert(result.json.requestId === delivered.requestId && facts(result.json) === WITH_SOUND, `Get Result ${JSON.stringify(result.json)}`);
    await assertVideoItem(ctx.userFolder, result);
    const [cancelled] = nodeItems(exec, 'Cancel');
    assert(cancelled.json.cancelled === true && cancelled.json.falAnswer === 'CANCELLATION_REQUESTED', `Cancel ${JSON.stringify(cancelled.json)}`);
    const after = (await emu.calls()).slice(calls).filter((c) => !c.runner && ['status', 'result', 'cancel'].includes(c.route));
    const h3Cancel = after.filter((c) => c.route === 'cancel' && c.status === 202);
    assert(h3Cancel.length === 1 && h3Cancel[0].path === `/minimax/h3-max/requests/${long.requestId}/cancel`, `cancels: ${after.filter((c) => c.route === 'cancel').map((c) => `${c.path} ${c.status}`).join(', ')}`);
    assert(after.some((c) => c.route === 'status' && c.path === `/minimax/h3-max/requests/${delivered.requestId}/status` && c.status === 200), `status reads: ${after.filter((c) => c.route === 'status').map((c) => `${c.path} ${c.status}`).join(', ')}`);
    await until(async () => (await emu.stats()).running === 0, 10_000, 'the cancelled job to stop');
    const job = (await emu.jobs()).find((j) => j.requestId === long.requestId);
    assert(job.cancelRequested && job.errorType === 'client_cancelled' && !job.billed, `the cancelled job: ${JSON.stringify({ status: job.status, errorType: job.errorType, billed: job.billed })}`);
    process.stdout.write(`      by id: ${after.map((c) => `${c.method} ${c.path.replace(/[0-9a-f-]{36}/, '{id}')} ${c.status}`).join(', ')}\n`);
  });

  await check('workflows saved with earlier versions\' parameters (the first version\'s without a Model; Hailuo 02 with a last frame and as a 512p draft; a 2.3 Fast Submit) run unchanged', async () => {
    await emu.reset();
    const exec = await runToEnd(ctx, IDS.old);
    assert(exec.status === 'success', `execution ${exec.status}: ${execError(exec)}`);
    const sent = await submits();
    const want = [
      [STANDARD_I2V, { prompt: 'A saved prompt', image_url: frame(o), duration: '10', prompt_optimizer: false }],
      [HAILUO_02, { prompt: 'A door opens onto a beach', image_url: frame(o), end_image_url: `${o}/_samples/jpeg/800x600.jpg`, duration: '10', prompt_optimizer: false, resolution: '768P' }],
      [HAILUO_02, { prompt: 'A draft', image_url: frame(o), duration: '6', prompt_optimizer: true, resolution: '512P' }],
      [FAST_I2V, { prompt: 'Submitted the old way', image_url: frame(o), duration: '10', prompt_optimizer: true }],
    ];
    assert(sent.length === want.length, `${sent.length} submits`);
    sent.forEach((c, i) => assert(c.path === `/${want[i][0]}` && sameBody(c.body, want[i][1]), `submit ${i}: ${c.path} ${JSON.stringify(c.body)}`));
    const jobs = await emu.jobs();
    const [first] = nodeItems(exec, 'Saved 2.3');
    assert(first.json.model === STANDARD_I2V && first.json.costUsd === 0.56 && first.json.fileName === 'old.mp4' && first.binary?.video, `first version's item: ${JSON.stringify(first.json)}`);
    await assertGenerated(ctx, jobs, { ...first, binary: { data: first.binary.video } }, SILENT);
    for (const n of ['Saved 02 Last Frame', 'Saved 02 Draft']) await assertGenerated(ctx, jobs, nodeItems(exec, n)[0], SILENT);
    const [queued] = nodeItems(exec, 'Saved Fast Submit');
    assert(queued.json.requestId && queued.json.status === 'IN_QUEUE', `Submit: ${JSON.stringify(queued.json)}`);
    await until(async () => (await emu.stats()).running === 0, 10_000, 'the submitted job to end');
  });
}

/** A workflow's executions as n8n's Executions list gives them, oldest first. @param {any} rest @param {string} workflowId */
async function executions(rest, workflowId) {
  const list = await rest.call('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=100`);
  return /** @type {{ id: string, status: string }[]} */ ([...(list.results || list)]).sort((a, b) => Number(a.id) - Number(b.id));
}

/** Whether two bodies have the same fields and values (order aside). @param {any} a @param {any} b */
function sameBody(a, b) {
  return sortedKeys(a) === sortedKeys(b) && Object.keys(b).every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]));
}

/** Get Status and Get Result of one job, Cancel of another: as saved by the editor once the ids are pasted in. */
function byIdWorkflow(/** @type {string} */ done, /** @type {string} */ running) {
  const wf = workflow('', 'server-mode: H3 jobs by request id', [
    manualTrigger(),
    hailuoNode('Get Status', CREDENTIAL, { operation: 'getStatus', requestId: done, options: {} }, [220, 0]),
    hailuoNode('Get Result', CREDENTIAL, { operation: 'getResult', requestId: done, options: { waitForVideo: true } }, [440, 0]),
    hailuoNode('Cancel', CREDENTIAL, { operation: 'cancel', requestId: running }, [660, 0]),
  ]);
  return { name: wf.name, nodes: wf.nodes, connections: wf.connections, settings: wf.settings, active: false };
}

/** @param {any} ctx */
function workflows(ctx) {
  const o = ctx.origin.h3;
  const at = (/** @type {number} */ i) => /** @type {[number, number]} */ ([220 * i, 0]);
  const gen = (/** @type {Record<string, unknown>} */ p) => ({ operation: 'generate', prompt: PROMPT, ...p });
  const node = (/** @type {string} */ name, /** @type {Record<string, unknown>} */ p, /** @type {number} */ i) => hailuoNode(name, CREDENTIAL, p, at(i));
  const continuing = (/** @type {any} */ n) => ({ ...n, onError: 'continueRegularOutput' });
  const v = (/** @type {string} */ key) => `={{ $('Values').item.json.${key} }}`;
  const values = (/** @type {object[]} */ items) => ({ ...codeNode(`return ${JSON.stringify(items)}.map((json) => ({ json }));`), name: 'Values' });
  const url = (/** @type {string} */ u) => ({ source: 'url', url: u });
  const png = `${o}/_samples/png/640x480.png`;
  const jpeg = `${o}/_samples/jpeg/800x600.jpg`;
  const webp = `${o}/_samples/webp/768x1344.webp`;

  const trigger = workflow(IDS.trigger, 'server-mode: Hailuo Trigger for H3 jobs', [
    {
      id: 'node-h3-trigger',
      name: 'Hailuo Trigger',
      type: 'n8n-nodes-hailuo.hailuoTrigger',
      typeVersion: 1,
      position: [0, 0],
      webhookId: HOOK,
      parameters: { options: {} },
      credentials: { hailuoApi: { id: CREDENTIAL.id, name: CREDENTIAL.name } },
    },
  ]);
  return [
    trigger,
    workflow(IDS.jobs, 'server-mode: H3 Max, H3 Max Turbo and Hailuo 02 jobs', [
      manualTrigger(),
      node('H3 Max Last Frame', gen({ model: MAX_I2V, imageSource: 'url', imageUrl: frame(o), lastFrameSource: 'url', lastFrameUrl: png, resolution: '768P', durationSeconds: 8 }), 1),
      node('H3 Turbo Text', gen({ model: TURBO_T2V, resolution: '480P', durationSeconds: 5, aspectRatio: '9:16', promptExpansion: 'disabled' }), 2),
      httpFile('Hero Image', `${o}/_samples/frame.png`, 'hero', at(3)),
      node('H3 Max References', gen({ model: MAX_REF, prompt: 'Image 1 walks into the shop of Image 2', referenceImages: { image: [url(frame(o)), { source: 'binary', binaryPropertyName: 'hero' }] } }), 4),
      node('Hailuo 02 Text', { operation: 'generate', model: HAILUO_02_T2V, prompt: 'Rain on a tin roof' }, 5),
    ]),
    workflow(IDS.expr, 'server-mode: every H3 field by expression', [
      manualTrigger(),
      values([
        { m: TURBO_T2V, d: '6', r: '1080p', a: '1:1', e: 'quality', first: jpeg, last: png, ref: jpeg },
        { m: MAX_T2V, d: 12, r: '480P', a: '16:9', e: 'balanced', first: frame(o), last: webp, ref: frame(o) },
      ]),
      // with the Model by expression n8n shows every field: the (unread) first frame's source is a binary field,
      // whose name has a default, so that no required Image URL stops the run
      node('Settings by Expression', gen({ model: v('m'), imageSource: 'binary', durationSeconds: v('d'), resolution: v('r'), aspectRatio: v('a'), promptExpansion: v('e') }), 2),
      node('Frames by Expression', gen({ model: MAX_I2V, imageSource: 'url', imageUrl: v('first'), lastFrameSource: 'url', lastFrameUrl: v('last'), durationSeconds: v('d'), resolution: v('r'), promptExpansion: v('e') }), 3),
      node('References by Expression', gen({ model: MAX_REF, referenceImages: { image: [url(v('ref'))] }, durationSeconds: v('d'), resolution: v('r'), promptExpansion: v('e') }), 4),
    ]),
    workflow(IDS.refused, 'server-mode: bad H3 inputs, each refused', [
      manualTrigger(),
      {
        ...codeNode(
          `return [{ d: 16 }, { d: 4 }, { d: 8.5 }, { r: '512P' }, { e: 'fast' }, { a: '4:3' }, { p: 'x'.repeat(50001) }].map((json) => ({ json }));`,
        ),
        name: 'Values',
      },
      continuing(
        node(
          'H3 Refused',
          gen({
            model: TURBO_T2V,
            prompt: `={{ $json.p ?? ${JSON.stringify(PROMPT)} }}`,
            durationSeconds: '={{ $json.d ?? 5 }}',
            resolution: '={{ $json.r ?? "480P" }}',
            aspectRatio: '={{ $json.a ?? "16:9" }}',
            promptExpansion: '={{ $json.e ?? "disabled" }}',
          }),
          2,
        ),
      ),
      { ...continuing(node('No Reference', gen({ model: MAX_REF, referenceImages: {} }), 3)), executeOnce: true },
      { ...continuing(node('Ten References', gen({ model: MAX_REF, referenceImages: { image: Array.from({ length: 10 }, () => url(frame(o))) } }), 4)), executeOnce: true },
      { ...continuing(node('Small Reference', gen({ model: MAX_REF, referenceImages: { image: [url(frame(o)), url(`${o}/_samples/png/100x100.png`)] } }), 5)), executeOnce: true },
    ]),
    workflow(IDS.refusedBatch, 'server-mode: a batch with one bad H3 item', [
      manualTrigger(),
      values([{ d: 5 }, { d: 6 }, { d: 16 }]),
      node('H3 Batch', gen({ model: MAX_I2V, imageSource: 'url', imageUrl: frame(o), durationSeconds: '={{ $json.d }}' }), 2),
    ]),
    workflow(IDS.submit, 'server-mode: H3 jobs submitted', [
      manualTrigger(),
      node('Submit H3', { operation: 'submit', model: MAX_I2V, prompt: PROMPT, imageSource: 'url', imageUrl: frame(o), options: { webhookUrl: `http://127.0.0.1:${ctx.port}/webhook/${HOOK}/fal` } }, 1),
      node('Submit Long H3', { operation: 'submit', model: MAX_I2V, prompt: 'A long take [emulator:ms=120000]', imageSource: 'url', imageUrl: frame(o), options: {} }, 2),
    ]),
    // as the editor saved them: only what differs from a field's default, in the parameters of that version
    workflow(IDS.old, 'server-mode: workflows saved by earlier versions', [
      manualTrigger(),
      // the first version: Generate only, Hailuo 2.3 Standard only (no Model field), the video in a named field
      node('Saved 2.3', { prompt: 'A saved prompt', imageUrl: frame(o), duration: '10', promptOptimizer: false, options: { fileName: 'old', binaryPropertyOutput: 'video', download: true } }, 1),
      // Hailuo 02 as a row of its own (before H3): a last frame by URL at 768P (the default, not saved), and a 512p draft
      node('Saved 02 Last Frame', { model: HAILUO_02, prompt: 'A door opens onto a beach', imageUrl: frame(o), lastFrameSource: 'url', lastFrameUrl: jpeg, duration: '10', promptOptimizer: false, options: {} }, 2),
      node('Saved 02 Draft', { model: HAILUO_02, prompt: 'A draft', imageUrl: frame(o), resolution: '512P', options: {} }, 3),
      node('Saved Fast Submit', { operation: 'submit', model: FAST_I2V, prompt: 'Submitted the old way', imageUrl: frame(o), duration: '10', options: {} }, 4),
    ]),
  ];
}

module.exports = {
  name: 'h3',
  about: 'H3 Max / Max Turbo (last frame, 9:16 Turbo at USD 0.125, URL and binary references), Hailuo 02 text to video, every field by expression, bad inputs refused, Get Status/Result/Cancel and the trigger on H3 jobs, the video\'s facts with and without sound, old saved parameters',
  emulators: {
    h3: { args: ['--queue-ms', '100', '--progress-ms', '400'], credential: CREDENTIAL },
  },
  workflows,
  /** The trigger's workflow published as the editor publishes it (2.x: Publish; 1.x: the Active toggle). @param {any} ctx */
  run: async (ctx) => {
    const saved = await ctx.rest.call('GET', `/rest/workflows/${IDS.trigger}`);
    await ctx.rest.call('POST', `/rest/workflows/${IDS.trigger}/activate`, { versionId: saved.versionId });
    await run(ctx);
  },
};
