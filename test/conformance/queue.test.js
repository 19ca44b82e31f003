// Conformance, the queue: submit, status (poll and SSE stream), result, input validation, concurrency.
'use strict';

const { ApiError, ValidationError } = require('@fal-ai/client');
const { startEmulator } = require('../emulator');
const {
  ENDPOINT, KEY, MP4, UUID, falClientFor, auth, goodInput, submitDirect, waitFor, waitEnded, parseSse,
} = require('./helpers');

describe('fal client: the queue', () => {
  let emu;
  let fal;
  beforeAll(async () => {
    emu = await startEmulator({ apiKey: KEY, queueMs: 50, progressMs: 150 });
    fal = falClientFor(emu);
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  test('queue.submit, queue.status and queue.result speak fal\'s paths and shapes', async () => {
    const input = goodInput(emu, { duration: '10', prompt_optimizer: false });
    const sub = await fal.queue.submit(ENDPOINT, { input });
    const id = sub.request_id;
    expect(id).toMatch(UUID);
    // URLs drop the endpoint sub-path: owner/alias only
    expect(sub.status_url).toBe(`${emu.url}/fal-ai/minimax/requests/${id}/status`);
    expect(sub.response_url).toBe(`${emu.url}/fal-ai/minimax/requests/${id}`);
    expect(sub.cancel_url).toBe(`${emu.url}/fal-ai/minimax/requests/${id}/cancel`);
    expect(sub.queue_position).toBe(0);

    const first = await fal.queue.status(ENDPOINT, { requestId: id });
    expect(first.request_id).toBe(id);
    expect(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']).toContain(first.status);

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
    expect(submitCall.body).toEqual(input);
    expect(submitCall.headers.authorization).toBe('Key ***');
    expect(submitCall.headers['x-fal-queue-priority']).toBe('normal');
    const statusCalls = emu.calls.filter((c) => c.route === 'status');
    expect(statusCalls.map((c) => c.query.logs)).toEqual(['0', '1']);
    expect(statusCalls.every((c) => c.path === `/fal-ai/minimax/requests/${id}/status`)).toBe(true);
    expect(emu.jobs.get(id)).toMatchObject({ status: 'COMPLETED', endpoint: ENDPOINT, fetched: true, billed: true, costUsd: 0.56 });
    expect(emu.stats()).toMatchObject({ submits: 1, accepted: 1, rejected: 0, completed: 1, failed: 0, billed: 1, billedUsd: 0.56, running: 0 });
  });

  test('subscribe in polling mode', async () => {
    const updates = [];
    let enqueued;
    const result = await fal.subscribe(ENDPOINT, {
      input: goodInput(emu),
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
      input: goodInput(emu),
      mode: 'streaming',
      onEnqueue: (id) => {
        enqueued = id;
      },
      onQueueUpdate: (u) => updates.push(u.status),
    });
    expect(result.requestId).toBe(enqueued);
    expect(result.data.video.file_name).toBe('output.mp4');
    // the stream sends changes only (fal's docs promise no first event): the client's IN_QUEUE is its own enqueue
    expect(updates).toEqual(['IN_PROGRESS', 'COMPLETED']);
    const streams = emu.calls.filter((c) => c.route === 'stream');
    expect(streams).toHaveLength(1);
    expect(streams[0].path).toBe(`/fal-ai/minimax/requests/${enqueued}/status/stream`);
    expect(streams[0].headers.accept).toContain('text/event-stream');
    expect(emu.calls.some((c) => c.route === 'status')).toBe(false);
  });

  test('queue.streamStatus emits every status change and ends after COMPLETED', async () => {
    const { request_id: id } = await fal.queue.submit(ENDPOINT, { input: goodInput(emu) });
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
    expect(seen).toEqual(['IN_PROGRESS', 'COMPLETED']);
    expect(stream.requestId).toBe(id); // from x-fal-request-id
    // logs come incrementally: no duplicates across events
    expect(new Set(logs.map((l) => l.message)).size).toBe(logs.length);
    expect(logs.length).toBeGreaterThanOrEqual(2);
  });

  test('an invalid input is a 422 ValidationError with FastAPI-shaped fieldErrors', async () => {
    const err = await fal.queue
      .submit(ENDPOINT, { input: { image_url: goodInput(emu).image_url, duration: 6, prompt_optimizer: 'maybe' } })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.status).toBe(422);
    const names = err.fieldErrors.map((e) => e.loc[e.loc.length - 1]);
    expect(names).toEqual(['prompt', 'duration', 'prompt_optimizer']);
    expect(err.getFieldErrors('prompt')[0]).toMatchObject({ loc: ['body', 'prompt'], msg: 'Field required', type: 'missing' });
    expect(err.getFieldErrors('duration')[0]).toMatchObject({ type: 'enum', msg: "Input should be '6' or '10'" });
    expect(err.requestId).toMatch(UUID);

    const long = await fal.queue.submit(ENDPOINT, { input: goodInput(emu, { prompt: 'x'.repeat(2001) }) }).catch((e) => e);
    expect(long).toBeInstanceOf(ValidationError);
    expect(long.getFieldErrors('prompt')[0]).toMatchObject({ type: 'string_too_long', ctx: { max_length: 2000 } });
    const empty = await fal.queue.submit(ENDPOINT, { input: goodInput(emu, { prompt: '' }) }).catch((e) => e);
    expect(empty.getFieldErrors('prompt')[0].type).toBe('string_too_short');

    // "2000 characters" is accepted
    await expect(fal.queue.submit(ENDPOINT, { input: goodInput(emu, { prompt: 'y'.repeat(2000) }) })).resolves.toHaveProperty('request_id');
    expect(emu.stats()).toMatchObject({ submits: 4, accepted: 1, rejected: 3 });
  });

  test('an unknown input field is a 422 extra_forbidden, after the other errors, and no job', async () => {
    const err = await fal.queue.submit(ENDPOINT, { input: goodInput(emu, { seed: 1, resolution: '768P' }) }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.fieldErrors).toEqual([
      { type: 'extra_forbidden', loc: ['body', 'seed'], msg: 'Extra inputs are not permitted', input: 1 },
      { type: 'extra_forbidden', loc: ['body', 'resolution'], msg: 'Extra inputs are not permitted', input: '768P' },
    ]);
    const both = await fal.queue.submit(ENDPOINT, { input: { prompt: 'x', seed: 2 } }).catch((e) => e);
    expect(both.fieldErrors.map((e) => e.type)).toEqual(['missing', 'extra_forbidden']);
    expect(emu.stats()).toMatchObject({ submits: 2, accepted: 0, rejected: 2 });
    expect(emu.jobs.size).toBe(0);
  });

  test('a failed generation ([emulator:fail]) ends COMPLETED with an error; result throws with the request id', async () => {
    let enqueued;
    const err = await fal
      .subscribe(ENDPOINT, {
        input: goodInput(emu, { prompt: 'make it fail [emulator:fail]' }),
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
    expect(emu.jobs.get(enqueued)).toMatchObject({ status: 'COMPLETED', error: 'Generation failed (emulator)', billed: false });
    expect(emu.stats()).toMatchObject({ failed: 1, completed: 0, billed: 0 });
    expect(emu.calls.filter((c) => c.route === 'result')).toHaveLength(1); // a 500 result is not retried
  });

  test('an unknown endpoint or request is a 404', async () => {
    const err = await fal.queue.submit('fal-ai/minimax/hailuo-9/ultra/image-to-video', { input: goodInput(emu) }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(404);
    const other = await fal.queue.submit('fal-ai/flux/dev', { input: { prompt: 'x' } }).catch((e) => e);
    expect(other.status).toBe(404);
    const status = await fal.queue.status(ENDPOINT, { requestId: 'does-not-exist' }).catch((e) => e);
    expect(status.status).toBe(404);
  });
});

describe('plain HTTP: the queue', () => {
  let emu;
  beforeAll(async () => {
    emu = await startEmulator({ queueMs: 300, progressMs: 300 }); // long enough to see a job before it ends
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
    expect(['IN_QUEUE', 'IN_PROGRESS']).toContain(earlyBody.status);
    expect(earlyBody).toMatchObject({ request_id: body.request_id, logs: null });
    const notYet = await fetch(body.response_url, { headers: auth() });
    expect(notYet.status).toBe(400);
    expect(await notYet.json()).toEqual({ detail: 'Request is still in progress' });
    await waitEnded(emu, body.request_id);
    const late = await fetch(body.status_url, { headers: auth() });
    expect(late.status).toBe(200);
    expect((await late.json()).status).toBe('COMPLETED');
    const unknown = await fetch(`${emu.url}/fal-ai/minimax/requests/nope/status`, { headers: auth() });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-fal-request-id')).toMatch(UUID);
  });

  test('queue_position counts the jobs ahead', async () => {
    const a = await submitDirect(emu);
    const b = await submitDirect(emu, goodInput(emu, { prompt: 'second' }));
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
    // changes only (the default, streamFirstEvent 'on-change'): nothing at once while the job waits in the queue
    expect(events.map((e) => e.status)).toEqual(['IN_PROGRESS', 'COMPLETED']);
    expect(events[1]).toMatchObject({ request_id: body.request_id, metrics: { inference_time: expect.any(Number) } });
    // a stream opened after the end sends the final status at once and closes
    const again = parseSse(await (await fetch(`${body.status_url}/stream`, { headers: auth() })).text());
    expect(again.map((e) => e.status)).toEqual(['COMPLETED']);
  });

  test('a prompt marker works from another process too (plain HTTP, no client)', async () => {
    const { body } = await submitDirect(emu, goodInput(emu, { prompt: '[emulator:fail] please' }));
    await waitEnded(emu, body.request_id);
    const res = await fetch(body.response_url, { headers: auth() });
    expect(res.status).toBe(500);
    expect(res.headers.get('x-fal-request-id')).toBe(body.request_id);
    expect((await res.json()).detail[0].msg).toBe('Generation failed (emulator)');
  });

  test('validation "runner": an invalid input is accepted, then fails after queueing with the 422', async () => {
    const late = await startEmulator({ queueMs: 5, progressMs: 5, validation: 'runner' });
    try {
      const { res, body } = await submitDirect(late, { prompt: 'x', image_url: `${late.url}/_samples/frame.jpg`, seed: 3 });
      expect(res.status).toBe(200);
      const job = await waitEnded(late, body.request_id);
      expect(job).toMatchObject({ status: 'COMPLETED', errorType: 'extra_forbidden', billed: false });
      const result = await fetch(body.response_url, { headers: auth() });
      expect(result.status).toBe(422);
      expect((await result.json()).detail[0]).toMatchObject({ type: 'extra_forbidden', loc: ['body', 'seed'] });
      // the runner never read the image: it stopped at the input
      expect(late.calls.some((c) => c.route === 'sample')).toBe(false);
    } finally {
      await late.close();
    }
  });
});

describe('concurrency: at most N jobs IN_PROGRESS, like a fal account', () => {
  let emu;
  beforeAll(async () => {
    emu = await startEmulator({ queueMs: 0, progressMs: 400, concurrency: 2 });
  });
  afterAll(() => emu.close());

  test('five jobs: two run at a time, the rest wait IN_QUEUE with a queue_position that only goes down', async () => {
    const subs = [];
    for (let i = 0; i < 5; i += 1) subs.push((await submitDirect(emu, goodInput(emu, { prompt: `job ${i}` }))).body);
    const last = subs[4];
    const positions = [];
    let maxSeen = 0;
    for (;;) {
      const s = await (await fetch(last.status_url, { headers: auth() })).json();
      const running = [...emu.jobs.values()].filter((j) => j.status === 'IN_PROGRESS').length;
      maxSeen = Math.max(maxSeen, running);
      if (s.status !== 'IN_QUEUE') break;
      positions.push(s.queue_position);
    }
    await waitFor(() => [...emu.jobs.values()].every((j) => j.status === 'COMPLETED'), 'every job to complete');
    expect(maxSeen).toBeLessThanOrEqual(2);
    expect(positions.length).toBeGreaterThan(0); // two ran before it: it had to wait
    expect([...positions].sort((a, b) => b - a)).toEqual(positions);
    const jobs = subs.map((s) => emu.jobs.get(s.request_id));
    // started in submit order, and the third only once one of the first two had ended
    const starts = jobs.map((j) => j.startedAt);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    expect(jobs[2].startedAt).toBeGreaterThanOrEqual(Math.min(jobs[0].completedAt, jobs[1].completedAt));
    expect(emu.stats()).toMatchObject({ maxRunning: 2, maxInFlight: 5, completed: 5, running: 0 });
  });

  test('queue_position of a waiting job decreases as jobs ahead start', async () => {
    const slow = await startEmulator({ queueMs: 0, progressMs: 60000, concurrency: 1, cancelMs: 0 });
    try {
      const subs = [];
      for (let i = 0; i < 3; i += 1) subs.push((await submitDirect(slow, goodInput(slow, { prompt: `job ${i}` }))).body);
      await waitFor(() => slow.jobs.get(subs[0].request_id).status === 'IN_PROGRESS', 'the first job to start');
      const pos = async () => (await (await fetch(subs[2].status_url, { headers: auth() })).json());
      const before = await pos();
      expect(before).toMatchObject({ status: 'IN_QUEUE', queue_position: 1 });
      expect(slow.jobs.get(subs[1].request_id).status).toBe('IN_QUEUE'); // the limit holds a ready job back
      // the first job ends (a cancel, cancelMs 0): the second starts, the third moves up
      await fetch(subs[0].cancel_url, { method: 'PUT', headers: auth() });
      await waitFor(() => slow.jobs.get(subs[1].request_id).status === 'IN_PROGRESS', 'the second job to start');
      expect(await pos()).toMatchObject({ status: 'IN_QUEUE', queue_position: 0 });
      expect(slow.stats()).toMatchObject({ maxRunning: 1, running: 2 });
    } finally {
      await slow.close();
    }
  });
});
