// @ts-check
'use strict';

/**
 * webhooks (issue 16): example 04 (Submit → Wait on its resume URL → Get Result → Write File) with the emulator
 * calling the real resume URL; the file written is the emulator's MP4 byte for byte. Again with the emulator's
 * `duplicate` webhook fault: the second delivery is refused by n8n and makes no second Get Result or download. A
 * forged call to the resume URL may wake the Wait node, but Get Result still reads the video from fal.
 */

const fs = require('node:fs');
const path = require('node:path');
const n8n = require('../../../scripts/lib/n8n');
const { assert, check } = require('../../../scripts/lib/checks');
const { nodeItems, execError, assertVideoItem, sleep, until, seconds } = require('./helpers');

const EXAMPLE_4 = 'hailuoExample004';

/** @typedef {import('./clients').Rest} Rest */
/** @typedef {ReturnType<typeof import('./clients').emuApi>} EmuApi */

/** @param {{ rest: Rest, emu: EmuApi, userFolder: string, port: number }} o */
async function webhookChecks({ rest, emu, userFolder, port }) {
  const written = path.join(userFolder, n8n.FILES_DIR_NAME, 'hailuo', 'hailuo-example-4.mp4');
  const cdnDownloads = async () => (await emu.calls()).filter((c) => c.route === 'cdn' && !c.runner).length;

  /** Runs example 4 to its end. */
  const runExample4 = async () => {
    fs.rmSync(written, { force: true });
    const executionId = await rest.run(EXAMPLE_4);
    let sawWaiting = false;
    const deadline = Date.now() + 90_000;
    let exec;
    while (Date.now() < deadline) {
      exec = await rest.call('GET', `/rest/executions/${executionId}`);
      if (exec.status === 'waiting') sawWaiting = true;
      if (['success', 'error', 'crashed', 'canceled'].includes(exec.status)) break;
      await sleep(100);
    }
    return { executionId, sawWaiting, exec: await rest.execution(executionId) };
  };

  const first = await check('example 04: Submit → Wait → the emulator calls the real resume URL → Get Result → Write File', async () => {
    await emu.reset();
    const t0 = Date.now();
    const { executionId, sawWaiting, exec } = await runExample4();
    assert(exec.status === 'success', `execution ${exec.status}: ${execError(exec)}`);
    assert(sawWaiting, 'the execution was never seen waiting');
    const [submitted] = nodeItems(exec, 'Submit Video');
    assert(submitted.json.status === 'IN_QUEUE' && !submitted.binary, `Submit output: ${JSON.stringify(submitted.json)}`);
    const resumeUrl = `http://127.0.0.1:${port}/webhook-waiting/${executionId}`;
    assert(String(submitted.json.webhookUrl).startsWith(resumeUrl), `webhookUrl ${submitted.json.webhookUrl}, expected ${resumeUrl}…`);
    const hooks = await emu.webhooks();
    const ok = hooks.filter((h) => h.status >= 200 && h.status < 300);
    assert(ok.length === 1 && ok[0].url === submitted.json.webhookUrl, `webhook deliveries: ${JSON.stringify(hooks)}`);
    const results = nodeItems(exec, 'Get Result');
    assert(results.length === 1 && results[0].json.requestId === submitted.json.requestId, `Get Result: ${JSON.stringify(results.map((r) => r.json))}`);
    const held = await assertVideoItem(userFolder, results[0]);
    const file = fs.readFileSync(written);
    assert(file.equals(held), `${written} (${file.length} bytes) is not the emulator's MP4 (${held.length} bytes)`);
    process.stdout.write(`      ${seconds(Date.now() - t0)}; webhook attempts ${hooks.map((h) => h.status ?? h.error).join(', ')}\n`);
  });

  await check('example 04 with the webhook delivered twice: one resume, one Get Result, one download', async () => {
    assert(first, 'example 04 did not run');
    await emu.reset();
    await emu.fault({ route: 'webhook', duplicate: true });
    const before = await executionRowsCount(rest);
    const { exec } = await runExample4();
    assert(exec.status === 'success', `execution ${exec.status}: ${execError(exec)}`);
    // The second delivery follows the first one's answer.
    let hooks = await emu.webhooks();
    await until(async () => (hooks = await emu.webhooks()).some((h) => h.delivery === 2 && (h.status !== undefined || h.error)), 15_000, 'the second delivery');
    await sleep(1500); // anything it could have started would show by now
    hooks = await emu.webhooks();
    const second = hooks.filter((h) => h.delivery === 2);
    assert(second.every((h) => !(h.status >= 200 && h.status < 300)), `n8n accepted the second delivery: ${JSON.stringify(second)}`);
    const final = await rest.execution(exec.id);
    const runs = final.data.resultData.runData['Get Result'];
    assert(runs.length === 1 && runs[0].data.main[0].length === 1, `Get Result ran ${runs.length} times`);
    const downloads = await cdnDownloads();
    assert(downloads === 1, `${downloads} CDN downloads`);
    const stats = await emu.stats();
    assert(stats.accepted === 1, `${stats.accepted} jobs accepted`);
    assert((await executionRowsCount(rest)) === before + 1, 'the second delivery started another execution');
    process.stdout.write(`      second delivery answered ${second.map((h) => h.status ?? h.error).join(', ')}\n`);
  });
}

/**
 * A forged call to the resume URL: it can wake the execution (whoever knows the URL can), but Get Result reads the
 * job from fal by request id, so the forged body's video never reaches the workflow. n8n 2.x signs the resume URL:
 * without its `signature` the call is refused.
 * @param {{ rest: Rest, emu: EmuApi, userFolder: string, major: number }} o
 */
async function forgedWebhookCheck({ rest, emu, userFolder, major }) {
  await check('example 04 woken by a forged POST to its resume URL: Get Result still takes the video from fal, by request id', async () => {
    await emu.reset();
    await emu.fault({ route: 'webhook', delayMs: 6000 }); // fal's own call comes late
    const executionId = await rest.run(EXAMPLE_4);
    let submitted;
    await until(
      async () => {
        const e = await rest.call('GET', `/rest/executions/${executionId}`);
        if (e.status !== 'waiting') return false;
        submitted = nodeItems(await rest.execution(executionId), 'Submit Video')[0].json;
        const job = (await emu.jobs()).find((j) => j.requestId === submitted.requestId || j.id === submitted.requestId);
        return job?.status === 'COMPLETED';
      },
      30_000,
      'example 04 waiting, its job completed',
    );
    const forged = {
      request_id: '00000000-0000-4000-8000-000000000000',
      status: 'OK',
      payload: { video: { url: 'http://127.0.0.1:9/forged.mp4', content_type: 'video/mp4', file_size: 1 } },
    };
    const post = async (/** @type {string} */ url) =>
      (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(forged) })).status;
    const resumeUrl = new URL(submitted.webhookUrl);
    if (major >= 2) {
      const unsigned = new URL(resumeUrl);
      unsigned.search = '';
      const status = await post(unsigned.href);
      assert(status === 401, `a resume call without the signature answered HTTP ${status}`);
      assert((await rest.call('GET', `/rest/executions/${executionId}`)).status === 'waiting', 'the unsigned call resumed the execution');
    }
    const status = await post(resumeUrl.href);
    assert(status === 200, `the forged call answered HTTP ${status}`);
    const exec = await rest.waitFor(executionId, ['success', 'error', 'crashed', 'canceled'], 60_000);
    assert(exec.status === 'success', `execution ${exec.status}: ${execError(exec)}`);
    const [woken] = nodeItems(exec, 'Wait for fal');
    assert(woken.json.body?.request_id === forged.request_id, `the Wait node was not woken by the forged call: ${JSON.stringify(woken.json.body)}`);
    const [result] = nodeItems(exec, 'Get Result');
    assert(result.json.requestId === submitted.requestId, `Get Result read ${result.json.requestId}, Submit made ${submitted.requestId}`);
    assert(!String(result.json.videoUrl).includes('forged'), `Get Result took the forged video URL ${result.json.videoUrl}`);
    await assertVideoItem(userFolder, result);
    let hooks = await emu.webhooks();
    await until(async () => (hooks = await emu.webhooks()).some((h) => h.status !== undefined || h.error), 15_000, "fal's late delivery");
    assert(hooks.every((h) => !(h.status >= 200 && h.status < 300)), `n8n accepted fal's late delivery as well: ${JSON.stringify(hooks)}`);
    process.stdout.write(`      ${major >= 2 ? 'unsigned call 401; ' : ''}forged call resumed it, Get Result read ${result.json.requestId.slice(0, 8)}… from fal; fal's late call answered ${hooks.map((h) => h.status ?? h.error).join(', ')}\n`);
  });
}

/** How many executions n8n lists for example 04. @param {Rest} rest */
async function executionRowsCount(rest) {
  const filter = encodeURIComponent(JSON.stringify({ workflowId: EXAMPLE_4 }));
  const list = await rest.call('GET', `/rest/executions?filter=${filter}&limit=100`);
  return (list.results || list).length;
}


/** @param {any} ctx */
async function run({ rest, emu: { main }, userFolder, port, major }) {
  await webhookChecks({ rest, emu: main, userFolder, port });
  await forgedWebhookCheck({ rest, emu: main, userFolder, major });
}

module.exports = {
  name: 'webhooks',
  about: "example 04 resumed by fal's webhook; a second delivery and a forged call change nothing",
  /** @param {any} ctx */
  workflows: (ctx) => [ctx.example(EXAMPLE_4)],
  run,
};
