// Conformance, faults as fal's client meets them: injected statuses, resets, delays, cut / stalled / silent bodies,
// auth before faults, cross-origin redirects, x-fal-request-id on every answer, and the admin endpoints.
'use strict';

const { ApiError } = require('@fal-ai/client');
const { startEmulator } = require('../emulator');
const {
  ENDPOINT, KEY, ADMIN_KEY, UUID, falClientFor, auth, goodInput, submitDirect, waitFor, waitEnded, readAtLeast,
} = require('./helpers');

let emu;
let fal;
beforeAll(async () => {
  emu = await startEmulator({ apiKey: KEY, adminKey: ADMIN_KEY, queueMs: 20, progressMs: 30 });
  fal = falClientFor(emu);
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

/** The last call on a route (a job of an earlier test may still be reading its image on another). */
const lastCall = (route) => emu.calls.filter((c) => c.route === route).at(-1);
const pricingUrl = () => `${emu.url}/v1/models/pricing?endpoint_id=${ENDPOINT}`;
// fal's pricing call takes any valid key (test/emulator/README.md); these use the ADMIN-scope one
const adminAuth = () => auth(ADMIN_KEY);

describe('auth comes before faults', () => {
  test('a wrong or missing key is a 401 even with a fault queued, and the fault stays queued', async () => {
    emu.fault({ route: 'submit', status: 503 });
    const wrong = await submitDirect(emu, goodInput(emu), { key: 'not-the-key' });
    expect(wrong.res.status).toBe(401);
    const missing = await fetch(`${emu.url}/${ENDPOINT}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(missing.status).toBe(401);
    expect(emu.calls.map((c) => [c.auth, c.fault])).toEqual([['invalid', undefined], ['missing', undefined]]);
    const queued = await (await fetch(`${emu.url}/_emulator/faults`)).json();
    expect(queued.faults).toEqual([{ route: 'submit', status: 503, remaining: 1 }]);
    // the right key meets the fault
    expect((await submitDirect(emu)).res.status).toBe(503);
    expect((await submitDirect(emu)).res.status).toBe(200);
  });

  test('so does a reset, a delay or a stream fault: a bad key never consumes them', async () => {
    emu.fault([{ route: 'status', reset: true }, { route: 'stream', silent: true }, { route: 'pricing', delayMs: 1 }]);
    const id = (await submitDirect(emu)).body.request_id;
    const bad = auth('wrong');
    expect((await fetch(`${emu.url}/fal-ai/minimax/requests/${id}/status`, { headers: bad })).status).toBe(401);
    expect((await fetch(`${emu.url}/fal-ai/minimax/requests/${id}/status/stream`, { headers: bad })).status).toBe(401);
    expect((await fetch(pricingUrl(), { headers: bad })).status).toBe(401);
    expect((await (await fetch(`${emu.url}/_emulator/faults`)).json()).faults.map((f) => f.route)).toEqual(['status', 'stream', 'pricing']);
  });

  test('a wrong key is an ApiError 401 that never echoes the key, and is not retried', async () => {
    const wrong = falClientFor(emu, 'not-the-key');
    const err = await wrong.queue.submit(ENDPOINT, { input: goodInput(emu) }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(401);
    expect(typeof err.body.detail).toBe('string');
    expect(JSON.stringify(err.body)).not.toContain('not-the-key');
    const submits = emu.calls.filter((c) => c.route === 'submit');
    expect(submits).toHaveLength(1);
    expect(submits[0].headers.authorization).toBe('Key ***');
    expect(emu.stats()).toMatchObject({ submits: 1, accepted: 0, rejected: 1 });
    const bearer = await fetch(pricingUrl(), { headers: { authorization: `Bearer ${KEY}` } });
    expect(bearer.status).toBe(401);
  });
});

describe('fal\'s client and injected faults', () => {
  test('a submit reset after the job was accepted makes fal\'s client submit again: two paid jobs', async () => {
    emu.fault({ route: 'submit', afterAccept: true });
    const sub = await fal.queue.submit(ENDPOINT, { input: goodInput(emu) });
    const submits = emu.calls.filter((c) => c.route === 'submit');
    expect(submits).toHaveLength(2);
    expect(submits[0]).toMatchObject({ status: 0, fault: 'afterAccept' });
    expect(submits[1].status).toBe(200);
    expect(emu.jobs.size).toBe(2);
    expect(emu.stats()).toMatchObject({ submits: 2, accepted: 2, duplicates: 1 });
    expect(sub.request_id).toBe(submits[1].requestId);
  });

  test('a 503 on submit is retried by the client (no job was created), with the fault\'s headers', async () => {
    emu.fault({ route: 'submit', status: 503, headers: { 'retry-after': '1' } });
    await fal.queue.submit(ENDPOINT, { input: goodInput(emu) });
    const submits = emu.calls.filter((c) => c.route === 'submit');
    expect(submits.map((c) => c.status)).toEqual([503, 200]);
    expect(emu.stats()).toMatchObject({ submits: 2, accepted: 1, rejected: 1, duplicates: 0 });

    emu.fault({ route: 'submit', status: 503, headers: { 'retry-after': '1' } });
    const raw = await submitDirect(emu);
    expect(raw.res.status).toBe(503);
    expect(raw.res.headers.get('retry-after')).toBe('1');
    expect(raw.res.headers.get('x-fal-error-type')).toBe('runner_scheduling_failure');
    expect(raw.body.detail).toBe('Service Unavailable (emulator fault)');
  });

  test('a 500 on status is retried by the client; a 422 fault is not', async () => {
    const { request_id: id } = await fal.queue.submit(ENDPOINT, { input: goodInput(emu) });
    emu.fault({ route: 'status', status: 500 });
    const s = await fal.queue.status(ENDPOINT, { requestId: id });
    expect(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']).toContain(s.status);
    expect(emu.calls.filter((c) => c.route === 'status').map((c) => c.status)).toEqual([500, expect.any(Number)]);

    emu.fault({ route: 'result', status: 422, body: { detail: [{ loc: ['body', 'prompt'], msg: 'nope', type: 'value_error' }] } });
    await waitEnded(emu, id);
    const err = await fal.queue.result(ENDPOINT, { requestId: id }).catch((e) => e);
    expect(err.status).toBe(422);
    expect(err.requestId).toBe(id);
    expect(emu.calls.filter((c) => c.route === 'result')).toHaveLength(1);
    expect((await fal.queue.result(ENDPOINT, { requestId: id })).data.video).toBeDefined();
  });

  test('times, delayMs and reset', async () => {
    emu.fault({ route: 'pricing', status: 429, times: 2 });
    expect((await fetch(pricingUrl(), { headers: adminAuth() })).status).toBe(429);
    expect((await fetch(pricingUrl(), { headers: adminAuth() })).status).toBe(429);
    expect((await fetch(pricingUrl(), { headers: adminAuth() })).status).toBe(200);

    emu.fault({ route: 'pricing', delayMs: 30 });
    const res = await fetch(pricingUrl(), { headers: adminAuth() });
    expect(res.status).toBe(200);
    expect(lastCall('pricing').fault).toBe('delay');

    emu.fault({ route: 'pricing', reset: true });
    await expect(fetch(pricingUrl(), { headers: adminAuth() })).rejects.toThrow();
    expect(lastCall('pricing')).toMatchObject({ status: 0, fault: 'reset' });
  });

  test('a status stream cut mid-way errors the client\'s stream', async () => {
    const { request_id: id } = await fal.queue.submit(ENDPOINT, { input: goodInput(emu) });
    emu.fault({ route: 'stream', cutAfterBytes: 20 });
    const stream = await fal.queue.streamStatus(ENDPOINT, { requestId: id });
    await expect(stream.done()).rejects.toBeInstanceOf(ApiError);
  });

  test('a silent status stream: 200 and SSE headers, never an event; fal\'s client just waits (it has no idle limit)', async () => {
    const { request_id: id } = await fal.queue.submit(ENDPOINT, { input: goodInput(emu) });
    emu.fault({ route: 'stream', silent: true });
    const stream = await fal.queue.streamStatus(ENDPOINT, { requestId: id });
    const events = [];
    stream.on('data', (d) => events.push(d));
    await waitEnded(emu, id);
    const outcome = await Promise.race([stream.done().then(() => 'done', () => 'error'), new Promise((r) => setTimeout(() => r('waiting'), 300))]);
    expect(outcome).toBe('waiting'); // the job ended, and the stream said nothing
    expect(events).toEqual([]);
    stream.abort();
    expect(emu.calls.find((c) => c.route === 'stream')).toMatchObject({ status: 200, fault: 'silent' });
  });
});

describe('stream faults over plain HTTP', () => {
  const streamOf = async () => {
    const { body } = await submitDirect(emu);
    return { body, url: `${body.status_url}/stream` };
  };

  test('silent: the headers come, the body never does', async () => {
    emu.fault({ route: 'stream', silent: true });
    const { body, url } = await streamOf();
    const ctl = new AbortController();
    const res = await fetch(url, { headers: auth(), signal: ctl.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('x-fal-request-id')).toBe(body.request_id);
    await waitEnded(emu, body.request_id);
    const reader = res.body.getReader();
    const first = reader.read();
    const outcome = await Promise.race([first.then(() => 'data', () => 'error'), new Promise((r) => setTimeout(() => r('nothing'), 200))]);
    expect(outcome).toBe('nothing');
    ctl.abort();
    await expect(first).rejects.toThrow();
  });

  test('stallAfterBytes: part of the first event, then silence with the stream open', async () => {
    emu.fault({ route: 'stream', stallAfterBytes: 10 });
    const { body, url } = await streamOf();
    const ctl = new AbortController();
    const res = await fetch(url, { headers: auth(), signal: ctl.signal });
    const { got, reader } = await readAtLeast(res, 10);
    expect(got.toString()).toBe('data: {"st');
    await waitEnded(emu, body.request_id);
    const next = reader.read();
    const outcome = await Promise.race([next.then(() => 'data', () => 'error'), new Promise((r) => setTimeout(() => r('nothing'), 200))]);
    expect(outcome).toBe('nothing');
    ctl.abort();
    await expect(next).rejects.toThrow();
    expect(emu.calls.find((c) => c.route === 'stream').fault).toBe('stall');
  });

  test('close() ends stalled and silent connections (no open handle is left)', async () => {
    const other = await startEmulator({ queueMs: 0, progressMs: 0 });
    other.fault([{ route: 'stream', silent: true }, { route: 'sample', stallAfterBytes: 5 }]);
    const { body } = await submitDirect(other, { prompt: 'x', image_url: 'data:image/png;base64,AA==' });
    const stream = await fetch(`${body.status_url}/stream`, { headers: auth() });
    const sample = await fetch(`${other.url}/_samples/frame.png`);
    const reads = [stream.body.getReader().read(), sample.arrayBuffer()];
    await other.close();
    for (const r of await Promise.allSettled(reads)) expect(r.status).toBe('rejected');
  });
});

describe('the key never goes to another origin', () => {
  test('a redirect to another host: fetch drops the key, the other origin records no Authorization', async () => {
    const { request_id: id } = await fal.queue.submit(ENDPOINT, { input: goodInput(emu) });
    emu.fault({ route: 'status', status: 307, headers: { location: `${emu.otherUrl}/elsewhere/status` } });
    const s = await fal.queue.status(ENDPOINT, { requestId: id });
    expect(s).toEqual({}); // the other origin's answer
    expect(emu.otherCalls).toEqual([{ method: 'GET', path: '/elsewhere/status', authorization: false, at: expect.any(Number) }]);
    expect(emu.calls.find((c) => c.route === 'status')).toMatchObject({ status: 307, fault: 'status', auth: 'ok' });
    const admin = await (await fetch(`${emu.url}/_emulator/other-calls`)).json();
    expect(admin.calls).toEqual(emu.otherCalls);
  });

  test('a same-origin redirect keeps the key (the check above can fail)', async () => {
    const { request_id: id } = await fal.queue.submit(ENDPOINT, { input: goodInput(emu) });
    const statusPath = `/fal-ai/minimax/requests/${id}/status`;
    emu.fault({ route: 'result', status: 307, headers: { location: `${emu.url}${statusPath}` } });
    await waitEnded(emu, id);
    const r = await fal.queue.result(ENDPOINT, { requestId: id });
    expect(r.data.status).toBe('COMPLETED');
    expect(emu.calls.filter((c) => c.route === 'status')[0]).toMatchObject({ auth: 'ok', status: 200 });
    expect(emu.otherCalls).toEqual([]);
  });

  test('the other origin answers anything 200 {} and never records a header value', async () => {
    const res = await fetch(`${emu.otherUrl}/x?y=1`, { method: 'POST', headers: { authorization: `Key ${KEY}` }, body: 'hello' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(emu.otherCalls).toEqual([{ method: 'POST', path: '/x?y=1', authorization: true, at: expect.any(Number) }]);
    expect(JSON.stringify(emu.otherCalls)).not.toContain(KEY);
    expect(emu.otherUrl).not.toBe(emu.url);
    emu.reset();
    expect(emu.otherCalls).toEqual([]);
  });
});

describe('x-fal-request-id and the key', () => {
  test('every answer carries x-fal-request-id (success, 404, faults, samples, CDN, admin) but a 401', async () => {
    const { res: sub, body } = await submitDirect(emu);
    const answers = [sub];
    answers.push(await fetch(body.status_url, { headers: auth('wrong') }));
    answers.push(await fetch(`${emu.url}/nowhere`));
    answers.push(await fetch(`${emu.url}/_samples/frame.png`));
    answers.push(await fetch(`${emu.url}/_samples/none.png`));
    answers.push(await fetch(`${emu.url}/_emulator/stats`));
    answers.push(await fetch(`${emu.url}/.well-known/jwks.json`));
    answers.push(await fetch(`${emu.url}/v1/models`));
    emu.fault([{ route: 'pricing', status: 500 }, { route: 'result', status: 429 }]);
    answers.push(await fetch(pricingUrl(), { headers: adminAuth() }));
    answers.push(await fetch(body.response_url, { headers: auth() }));
    await waitEnded(emu, body.request_id);
    answers.push(await fetch(`${emu.url}/cdn/${body.request_id}/output.mp4`, { method: 'HEAD' }));
    // fal's docs do not say that a refused key gets a request id: the emulator takes the stricter reading
    for (const r of answers.filter((a) => a.status !== 401)) expect(r.headers.get('x-fal-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(answers[1].headers.get('x-fal-request-id')).toBeNull();
    expect(answers.map((r) => r.status)).toEqual([200, 401, 404, 200, 404, 200, 200, 200, 500, 429, 200]);
    expect(answers[answers.length - 1].headers.get('x-fal-request-id')).toBe(body.request_id);
    expect(emu.calls.filter((c) => c.status !== 401).every((c) => UUID.test(c.requestId))).toBe(true);
  });

  test('emu.calls, the admin endpoints and the jobs never hold the raw key', async () => {
    await submitDirect(emu);
    await submitDirect(emu, goodInput(emu), { key: 'another-secret' });
    await fetch(pricingUrl(), { headers: { ...adminAuth(), 'x-extra': `also ${KEY}` } });
    await waitFor(() => [...emu.jobs.values()].every((j) => j.status === 'COMPLETED'), 'the job');
    const dumps = [JSON.stringify(emu.calls), JSON.stringify([...emu.jobs.values()])];
    for (const p of ['calls', 'jobs', 'stats', 'webhooks', 'other-calls']) dumps.push(await (await fetch(`${emu.url}/_emulator/${p}`)).text());
    for (const d of dumps) {
      expect(d).not.toContain(KEY);
      expect(d).not.toContain('another-secret');
    }
    const fromClient = emu.calls.filter((c) => !c.runner && c.route !== 'admin');
    expect(fromClient.map((c) => [c.route, c.headers.authorization])).toStrictEqual([
      ['submit', 'Key ***'], ['submit', 'Key ***'], ['pricing', 'Key ***'],
    ]);
    expect(emu.calls.filter((c) => c.runner).map((c) => c.route)).toStrictEqual(['sample']);
  });
});

describe('fault specs and the admin endpoints', () => {
  test('emu.fault rejects a bad spec; clearFaults drops queued ones', async () => {
    for (const bad of [
      { route: 'nowhere', status: 500 },
      { route: 'status', afterAccept: true },
      { route: 'status', cutAfterBytes: 10 },
      { route: 'cdn', stallAfterBytes: -1 },
      { route: 'cdn', silent: true },
      { route: 'stream', duplicate: true },
      { route: 'webhook', status: 500 },
      { route: 'pricing', delayMs: 'soon' },
    ]) expect(() => emu.fault(bad)).toThrow(TypeError);
    emu.fault({ route: 'pricing', status: 500 });
    emu.clearFaults();
    const res = await fetch(pricingUrl(), { headers: adminAuth() });
    expect(res.status).toBe(200);
  });

  test('admin endpoints: faults, stats, reset (no auth)', async () => {
    const add = await fetch(`${emu.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ route: 'status', status: 502 }, { route: 'result', status: 504, times: 2 }]),
    });
    expect(add.status).toBe(200);
    expect((await add.json()).queued).toBe(2);
    const bad = await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ route: 'x' }) });
    expect(bad.status).toBe(400);

    const { body } = await submitDirect(emu);
    const faulted = await fetch(body.status_url, { headers: auth() });
    expect(faulted.status).toBe(502);
    expect(faulted.headers.get('x-fal-error-type')).toBe('runner_incomplete_response');

    const stats = await (await fetch(`${emu.url}/_emulator/stats`)).json();
    expect(stats).toMatchObject({
      submits: 1, accepted: 1, rejected: 0, cancelled: 0, completed: 0, failed: 0, maxInFlight: 1, uploads: 0, downloads: 0,
      rangeDownloads: 0, duplicates: 0, running: 1, billed: 0,
    });

    const reset = await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' });
    expect(reset.status).toBe(200);
    expect(emu.jobs.size).toBe(0);
    expect(emu.calls).toHaveLength(0);
    expect((await (await fetch(`${emu.url}/_emulator/faults`)).json()).faults).toEqual([]);
    expect(emu.stats()).toMatchObject({ submits: 0, running: 0 });
  });

  test('latencyMs delays every answer', async () => {
    const slow = await startEmulator({ latencyMs: 40 });
    try {
      const t0 = Date.now();
      const res = await fetch(`${slow.url}/v1/models?limit=1`);
      expect(res.status).toBe(200);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(35); // a lower bound only
    } finally {
      await slow.close();
    }
  });

  test('an unknown option is refused', async () => {
    await expect(startEmulator({ concurency: 2 })).rejects.toThrow(/unknown emulator option concurency/);
    await expect(startEmulator({ inProgressCancel: 'maybe' })).rejects.toThrow(TypeError);
  });
});
