// Conformance: fal's own JavaScript client (@fal-ai/client 1.10.1) drives the emulator in test/emulator, with only
// the origin of fal's hosts rewritten. Nothing here talks to anything but 127.0.0.1.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { createFalClient, ApiError, ValidationError } = require('@fal-ai/client');
const { startEmulator } = require('./emulator');

const ENDPOINT = 'fal-ai/minimax/hailuo-2.3/standard/image-to-video';
const KEY = 'test-key';
const FAL_ORIGINS = ['https://queue.fal.run', 'https://rest.fal.ai', 'https://api.fal.ai', 'https://fal.run'];
const FIXTURES = path.join(__dirname, 'emulator', 'fixtures');
const PNG = fs.readFileSync(path.join(FIXTURES, 'frame.png'));
const JPG = fs.readFileSync(path.join(FIXTURES, 'frame.jpg'));
const MP4 = fs.readFileSync(path.join(FIXTURES, 'video.mp4'));
const EXTERNAL_IMAGE = 'https://example.invalid/first-frame.jpg'; // accepted as-is, never fetched

/**
 * A fal client whose every request goes to the emulator: the middleware rewrites fal's origins, and a guarding
 * fetch refuses anything that is not on emu.url (the storage PUT bypasses the middleware, so it is checked there).
 */
function falClientFor(emu, credentials = KEY) {
  return createFalClient({
    credentials,
    requestMiddleware: async (req) => {
      const origin = FAL_ORIGINS.find((o) => req.url === o || req.url.startsWith(`${o}/`));
      return origin ? { ...req, url: emu.url + req.url.slice(origin.length) } : req;
    },
    fetch: (url, init) => {
      const u = String(url);
      if (!u.startsWith(`${emu.url}/`)) throw new Error(`test guard: refusing a request off the emulator: ${u}`);
      return fetch(u, init);
    },
  });
}

const auth = (key = KEY) => ({ authorization: `Key ${key}` });
const jsonHeaders = (key = KEY) => ({ ...auth(key), 'content-type': 'application/json' });
const goodInput = (extra = {}) => ({ prompt: 'A lighthouse at dusk, waves rolling in', image_url: EXTERNAL_IMAGE, ...extra });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function submitDirect(emu, input = goodInput(), key = KEY) {
  const res = await fetch(`${emu.url}/${ENDPOINT}`, { method: 'POST', headers: jsonHeaders(key), body: JSON.stringify(input) });
  return { res, body: await res.json() };
}

async function waitEnded(emu, id, timeoutMs = 10000) {
  const t0 = Date.now();
  for (;;) {
    const job = emu.jobs.get(id);
    if (job && (job.status === 'COMPLETED' || job.status === 'CANCELLED')) return job;
    if (Date.now() - t0 > timeoutMs) throw new Error(`job ${id} did not end`);
    await sleep(10);
  }
}

/** Top-level MP4 boxes of a buffer: [{ type, start, size }]; throws when the sizes do not tile the buffer. */
function mp4Boxes(buf) {
  const boxes = [];
  let pos = 0;
  while (pos < buf.length) {
    if (pos + 8 > buf.length) throw new Error(`truncated box header at ${pos}`);
    let size = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    if (size === 1) size = Number(buf.readBigUInt64BE(pos + 8));
    else if (size === 0) size = buf.length - pos;
    if (size < 8 || pos + size > buf.length) throw new Error(`bad box ${type} of size ${size} at ${pos}`);
    boxes.push({ type, start: pos, size });
    pos += size;
  }
  return boxes;
}

/** Reads an SSE body into its `data:` payloads, checking the framing. */
function parseSse(text) {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => {
      expect(frame.startsWith('data: ')).toBe(true);
      return JSON.parse(frame.slice('data: '.length));
    });
}

describe('fal client against the emulator', () => {
  let emu;
  let fal;

  beforeAll(async () => {
    emu = await startEmulator({ apiKey: KEY, queueMs: 50, progressMs: 150 });
    fal = falClientFor(emu);
  });
  afterAll(async () => {
    await emu.close();
  });
  beforeEach(() => emu.reset());

  test('queue.submit, queue.status and queue.result speak fal\'s paths and shapes', async () => {
    const sub = await fal.queue.submit(ENDPOINT, { input: goodInput({ duration: '10', prompt_optimizer: false }) });
    const id = sub.request_id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // URLs drop the endpoint sub-path: owner/alias only
    expect(sub.status_url).toBe(`${emu.url}/fal-ai/minimax/requests/${id}/status`);
    expect(sub.response_url).toBe(`${emu.url}/fal-ai/minimax/requests/${id}`);
    expect(sub.cancel_url).toBe(`${emu.url}/fal-ai/minimax/requests/${id}/cancel`);
    expect(sub.queue_position).toBe(0);

    const first = await fal.queue.status(ENDPOINT, { requestId: id });
    expect(['IN_QUEUE', 'IN_PROGRESS']).toContain(first.status);

    await waitEnded(emu, id);
    const done = await fal.queue.status(ENDPOINT, { requestId: id, logs: true });
    expect(done.status).toBe('COMPLETED');
    expect(done.error).toBeUndefined();
    expect(typeof done.metrics.inference_time).toBe('number');
    expect(done.logs.length).toBeGreaterThan(0);

    const result = await fal.queue.result(ENDPOINT, { requestId: id });
    expect(result.requestId).toBe(id);
    expect(result.data.video).toEqual({
      url: `${emu.url}/cdn/${id}/output.mp4`,
      content_type: 'video/mp4',
      file_name: 'output.mp4',
      file_size: MP4.length,
    });

    const submitCall = emu.calls.find((c) => c.route === 'submit');
    expect(submitCall.path).toBe(`/${ENDPOINT}`);
    expect(submitCall.body).toEqual(goodInput({ duration: '10', prompt_optimizer: false }));
    expect(submitCall.headers.authorization).toBe('Key ***');
    expect(submitCall.headers['x-fal-queue-priority']).toBe('normal');
    const statusCalls = emu.calls.filter((c) => c.route === 'status');
    expect(statusCalls.map((c) => c.query.logs)).toEqual(['0', '1']);
    expect(statusCalls.every((c) => c.path === `/fal-ai/minimax/requests/${id}/status`)).toBe(true);
    expect(emu.jobs.get(id)).toMatchObject({ status: 'COMPLETED', endpoint: ENDPOINT, fetched: true });
    expect(emu.stats()).toMatchObject({ submits: 1, accepted: 1, rejected: 0, completed: 1, failed: 0 });
  });

  test('subscribe in polling mode', async () => {
    const updates = [];
    let enqueued;
    const result = await fal.subscribe(ENDPOINT, {
      input: goodInput(),
      pollInterval: 20,
      logs: true,
      onEnqueue: (id) => {
        enqueued = id;
      },
      onQueueUpdate: (u) => updates.push(u.status),
    });
    expect(result.requestId).toBe(enqueued);
    expect(result.data.video.url).toBe(`${emu.url}/cdn/${enqueued}/output.mp4`);
    expect(updates[updates.length - 1]).toBe('COMPLETED');
    expect(updates.some((s) => s === 'IN_QUEUE' || s === 'IN_PROGRESS')).toBe(true);
    expect(emu.calls.filter((c) => c.route === 'status').length).toBe(updates.length);
    expect(emu.calls.some((c) => c.route === 'stream')).toBe(false);
  });

  test('subscribe in streaming mode uses the SSE status stream, not polling', async () => {
    const updates = [];
    let enqueued;
    const result = await fal.subscribe(ENDPOINT, {
      input: goodInput(),
      mode: 'streaming',
      onEnqueue: (id) => {
        enqueued = id;
      },
      onQueueUpdate: (u) => updates.push(u.status),
    });
    expect(result.requestId).toBe(enqueued);
    expect(result.data.video.file_name).toBe('output.mp4');
    expect(updates).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']);
    const streams = emu.calls.filter((c) => c.route === 'stream');
    expect(streams).toHaveLength(1);
    expect(streams[0].path).toBe(`/fal-ai/minimax/requests/${enqueued}/status/stream`);
    expect(streams[0].headers.accept).toContain('text/event-stream');
    expect(emu.calls.some((c) => c.route === 'status')).toBe(false);
  });

  test('queue.streamStatus emits every status change and ends after COMPLETED', async () => {
    const { request_id: id } = await fal.queue.submit(ENDPOINT, { input: goodInput() });
    const stream = await fal.queue.streamStatus(ENDPOINT, { requestId: id, logs: true });
    const seen = [];
    const logs = [];
    stream.on('data', (d) => {
      seen.push(d.status);
      logs.push(...(d.logs || []));
    });
    const last = await stream.done();
    expect(last.status).toBe('COMPLETED');
    expect(last.request_id).toBe(id);
    expect(seen).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']);
    expect(stream.requestId).toBe(id); // from x-fal-request-id
    // logs come incrementally: no duplicates across events
    expect(new Set(logs.map((l) => l.message)).size).toBe(logs.length);
    expect(logs.length).toBeGreaterThanOrEqual(2);
  });

  test('storage.upload(Blob) stores the bytes; file_url serves them back; the signed PUT carries no key', async () => {
    const url = await fal.storage.upload(new Blob([PNG], { type: 'image/png' }));
    expect(url.startsWith(`${emu.url}/files/`)).toBe(true);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
    expect(emu.uploads.get(url)).toMatchObject({ contentType: 'image/png' });
    expect(emu.uploads.get(url).bytes.equals(PNG)).toBe(true);

    const initiate = emu.calls.find((c) => c.route === 'initiate');
    expect(initiate.path).toBe('/storage/upload/initiate');
    expect(initiate.query).toEqual({ storage_type: 'fal-cdn-v3' });
    expect(initiate.body).toMatchObject({ content_type: 'image/png' });
    expect(initiate.body.file_name).toMatch(/\.png$/);
    const put = emu.calls.find((c) => c.route === 'upload');
    expect(put.method).toBe('PUT');
    expect(put.headers.authorization).toBeUndefined();
    expect(emu.stats().uploads).toBe(1);
  });

  test('a Blob in the input is uploaded by the client and the job completes with it', async () => {
    const result = await fal.subscribe(ENDPOINT, {
      input: goodInput({ image_url: new Blob([JPG], { type: 'image/jpeg' }) }),
      pollInterval: 20,
    });
    const job = emu.jobs.get(result.requestId);
    expect(job.status).toBe('COMPLETED');
    expect(job.error).toBeUndefined();
    expect(emu.uploads.get(job.input.image_url).bytes.equals(JPG)).toBe(true);
  });

  test('a wrong key is an ApiError 401 that never echoes the key', async () => {
    const wrong = falClientFor(emu, 'not-the-key');
    const err = await wrong.queue.submit(ENDPOINT, { input: goodInput() }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).not.toBeInstanceOf(ValidationError);
    expect(err.status).toBe(401);
    expect(typeof err.body.detail).toBe('string');
    expect(JSON.stringify(err.body)).not.toContain('not-the-key');
    expect(emu.calls.filter((c) => c.route === 'submit')).toHaveLength(1); // 401 is not retried
    expect(emu.calls[0].headers.authorization).toBe('Key ***');
    expect(emu.stats()).toMatchObject({ submits: 1, accepted: 0, rejected: 1 });

    const missing = await fetch(`${emu.url}/fal-ai/minimax/requests/x/status`);
    expect(missing.status).toBe(401);
    const bearer = await fetch(`${emu.url}/v1/models/pricing?endpoint_id=${ENDPOINT}`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(bearer.status).toBe(401);
  });

  test('an invalid input is a 422 ValidationError with FastAPI-shaped fieldErrors', async () => {
    const err = await fal.queue
      .submit(ENDPOINT, { input: { image_url: EXTERNAL_IMAGE, duration: 6, prompt_optimizer: 'maybe' } })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.status).toBe(422);
    const names = err.fieldErrors.map((e) => e.loc[e.loc.length - 1]);
    expect(names).toEqual(['prompt', 'duration', 'prompt_optimizer']);
    expect(err.getFieldErrors('prompt')[0]).toMatchObject({ loc: ['body', 'prompt'], msg: 'Field required', type: 'missing' });
    expect(err.getFieldErrors('duration')[0]).toMatchObject({ type: 'enum', msg: "Input should be '6' or '10'" });
    expect(err.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const long = await fal.queue.submit(ENDPOINT, { input: goodInput({ prompt: 'x'.repeat(2001) }) }).catch((e) => e);
    expect(long).toBeInstanceOf(ValidationError);
    expect(long.getFieldErrors('prompt')[0]).toMatchObject({ type: 'string_too_long', ctx: { max_length: 2000 } });
    const empty = await fal.queue.submit(ENDPOINT, { input: goodInput({ prompt: '' }) }).catch((e) => e);
    expect(empty.getFieldErrors('prompt')[0].type).toBe('string_too_short');

    // extra fields are ignored; "2000 characters" is accepted
    await expect(fal.queue.submit(ENDPOINT, { input: goodInput({ prompt: 'y'.repeat(2000), seed: 1 }) })).resolves.toHaveProperty('request_id');
    expect(emu.stats()).toMatchObject({ submits: 4, accepted: 1, rejected: 3 });
  });

  test('a failed generation ([emulator:fail]) ends COMPLETED with an error; result throws with the request id', async () => {
    let enqueued;
    const err = await fal
      .subscribe(ENDPOINT, {
        input: goodInput({ prompt: 'make it fail [emulator:fail]' }),
        pollInterval: 20,
        onEnqueue: (id) => {
          enqueued = id;
        },
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.requestId).toBe(enqueued);
    expect(err.status).toBe(500);
    const status = await fal.queue.status(ENDPOINT, { requestId: enqueued });
    expect(status).toMatchObject({ status: 'COMPLETED', error: 'Generation failed (emulator)', error_type: 'internal_server_error' });
    expect(emu.jobs.get(enqueued)).toMatchObject({ status: 'COMPLETED', error: 'Generation failed (emulator)' });
    expect(emu.stats()).toMatchObject({ failed: 1, completed: 0 });
    expect(emu.calls.filter((c) => c.route === 'result')).toHaveLength(1); // a 500 result is not retried
  });

  test('an image_url on the emulator that does not exist fails the job like a download error', async () => {
    const { request_id: id } = await fal.queue.submit(ENDPOINT, { input: goodInput({ image_url: `${emu.url}/files/nope/missing.png` }) });
    await waitEnded(emu, id);
    const status = await fal.queue.status(ENDPOINT, { requestId: id });
    expect(status).toMatchObject({ status: 'COMPLETED', error_type: 'file_download_error' });
    const err = await fal.queue.result(ENDPOINT, { requestId: id }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.requestId).toBe(id);
    expect(err.getFieldErrors('image_url')[0].type).toBe('file_download_error');
  });

  test('an uploaded image too small for the model fails after queueing', async () => {
    // a 64x64 PNG made from the fixture's header with the size rewritten is enough for the header sniffing
    const tiny = Buffer.from(PNG);
    tiny.writeUInt32BE(64, 16);
    tiny.writeUInt32BE(64, 20);
    const url = await fal.storage.upload(new Blob([tiny], { type: 'image/png' }));
    const { request_id: id } = await fal.queue.submit(ENDPOINT, { input: goodInput({ image_url: url }) });
    const job = await waitEnded(emu, id);
    expect(job.errorType).toBe('image_too_small');
    const err = await fal.queue.result(ENDPOINT, { requestId: id }).catch((e) => e);
    expect(err.status).toBe(422);
  });

  test('the result video is a real MP4 (ftyp at bytes 4..8)', async () => {
    const { data } = await fal.subscribe(ENDPOINT, { input: goodInput(), pollInterval: 20 });
    const res = await fetch(data.video.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(Number(res.headers.get('content-length'))).toBe(data.video.file_size);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.toString('latin1', 4, 8)).toBe('ftyp');
    expect(bytes.equals(MP4)).toBe(true);
    expect(mp4Boxes(bytes).map((b) => b.type)).toEqual(expect.arrayContaining(['ftyp', 'moov', 'mdat']));
    expect(emu.stats().downloads).toBe(1);
  });

  test('queue.cancel of a job still in the queue: CANCELLED, later status COMPLETED with error, result errors', async () => {
    const slow = await startEmulator({ queueMs: 60000, progressMs: 60000 });
    try {
      const sfal = falClientFor(slow);
      const { request_id: id } = await sfal.queue.submit(ENDPOINT, { input: goodInput() });
      const before = await sfal.queue.status(ENDPOINT, { requestId: id });
      expect(before.status).toBe('IN_QUEUE');
      await expect(sfal.queue.cancel(ENDPOINT, { requestId: id })).resolves.toBeUndefined();
      expect(slow.calls.find((c) => c.route === 'cancel')).toMatchObject({ method: 'PUT', status: 202, path: `/fal-ai/minimax/requests/${id}/cancel` });
      expect(slow.jobs.get(id).status).toBe('CANCELLED');
      const after = await sfal.queue.status(ENDPOINT, { requestId: id });
      expect(after).toMatchObject({ status: 'COMPLETED', error_type: 'client_cancelled' });
      const again = await sfal.queue.cancel(ENDPOINT, { requestId: id }).catch((e) => e);
      expect(again).toBeInstanceOf(ApiError);
      expect(again.status).toBe(400);
      expect(again.body).toEqual({ status: 'ALREADY_COMPLETED' });
      const result = await sfal.queue.result(ENDPOINT, { requestId: id }).catch((e) => e);
      expect(result).toBeInstanceOf(ApiError);
      expect(result.requestId).toBe(id);
      const unknown = await sfal.queue.cancel(ENDPOINT, { requestId: 'no-such-id' }).catch((e) => e);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ status: 'NOT_FOUND' });
      expect(slow.stats()).toMatchObject({ accepted: 1, cancelled: 1, completed: 0, maxInFlight: 1, inFlight: 0 });
    } finally {
      await slow.close();
    }
  });

  test('an unknown endpoint is a 404', async () => {
    const err = await fal.queue.submit('fal-ai/minimax/hailuo-9/ultra/image-to-video', { input: goodInput() }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(404);
    const other = await fal.queue.submit('fal-ai/flux/dev', { input: { prompt: 'x' } }).catch((e) => e);
    expect(other.status).toBe(404);
    const status = await fal.queue.status(ENDPOINT, { requestId: 'does-not-exist' }).catch((e) => e);
    expect(status.status).toBe(404);
  });

  test('fal_webhook is accepted (and recorded) on submit', async () => {
    const { request_id: id } = await fal.queue.submit(ENDPOINT, { input: goodInput(), webhookUrl: 'https://example.invalid/hook' });
    expect(emu.calls.find((c) => c.route === 'submit').query).toEqual({ fal_webhook: 'https://example.invalid/hook' });
    expect(emu.jobs.get(id).webhookUrl).toBe('https://example.invalid/hook');
  });
});

describe('faults, as fal\'s client meets them', () => {
  let emu;
  let fal;
  beforeAll(async () => {
    emu = await startEmulator({ queueMs: 20, progressMs: 30 });
    fal = falClientFor(emu);
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  test('a submit reset after the job was accepted makes fal\'s client submit again: two paid jobs', async () => {
    emu.fault({ route: 'submit', afterAccept: true });
    const sub = await fal.queue.submit(ENDPOINT, { input: goodInput() });
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
    await fal.queue.submit(ENDPOINT, { input: goodInput() });
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
    const { request_id: id } = await fal.queue.submit(ENDPOINT, { input: goodInput() });
    emu.fault({ route: 'status', status: 500 });
    const s = await fal.queue.status(ENDPOINT, { requestId: id });
    expect(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']).toContain(s.status);
    expect(emu.calls.filter((c) => c.route === 'status').map((c) => c.status)).toEqual([500, expect.any(Number)]);

    emu.fault({ route: 'result', status: 422, body: { detail: [{ loc: ['body', 'prompt'], msg: 'nope', type: 'value_error' }] } });
    await waitEnded(emu, id);
    const err = await fal.queue.result(ENDPOINT, { requestId: id }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.requestId).toBe(id);
    expect(emu.calls.filter((c) => c.route === 'result')).toHaveLength(1);
    expect((await fal.queue.result(ENDPOINT, { requestId: id })).data.video).toBeDefined();
  });

  test('times, delayMs and reset', async () => {
    emu.fault({ route: 'pricing', status: 429, times: 2 });
    const url = `${emu.url}/v1/models/pricing?endpoint_id=${ENDPOINT}`;
    expect((await fetch(url, { headers: auth() })).status).toBe(429);
    expect((await fetch(url, { headers: auth() })).status).toBe(429);
    expect((await fetch(url, { headers: auth() })).status).toBe(200);

    emu.fault({ route: 'pricing', delayMs: 30 });
    const res = await fetch(url, { headers: auth() });
    expect(res.status).toBe(200);
    expect(emu.calls[emu.calls.length - 1].fault).toBe('delay');

    emu.fault({ route: 'pricing', reset: true });
    await expect(fetch(url, { headers: auth() })).rejects.toThrow();
    expect(emu.calls[emu.calls.length - 1]).toMatchObject({ status: 0, fault: 'reset' });
  });

  test('a CDN download cut after N bytes breaks the body', async () => {
    const { data } = await fal.subscribe(ENDPOINT, { input: goodInput(), pollInterval: 10 });
    emu.fault({ route: 'cdn', cutAfterBytes: 1000 });
    const res = await fetch(data.video.url);
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBe(MP4.length);
    await expect(res.arrayBuffer()).rejects.toThrow();
    // resume with a Range request
    const rest = await fetch(data.video.url, { headers: { range: 'bytes=1000-' } });
    expect(rest.status).toBe(206);
    expect(Buffer.from(await rest.arrayBuffer()).equals(MP4.subarray(1000))).toBe(true);
  });

  test('a status stream cut mid-way errors the client\'s stream', async () => {
    const { request_id: id } = await fal.queue.submit(ENDPOINT, { input: goodInput() });
    emu.fault({ route: 'stream', cutAfterBytes: 20 });
    const stream = await fal.queue.streamStatus(ENDPOINT, { requestId: id });
    await expect(stream.done()).rejects.toBeInstanceOf(ApiError);
  });

  test('emu.fault rejects a bad spec; clearFaults drops queued ones', async () => {
    expect(() => emu.fault({ route: 'nowhere', status: 500 })).toThrow(TypeError);
    expect(() => emu.fault({ route: 'status', afterAccept: true })).toThrow(TypeError);
    emu.fault({ route: 'pricing', status: 500 });
    emu.clearFaults();
    const res = await fetch(`${emu.url}/v1/models/pricing?endpoint_id=${ENDPOINT}`, { headers: auth() });
    expect(res.status).toBe(200);
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
});

describe('direct HTTP checks', () => {
  let emu;
  beforeAll(async () => {
    emu = await startEmulator({ queueMs: 50, progressMs: 100 });
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  test('status answers 202 while queued or running, 200 once completed; x-fal-request-id is the job id', async () => {
    const { res, body } = await submitDirect(emu);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-fal-request-id')).toBe(body.request_id);
    const early = await fetch(body.status_url, { headers: auth() });
    expect(early.status).toBe(202);
    expect(early.headers.get('x-fal-request-id')).toBe(body.request_id);
    const earlyBody = await early.json();
    expect(earlyBody).toMatchObject({ status: 'IN_QUEUE', queue_position: 0, request_id: body.request_id, logs: null });
    const notYet = await fetch(body.response_url, { headers: auth() });
    expect(notYet.status).toBe(400);
    expect(await notYet.json()).toEqual({ detail: 'Request is still in progress' });
    await waitEnded(emu, body.request_id);
    const late = await fetch(body.status_url, { headers: auth() });
    expect(late.status).toBe(200);
    expect((await late.json()).status).toBe('COMPLETED');
    const unknown = await fetch(`${emu.url}/fal-ai/minimax/requests/nope/status`, { headers: auth() });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-fal-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('queue_position counts the jobs ahead', async () => {
    const a = await submitDirect(emu);
    const b = await submitDirect(emu, goodInput({ prompt: 'second' }));
    expect(a.body.queue_position).toBe(0);
    expect(b.body.queue_position).toBe(1);
    expect(emu.stats().maxInFlight).toBe(2);
  });

  test('the SSE stream: text/event-stream, one `data: <json>` frame per change, ends after COMPLETED', async () => {
    const { body } = await submitDirect(emu);
    const res = await fetch(`${body.status_url}/stream`, { headers: { ...auth(), accept: 'text/event-stream' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('x-fal-request-id')).toBe(body.request_id);
    const events = parseSse(await res.text()); // resolves only because the server ends the stream
    expect(events.map((e) => e.status)).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']);
    expect(events[2]).toMatchObject({ request_id: body.request_id, metrics: { inference_time: expect.any(Number) } });
    // a stream opened after the end sends the final status at once and closes
    const again = parseSse(await (await fetch(`${body.status_url}/stream`, { headers: auth() })).text());
    expect(again.map((e) => e.status)).toEqual(['COMPLETED']);
  });

  test('CDN Range requests: 206 with Content-Range, 416 past the end, HEAD', async () => {
    const { body } = await submitDirect(emu);
    await waitEnded(emu, body.request_id);
    const video = `${emu.url}/cdn/${body.request_id}/output.mp4`;
    const part = await fetch(video, { headers: { range: 'bytes=4-7' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 4-7/${MP4.length}`);
    expect(part.headers.get('content-length')).toBe('4');
    expect(part.headers.get('x-fal-request-id')).toBe(body.request_id);
    expect(Buffer.from(await part.arrayBuffer()).toString('latin1')).toBe('ftyp');
    const suffix = await fetch(video, { headers: { range: 'bytes=-10' } });
    expect(Buffer.from(await suffix.arrayBuffer()).equals(MP4.subarray(MP4.length - 10))).toBe(true);
    const past = await fetch(video, { headers: { range: `bytes=${MP4.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${MP4.length}`);
    const head = await fetch(video, { method: 'HEAD' });
    expect(head.headers.get('accept-ranges')).toBe('bytes');
    expect(head.headers.get('content-length')).toBe(String(MP4.length));
    expect((await fetch(`${emu.url}/cdn/unknown-id/output.mp4`)).status).toBe(404);
  });

  test('platform API: pricing needs the key; the catalogue answers anyone', async () => {
    const pricing = await fetch(`${emu.url}/v1/models/pricing?endpoint_id=${ENDPOINT}`, { headers: auth() });
    expect(pricing.status).toBe(200);
    expect(await pricing.json()).toEqual({
      prices: [{ endpoint_id: ENDPOINT, unit_price: 0.28, unit: 'video', currency: 'USD' }],
      next_cursor: null,
      has_more: false,
    });
    const wrong = await fetch(`${emu.url}/v1/models/pricing?endpoint_id=${ENDPOINT}`, { headers: auth('wrong-key') });
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(await wrong.json())).not.toContain('wrong-key');
    const models = await fetch(`${emu.url}/v1/models?limit=1`, { headers: auth('wrong-key') });
    expect(models.status).toBe(200);
    expect((await models.json()).models).toHaveLength(1);
    expect((await fetch(`${emu.url}/v1/models?limit=1`)).status).toBe(200);
  });

  test('multipart upload (the path fal\'s client takes over 90 MB), driven directly with small parts', async () => {
    const init = await fetch(`${emu.url}/storage/upload/initiate-multipart?storage_type=fal-cdn-v3`, {
      method: 'POST',
      headers: jsonHeaders(),
      body: JSON.stringify({ content_type: 'image/jpeg', file_name: 'big.jpg' }),
    });
    const { upload_url: uploadUrl, file_url: fileUrl } = await init.json();
    const parts = [JPG.subarray(0, 1000), JPG.subarray(1000)];
    const etags = [];
    for (let i = 0; i < parts.length; i += 1) {
      const r = await fetch(`${uploadUrl}/${i + 1}`, { method: 'PUT', body: parts[i] });
      const j = await r.json();
      expect(j.partNumber).toBe(i + 1);
      etags.push(j);
    }
    const done = await fetch(`${uploadUrl}/complete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ parts: etags }) });
    expect(done.status).toBe(200);
    const back = await fetch(fileUrl);
    expect(back.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await back.arrayBuffer()).equals(JPG)).toBe(true);
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
    expect(stats).toMatchObject({ submits: 1, accepted: 1, rejected: 0, cancelled: 0, completed: 0, failed: 0, maxInFlight: 1, uploads: 0, downloads: 0, duplicates: 0 });

    const reset = await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' });
    expect(reset.status).toBe(200);
    expect(emu.jobs.size).toBe(0);
    expect(emu.calls).toHaveLength(0);
    expect((await (await fetch(`${emu.url}/_emulator/faults`)).json()).faults).toEqual([]);
    expect(emu.stats().submits).toBe(0);
  });

  test('a prompt marker works from another process too (plain HTTP, no client)', async () => {
    const { body } = await submitDirect(emu, goodInput({ prompt: '[emulator:fail] please' }));
    await waitEnded(emu, body.request_id);
    const res = await fetch(body.response_url, { headers: auth() });
    expect(res.status).toBe(500);
    expect(res.headers.get('x-fal-request-id')).toBe(body.request_id);
    expect((await res.json()).detail[0].msg).toBe('Generation failed (emulator)');
  });

  test('emu.calls never holds the raw key', async () => {
    await submitDirect(emu);
    await submitDirect(emu, goodInput(), 'another-secret');
    await fetch(`${emu.url}/v1/models/pricing?endpoint_id=${ENDPOINT}`, { headers: { ...auth(), 'x-extra': `also ${KEY}` } });
    const dump = JSON.stringify(emu.calls);
    expect(dump).not.toContain(KEY);
    expect(dump).not.toContain('another-secret');
    expect(emu.calls.every((c) => c.headers.authorization === 'Key ***')).toBe(true);
  });
});

describe('a large video (videoBytes)', () => {
  const SIZE = 5 * 1024 * 1024 + 123;
  let emu;
  beforeAll(async () => {
    emu = await startEmulator({ queueMs: 10, progressMs: 10, videoBytes: SIZE });
  });
  afterAll(() => emu.close());

  test('content-length matches, and the padded stream is a valid MP4 ending in one free box', async () => {
    const fal = falClientFor(emu);
    const { data } = await fal.subscribe(ENDPOINT, { input: goodInput(), pollInterval: 10 });
    expect(data.video.file_size).toBe(SIZE);
    const res = await fetch(data.video.url);
    expect(res.headers.get('content-length')).toBe(String(SIZE));
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBe(SIZE);
    expect(bytes.subarray(0, MP4.length).equals(MP4)).toBe(true);
    const boxes = mp4Boxes(bytes);
    const last = boxes[boxes.length - 1];
    expect(last).toEqual({ type: 'free', start: MP4.length, size: SIZE - MP4.length });
    expect(boxes.map((b) => b.type)).toEqual([...mp4Boxes(MP4).map((b) => b.type), 'free']);
    // a range across the fixture/padding boundary
    const cross = await fetch(data.video.url, { headers: { range: `bytes=${MP4.length - 2}-${MP4.length + 9}` } });
    const got = Buffer.from(await cross.arrayBuffer());
    expect(got.equals(bytes.subarray(MP4.length - 2, MP4.length + 10))).toBe(true);
  });

  test('a videoBytes too small for a free box is refused', async () => {
    await expect(startEmulator({ videoBytes: MP4.length + 3 })).rejects.toThrow(RangeError);
  });
});
