// @ts-check
'use strict';

/**
 * async: Submit (fal_webhook = the Wait node's resume URL) → Wait (On Webhook Call) → Get Result: the emulator's
 * webhook resumes each execution through the main, on whichever worker takes the job; every execution succeeds,
 * with the emulator's video, after exactly one delivery, having run twice on the workers.
 */

const qm = require('../../scripts/lib/queue-mode');
const { assert, check } = require('../../scripts/lib/checks');
const wf = require('./workflows');
const { ASYNC_EXECUTIONS, VIDEO_BYTES } = require('./settings');
const { sleep, show, FINAL } = require('./helpers');

/**
 * Submit → Wait (On Webhook Call) → Get Result in queue mode: fal's webhook (the emulator's) calls the Wait node's
 * resume URL on the main, which queues the rest of the execution for whichever worker takes it.
 * @param {{ base: string, rest: InstanceType<typeof qm.N8nRest>, emu: (p: string, init?: RequestInit) => Promise<any>,
 *   emulator: { origin: string }, workers: { name: string, log: string }[], mainLog: string }} o
 */
async function runAsync({ base, rest, emu, emulator, workers }) {
  await emu('/_emulator/reset', { method: 'POST' });
  const before = new Set((await rest.executions(wf.ASYNC_ID)).map((e) => String(e.id)));
  const prompts = Array.from({ length: ASYNC_EXECUTIONS }, (_, i) => `async ${i + 1}: the camera rises over the roofs`);
  const t0 = Date.now();
  const answers = await Promise.all(
    prompts.map(async (prompt) => {
      const res = await fetch(`${base}/webhook/${wf.ASYNC_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt }),
        signal: AbortSignal.timeout(60_000),
      });
      return { status: res.status, text: await res.text() };
    }),
  );
  /** @type {any[]} */
  let finished = [];
  /** @type {any[]} */
  let mine = [];
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    mine = (await rest.executions(wf.ASYNC_ID)).filter((e) => !before.has(String(e.id)));
    finished = mine.filter((e) => FINAL.includes(e.status));
    if (mine.length >= ASYNC_EXECUTIONS && finished.length === mine.length) break;
    await sleep(500);
  }
  const wallS = (Date.now() - t0) / 1000;
  process.stdout.write(`      async: ${finished.length} of ${ASYNC_EXECUTIONS} executions ended in ${wallS.toFixed(1)} s\n`);

  await check(`async: ${ASYNC_EXECUTIONS} executions started by the webhook all end in success`, () => {
    assert(answers.every((a) => a.status === 200), `webhook answers: ${answers.map((a) => `${a.status} ${a.text.slice(0, 100)}`).join('; ')}`);
    assert(mine.length === ASYNC_EXECUTIONS, `${mine.length} executions of the async workflow`);
    const bad = mine.filter((e) => e.status !== 'success');
    assert(bad.length === 0, `not successful: ${bad.map((e) => `${e.id} ${e.status}`).join(', ')}`);
  });

  await check('async: fal called each Wait node\'s resume URL on the main once, and Get Result ends with the video (byte-identical, from the database)', async () => {
    const hooks = (await emu('/_emulator/webhooks')).webhooks;
    for (const e of mine) {
      const x = await rest.execution(String(e.id));
      const run = x.data?.resultData?.runData || {};
      const submitted = run.Submit?.[0]?.data?.main?.[0]?.[0]?.json;
      assert(submitted?.requestId, `execution ${e.id}: Submit gave ${JSON.stringify(submitted)}`);
      const hookUrl = String(submitted.webhookUrl || '');
      assert(hookUrl.startsWith(`${base}/webhook-waiting/${e.id}`), `execution ${e.id}: webhook URL ${hookUrl} is not the Wait node's resume URL on the main`);
      const resumed = run['Wait for fal']?.[0]?.data?.main?.[0]?.[0]?.json;
      assert(resumed?.body?.request_id === submitted.requestId && resumed.body.status === 'OK', `execution ${e.id}: the Wait node got ${show(resumed?.body, 200)}`);
      const got = run['Get Result']?.[0]?.data?.main?.[0]?.[0];
      assert(got?.json?.requestId === submitted.requestId && got.json.status === 'COMPLETED', `execution ${e.id}: Get Result gave ${show(got?.json, 300)}`);
      const bin = got.binary?.data;
      assert(bin?.id?.startsWith('database:'), `execution ${e.id}: binary ${JSON.stringify(bin)}`);
      const { bytes } = await rest.binary(bin.id);
      const fromEmu = Buffer.from(await (await fetch(`${emulator.origin}/cdn/${submitted.requestId}/output.mp4`)).arrayBuffer());
      assert(bytes.length === VIDEO_BYTES && bytes.equals(fromEmu), `execution ${e.id}: ${bytes.length} bytes, not the emulator's video`);
      const deliveries = hooks.filter((/** @type {any} */ h) => h.requestId === submitted.requestId);
      const ok = deliveries.filter((/** @type {any} */ h) => h.status >= 200 && h.status < 300);
      assert(ok.length === 1, `execution ${e.id}: deliveries ${JSON.stringify(deliveries.map((/** @type {any} */ h) => h.status ?? h.error))}`);
    }
    const s = await emu('/_emulator/stats');
    assert(s.accepted === ASYNC_EXECUTIONS && s.duplicates === 0 && s.running === 0, `emulator: ${JSON.stringify(s)}`);
  });

  await check('async: each execution ran twice on the workers (start, then resume after fal\'s webhook)', () => {
    /** @type {Map<string, string[]>} */
    const starts = new Map();
    for (const w of workers) {
      for (const l of qm.readJsonLog(w.log)) {
        const m = /^Worker started execution (\d+)/.exec(l.message || '');
        if (m && mine.some((e) => String(e.id) === m[1])) starts.set(m[1], [...(starts.get(m[1]) || []), `${l.metadata?.timestamp || ''} ${w.name}`]);
      }
    }
    const runs = mine.map((e) => (starts.get(String(e.id)) || []).sort().map((s) => s.split(' ').pop()));
    assert(runs.every((r) => r.length === 2), `worker runs per execution: ${JSON.stringify(runs)}`);
    const moved = runs.filter((r) => r[0] !== r[1]).length;
    process.stdout.write(`      async: start → resume workers ${runs.map((r) => r.join('→')).join(', ')} (${moved} resumed on the other worker)\n`);
  });
}

module.exports = {
  name: 'async',
  about: `${ASYNC_EXECUTIONS} Submit → Wait → Get Result executions resumed by fal's webhook through the main`,
  /** @param {string} emulatorOrigin */
  workflows: (emulatorOrigin) => [wf.asyncWorkflow(emulatorOrigin)],
  /** @param {any} ctx */
  run: (ctx) => runAsync(ctx),
};
