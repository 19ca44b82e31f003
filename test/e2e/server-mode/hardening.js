// @ts-check
'use strict';

/**
 * hardening (issue 31, items 2 and the privacy options), against an emulator of its own that runs two jobs at a time
 * (an account's concurrency limit):
 * - fail fast: a batch of four (Generate, no On Error → Continue) whose first job fails while another runs: a third
 *   starts in the slot it frees and the fourth waits in fal's queue. The execution's error comes within 3 s of the failure (from the
 *   emulator's completedAt of the failed job to the execution's stoppedAt), names both running jobs, and the queued
 *   one is cancelled on fal (CANCELLED, not billed); no job is left running that the error does not name.
 * - privacy: Options → Store Request on fal.ai off and Delete the Video From fal.ai After send X-Fal-Store-IO: 0 and
 *   X-Fal-Object-Lifecycle-Preference on the submit (and X-Fal-Object-Lifecycle on a binary frame's upload), and
 *   nothing of the kind by default; Submit with storage off warns; a Get Result after fal let the result go (the
 *   emulator's expire) says fal's retention, not "may still be running".
 */

const { assert, check } = require('../../../scripts/lib/checks');
const { workflow, manualTrigger, hailuoNode, frame, codeNode, httpFile } = require('./workflows');
const { nodeItems, execError, assertVideoItem, until } = require('./helpers');

const IDS = { failFast: 'hailuoSrvHard001', privacy: 'hailuoSrvHard002' };
const CREDENTIAL = { id: 'hailuoHardEmu001', name: 'Hailuo (hardening fal emulator)' };
const END = ['success', 'error', 'crashed', 'canceled'];
/**
 * The batch's prompts: four takes of 10 s. Which job fails is the first one fal starts (the emulator's `job` fault: the
 * runner fails the next job it picks up), not an item chosen by its prompt: n8n's items reach fal in no fixed order
 * (seen: items 1, 2, 0, 3), and the shape must not rest on it. fal then runs the second job, starts the third in the
 * slot the failure frees, and keeps the fourth in its queue.
 */
const PROMPTS = [1, 2, 3, 4].map((n) => `Take ${n} of 4 [emulator:ms=10000]`);
/** The issue's bound on the error's delay after the failure. */
const FAIL_FAST_MS = 3_000;

/** A header of a recorded call (the emulator masks only the key). @param {any} call @param {string} name */
const header = (call, name) => call?.headers?.[name];

/** @param {any} ctx */
async function run(ctx) {
  const { rest } = ctx;
  const emu = ctx.emu.hardening;

  await check(`a batch whose first job fails while another runs, a third starts and the fourth waits in fal's queue: the error within ${FAIL_FAST_MS / 1000} s of the failure, the running jobs named, the queued one cancelled`, async () => {
    await emu.reset();
    await emu.fault({ route: 'job', modelError: 'internal_server_error' });
    const exec = await rest.waitFor(await rest.run(IDS.failFast), END, 60_000);
    const jobs = await emu.jobs();
    const itemOf = (/** @type {any} */ j) => PROMPTS.indexOf(j.input.prompt);
    const byItem = (/** @type {any[]} */ list) => [...list].sort((x, y) => itemOf(x) - itemOf(y));
    const failed = jobs.filter((j) => j.errorType === 'internal_server_error');
    const running = byItem(jobs.filter((j) => j.status === 'IN_PROGRESS'));
    const queued = jobs.filter((j) => j.status === 'CANCELLED');
    const shape = jobs.map((j) => `item ${itemOf(j)}: ${j.status}${j.error ? ` (${j.errorType})` : ''}${j.startedAt ? '' : ', never started'}`).join('; ');
    assert(jobs.length === 4 && failed.length === 1 && running.length === 2 && queued.length === 1, `jobs: ${shape}`);
    const [bad] = failed;

    assert(exec.status === 'error', `execution ${exec.status}`);
    const message = execError(exec);
    const description = String(exec.data.resultData.error.description ?? '');
    assert(message.startsWith('fal could not generate the video') && message.endsWith(`(item ${itemOf(bad)}, fal request ${bad.requestId})`), `error: ${message}`);
    const delayMs = Date.parse(exec.stoppedAt) - bad.completedAt;
    const named = `On fal, paid, and in no output: ${running.map((j) => `item ${itemOf(j)} (${j.requestId}) running`).join(', ')}. Retry this execution to collect them without paying again.`;
    assert(description.includes(named), `description does not name the running jobs (${shape}): ${description}`);
    const cancelled = `Cancelled while still waiting in fal's queue (not billed; a retry submits them again): item ${itemOf(queued[0])} (${queued[0].requestId}).`;
    assert(description.includes(cancelled), `description does not name the cancelled job (${shape}): ${description}`);
    assert(!queued[0].billed && !queued[0].startedAt, `the queued job: ${shape}`);
    assert(running.every((j) => !j.cancelRequested), 'a running job was asked to stop');
    // every job still running on fal is one the error names (so a retry collects it)
    const unnamed = jobs.filter((j) => ['IN_QUEUE', 'IN_PROGRESS'].includes(j.status) && !description.includes(j.requestId));
    assert(unnamed.length === 0, `running and named nowhere: ${unnamed.map((j) => j.requestId).join(', ')}`);
    const stats = await emu.stats();
    assert(stats.accepted === 4 && stats.duplicates === 0 && stats.billed === 0, `stats ${JSON.stringify(stats)}`);
    assert(delayMs >= 0 && delayMs < FAIL_FAST_MS, `the error came ${delayMs} ms after the failure (${FAIL_FAST_MS} ms at most)`);
    process.stdout.write(`      the error ${delayMs} ms after fal failed item ${itemOf(bad)}'s job (its completedAt → the execution's stoppedAt); ${shape}\n`);
    await emu.reset(); // the long jobs are not waited for
  });

  await check('privacy: Store Request on fal.ai off and Delete the Video From fal.ai After send their headers (a binary frame\'s upload too), not by default; a Get Result after fal let the result go says fal\'s retention', async () => {
    await emu.reset();
    const exec = await rest.waitFor(await rest.run(IDS.privacy), END, 60_000);
    assert(exec.status === 'success', `execution ${exec.status}: ${execError(exec)}`);
    const [plain] = nodeItems(exec, 'Default Privacy');
    const [kept] = nodeItems(exec, 'Private');
    const [submitted] = nodeItems(exec, 'Private Submit');
    await assertVideoItem(ctx.userFolder, plain);
    await assertVideoItem(ctx.userFolder, kept);
    const jobs = await emu.jobs();
    const calls = await emu.calls();
    const jobOf = (/** @type {any} */ item) => jobs.find((j) => j.requestId === item.json.requestId);
    const submitOf = (/** @type {any} */ item) => calls.find((c) => c.route === 'submit' && c.requestId === item.json.requestId);
    const [plainJob, keptJob, laterJob] = [plain, kept, submitted].map(jobOf);
    const record = (/** @type {any} */ j) => JSON.stringify({ storeIo: j.storeIo, storeIoHeader: j.storeIoHeader ?? null, lifecycle: j.lifecycle?.expirationSeconds ?? null });
    assert(record(plainJob) === '{"storeIo":true,"storeIoHeader":null,"lifecycle":null}', `by default: ${record(plainJob)}`);
    assert(header(submitOf(plain), 'x-fal-store-io') === undefined && header(submitOf(plain), 'x-fal-object-lifecycle-preference') === undefined, `default submit headers ${JSON.stringify(submitOf(plain)?.headers)}`);
    assert(record(keptJob) === '{"storeIo":false,"storeIoHeader":"0","lifecycle":3600}', `chosen: ${record(keptJob)}`);
    assert(JSON.parse(header(submitOf(kept), 'x-fal-object-lifecycle-preference')).expiration_duration_seconds === 3600, `lifecycle header ${header(submitOf(kept), 'x-fal-object-lifecycle-preference')}`);
    const initiate = calls.filter((c) => c.route === 'initiate');
    assert(initiate.length === 1 && JSON.parse(header(initiate[0], 'x-fal-object-lifecycle')).expiration_duration_seconds === 3600, `the frame's upload: ${JSON.stringify(initiate.map((c) => c.headers))}`);
    assert(record(laterJob) === '{"storeIo":false,"storeIoHeader":"0","lifecycle":null}', `Submit: ${record(laterJob)}`);
    assert(kept.json.storeRequestOnFal === false && kept.json.deleteVideoAfterSeconds === 3600 && plain.json.storeRequestOnFal === true, `outputs ${JSON.stringify([plain.json.storeRequestOnFal, kept.json.storeRequestOnFal, kept.json.deleteVideoAfterSeconds])}`);
    assert(/^Store Request on fal\.ai is off: .*within the hour\.$/.test(String(submitted.json.notices?.[0])), `Submit's notice: ${JSON.stringify(submitted.json.notices)}`);

    // fal lets the result go (an hour after the job with storage off): a Get Result by its id then says so
    const { requestId } = submitted.json;
    await until(async () => (await emu.jobs()).some((j) => j.requestId === requestId && j.status === 'COMPLETED'), 10_000, 'the submitted job to end');
    await emu.expire(requestId);
    const getResult = workflow('', 'server-mode: Get Result past fal\'s retention', [
      manualTrigger(),
      hailuoNode('Get Result', CREDENTIAL, { operation: 'getResult', requestId, options: {} }, [220, 0]),
    ]);
    const saved = await rest.call('POST', '/rest/workflows', { name: getResult.name, nodes: getResult.nodes, connections: getResult.connections, settings: getResult.settings, active: false });
    const late = await rest.waitFor(await rest.run(String(saved.id)), END, 60_000);
    const message = execError(late);
    const description = String(late.data.resultData.error?.description ?? '');
    assert(late.status === 'error' && message === `fal does not know the request ID ${requestId}: HTTP 404 from every model's queue (item 0)`, `Get Result: ${late.status} ${message}`);
    assert(/a job past fal's retention \(fal keeps a result 30 days when payload storage is on \(its default\), and only 1 hour after the job ends/.test(description), `description: ${description}`);
    assert(!/may still be running/.test(description), `description: ${description}`);
    process.stdout.write(`      "${message}"\n`);
  });
}

/** @param {any} ctx */
function workflows(ctx) {
  const o = ctx.origin.hardening;
  const at = (/** @type {number} */ i) => /** @type {[number, number]} */ ([220 * i, 0]);
  const generate = (/** @type {Record<string, unknown>} */ p) => ({ operation: 'generate', prompt: 'A quiet harbour at dawn', imageSource: 'url', imageUrl: frame(o), ...p });
  return [
    workflow(IDS.failFast, 'server-mode: a failing batch fails at once', [
      manualTrigger(),
      codeNode(`return ${JSON.stringify(PROMPTS)}.map((prompt) => ({ json: { prompt } }));`),
      hailuoNode('Hailuo Video', CREDENTIAL, generate({ prompt: '={{ $json.prompt }}' }), at(2)),
    ]),
    workflow(IDS.privacy, 'server-mode: privacy options', [
      manualTrigger(),
      hailuoNode('Default Privacy', CREDENTIAL, generate({}), at(1)),
      httpFile('Frame File', `${o}/_samples/frame.png`, 'frame', at(2)),
      hailuoNode('Private', CREDENTIAL, generate({ imageSource: 'binary', binaryPropertyName: 'frame', options: { storeRequestOnFal: false, deleteVideoAfter: '3600' } }), at(3)),
      hailuoNode('Private Submit', CREDENTIAL, { ...generate({ options: { storeRequestOnFal: false } }), operation: 'submit' }, at(4)),
    ]),
  ];
}

module.exports = {
  name: 'hardening',
  about: 'a failing batch fails within 3 s, naming its running jobs and cancelling the queued one; the privacy headers when chosen and not otherwise; a result past fal\'s retention said so',
  emulators: {
    hardening: { args: ['--queue-ms', '300', '--progress-ms', '400', '--concurrency', '2'], credential: CREDENTIAL },
  },
  workflows,
  run,
};
