// Conformance, a failed job as fal documents it: its status is COMPLETED with `error` and `error_type`; its result
// answers the model's own status code and body, with the header of its kind (a model error: X-Fal-Retryable; a
// request error: X-Fal-Error-Type, and X-Fal-Request-Timeout-Type: user after the submit's own start timeout), for
// every way a job fails in the emulator. fal's client meets each as its error classes say.
'use strict';

const { ApiError, ValidationError } = require('@fal-ai/client');
const { startEmulator } = require('../emulator');
const { ENDPOINT, KEY, falClientFor, auth, jsonHeaders, goodInput, waitEnded, waitStatus } = require('./helpers');

const HAILUO_02 = 'fal-ai/minimax/hailuo-02/standard/image-to-video';

let emu;
let fal;
beforeAll(async () => {
  // one job runs at a time, so that a job can be held in the queue behind another
  emu = await startEmulator({ apiKey: KEY, queueMs: 20, progressMs: 40, cancelMs: 20, concurrency: 1 });
  fal = falClientFor(emu);
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const falHeaders = (res) => Object.fromEntries([...res.headers].filter(([k]) => k.startsWith('x-fal-') && k !== 'x-fal-request-id'));

async function submit(input, { endpoint = ENDPOINT, headers = {} } = {}) {
  const res = await fetch(`${emu.url}/${endpoint}`, { method: 'POST', headers: { ...jsonHeaders(), ...headers }, body: JSON.stringify(input) });
  expect(res.status).toBe(200);
  return res.json();
}

/** The ended job's status and result over plain HTTP. */
async function ended(sub) {
  await waitEnded(emu, sub.request_id);
  const status = await fetch(sub.status_url, { headers: auth() });
  const result = await fetch(sub.response_url, { headers: auth() });
  return { job: emu.jobs.get(sub.request_id), status: status.status, statusBody: await status.json(), result: result.status, body: await result.json(), headers: falHeaders(result) };
}

const modelDetail = (type) => ({ detail: [expect.objectContaining({ loc: expect.arrayContaining(['body']), msg: expect.any(String), type, url: `https://docs.fal.ai/errors#${type}` })] });

// every way a job fails: [what, submit it, result status, body, headers, error_type]
const KINDS = [
  ['the image cannot be fetched', () => submit(goodInput(emu, { image_url: `${emu.url}/_samples/does-not-exist.png` })), 422, modelDetail('file_download_error'), { 'x-fal-retryable': 'false' }, 'file_download_error'],
  ['the image is too small', () => submit(goodInput(emu, { image_url: `${emu.url}/_samples/png/100x100.png` })), 422, modelDetail('image_too_small'), { 'x-fal-retryable': 'false' }, 'image_too_small'],
  ['the model refuses the combination (Hailuo 02: a last frame at 512P)', () => submit(goodInput(emu, { resolution: '512P', end_image_url: `${emu.url}/_samples/frame.jpg` }), { endpoint: HAILUO_02 }), 422, { detail: [expect.objectContaining({ loc: ['body', 'end_image_url'] })] }, { 'x-fal-retryable': 'false' }, expect.any(String)],
  ['[emulator:fail]: a model error 500', () => submit(goodInput(emu, { prompt: 'x [emulator:fail]' })), 500, modelDetail('internal_server_error'), { 'x-fal-retryable': 'false' }, 'internal_server_error'],
  ['[emulator:fail=generation_timeout,retryable]', () => submit(goodInput(emu, { prompt: 'x [emulator:fail=generation_timeout,retryable]' })), 504, modelDetail('generation_timeout'), { 'x-fal-retryable': 'true' }, 'generation_timeout'],
  ['[emulator:fail=content_policy_violation]', () => submit(goodInput(emu, { prompt: 'x [emulator:fail=content_policy_violation]' })), 422, modelDetail('content_policy_violation'), { 'x-fal-retryable': 'false' }, 'content_policy_violation'],
  ['[emulator:fail=runner_disconnected]: a request error', () => submit(goodInput(emu, { prompt: 'x [emulator:fail=runner_disconnected]' })), 503, { detail: expect.any(String), error_type: 'runner_disconnected' }, { 'x-fal-error-type': 'runner_disconnected' }, 'runner_disconnected'],
  ['a job fault: request error', () => {
    emu.fault({ route: 'job', errorType: 'runner_server_error' });
    return submit(goodInput(emu));
  }, 500, { detail: expect.any(String), error_type: 'runner_server_error' }, { 'x-fal-error-type': 'runner_server_error' }, 'runner_server_error'],
  ['a job fault: model error, retryable', () => {
    emu.fault({ route: 'job', modelError: 'downstream_service_unavailable', retryable: true });
    return submit(goodInput(emu));
  }, 500, modelDetail('downstream_service_unavailable'), { 'x-fal-retryable': 'true' }, 'downstream_service_unavailable'],
  ['cancelled while queued', async () => {
    const blocker = await submit(goodInput(emu, { prompt: 'x [emulator:ms=60000]' }));
    await waitStatus(emu, blocker.request_id, 'IN_PROGRESS');
    const sub = await submit(goodInput(emu, { prompt: 'held in the queue' }));
    expect((await fetch(sub.cancel_url, { method: 'PUT', headers: auth() })).status).toBe(202);
    expect(emu.jobs.get(sub.request_id).startedAt).toBeUndefined();
    await fetch(blocker.cancel_url, { method: 'PUT', headers: auth() });
    return sub;
  }, 499, { detail: 'Request was cancelled', error_type: 'client_cancelled' }, { 'x-fal-error-type': 'client_cancelled' }, 'client_cancelled'],
  ['cancelled while running', async () => {
    const sub = await submit(goodInput(emu, { prompt: 'x [emulator:ms=60000]' }));
    await waitStatus(emu, sub.request_id, 'IN_PROGRESS');
    expect((await fetch(sub.cancel_url, { method: 'PUT', headers: auth() })).status).toBe(202);
    return sub;
  }, 499, { detail: 'Request was cancelled', error_type: 'client_cancelled' }, { 'x-fal-error-type': 'client_cancelled' }, 'client_cancelled'],
];

describe('every failure: status COMPLETED with error and error_type, the result its own status, body and header', () => {
  test.each(KINDS)('%s', async (_what, make, code, body, headers, errorType) => {
    const sub = await make();
    const r = await ended(sub);
    expect(r.status).toBe(200);
    expect(r.statusBody).toMatchObject({ status: 'COMPLETED', error: expect.any(String), error_type: errorType });
    expect(r.statusBody.error).toBe(r.job.error);
    expect(r.result).toBe(code);
    expect(r.body).toEqual(body);
    expect(r.headers).toEqual(headers); // one kind's header, never the other's
    expect(r.job).toMatchObject({ billed: false });
    expect(emu.stats()).toMatchObject({ completed: 0, billed: 0 });
  });
});

describe('fal\'s client and failed jobs', () => {
  test('a model error 422 is a ValidationError with the model\'s detail; a 500 model error an ApiError; neither retried', async () => {
    const bad = await submit(goodInput(emu, { image_url: `${emu.url}/_samples/png/100x100.png` }));
    const boom = await submit(goodInput(emu, { prompt: 'x [emulator:fail]' }));
    await Promise.all([waitEnded(emu, bad.request_id), waitEnded(emu, boom.request_id)]);
    const v = await fal.queue.result(ENDPOINT, { requestId: bad.request_id }).catch((e) => e);
    expect(v).toBeInstanceOf(ValidationError);
    expect(v.fieldErrors.map((e) => e.type)).toEqual(['image_too_small']);
    const a = await fal.queue.result(ENDPOINT, { requestId: boom.request_id }).catch((e) => e);
    expect(a).toBeInstanceOf(ApiError);
    expect(a).not.toBeInstanceOf(ValidationError);
    expect([a.status, a.requestId, a.isUserTimeout]).toEqual([500, boom.request_id, false]);
    expect(emu.calls.filter((c) => c.route === 'result')).toHaveLength(2); // 422 and 500 are not among its retried statuses
  });

  test('X-Fal-Request-Timeout (fal\'s startTimeout): a job not started in time ends request_timeout, its result a 504 the client does not retry', async () => {
    const slow = await startEmulator({ apiKey: KEY, queueMs: 60000 });
    try {
      const client = falClientFor(slow);
      const { request_id: id } = await client.queue.submit(ENDPOINT, { input: goodInput(slow), startTimeout: 1.5 });
      const sent = slow.calls.find((c) => c.route === 'submit');
      expect(sent.headers['x-fal-request-timeout']).toBe('1.5');
      expect(slow.jobs.get(id)).toMatchObject({ status: 'IN_QUEUE', requestTimeoutS: 1.5 });
      const job = await waitEnded(slow, id);
      expect(job).toMatchObject({ status: 'COMPLETED', errorType: 'request_timeout', billed: false });
      expect(job.startedAt).toBeUndefined();
      expect(job.completedAt - job.submittedAt).toBeGreaterThanOrEqual(1500);
      const status = await client.queue.status(ENDPOINT, { requestId: id });
      expect(status).toMatchObject({ status: 'COMPLETED', error_type: 'request_timeout' });
      const err = await client.queue.result(ENDPOINT, { requestId: id }).catch((e) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect([err.status, err.timeoutType, err.isUserTimeout]).toEqual([504, 'user', true]);
      expect(err.body).toEqual({ detail: 'Request timed out', error_type: 'request_timeout' });
      expect(slow.calls.filter((c) => c.route === 'result')).toHaveLength(1); // a user timeout is never retried
      const raw = await fetch(`${slow.url}/fal-ai/minimax/requests/${id}`, { headers: auth() });
      expect(falHeaders(raw)).toEqual({ 'x-fal-error-type': 'request_timeout', 'x-fal-request-timeout-type': 'user' });
    } finally {
      await slow.close();
    }
  });

  test('X-Fal-Request-Timeout does not bound a job that has started, and a bad value is a 400 bad_request with no job', async () => {
    const sub = await submit(goodInput(emu, { prompt: 'x [emulator:ms=1500]' }), { headers: { 'x-fal-request-timeout': '1' } });
    const job = await waitEnded(emu, sub.request_id);
    expect(job).toMatchObject({ billed: true, requestTimeoutS: 1 });
    expect(job.error).toBeUndefined();
    for (const bad of ['0.5', 'soon', '']) {
      const res = await fetch(`${emu.url}/${ENDPOINT}`, { method: 'POST', headers: { ...jsonHeaders(), 'x-fal-request-timeout': bad }, body: JSON.stringify(goodInput(emu)) });
      expect(res.status).toBe(400);
      expect(falHeaders(res)).toEqual({ 'x-fal-error-type': 'bad_request' });
      expect(await res.json()).toMatchObject({ error_type: 'bad_request' });
    }
    expect(emu.stats()).toMatchObject({ accepted: 1, rejected: 3 });
  });

  test('a job fault is consumed by the next job the runner picks up, one per `times`', async () => {
    emu.fault({ route: 'job', modelError: 'generation_timeout', times: 2 });
    const subs = [];
    for (let i = 0; i < 3; i += 1) subs.push(await submit(goodInput(emu, { prompt: `job ${i}` })));
    const jobs = await Promise.all(subs.map((s) => waitEnded(emu, s.request_id)));
    expect(jobs.map((j) => j.errorType ?? 'ok').sort()).toEqual(['generation_timeout', 'generation_timeout', 'ok']);
    expect(() => emu.fault({ route: 'job', errorType: 'no_such_type' })).toThrow(/request error types/);
    expect(() => emu.fault({ route: 'job' })).toThrow(/errorType or modelError/);
    expect(() => emu.fault({ route: 'job', errorType: 'runner_disconnected', delayMs: 5 })).toThrow(/takes only/);
  });

  test('an unknown type in the marker fails the job as an emulator error, saying so', async () => {
    const sub = await submit(goodInput(emu, { prompt: 'x [emulator:fail=no_such_thing]' }));
    const r = await ended(sub);
    expect(r.result).toBe(500);
    expect(r.body.detail).toMatch(/unknown fal error type no_such_thing/);
  });
});
