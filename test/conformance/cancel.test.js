// Conformance, cancel as fal does it: a queued job ends at once (never billed); a running one is only asked to stop.
'use strict';

const { ApiError } = require('@fal-ai/client');
const { startEmulator } = require('../emulator');
const { ENDPOINT, KEY, falClientFor, auth, goodInput, submitDirect, waitFor, waitEnded, waitStatus } = require('./helpers');

const cancel = (emu, body) => fetch(body.cancel_url, { method: 'PUT', headers: auth() });

test('queue.cancel of a job still in the queue: it ends at once, never billed; later cancels are ALREADY_COMPLETED', async () => {
  const emu = await startEmulator({ apiKey: KEY, queueMs: 60000, progressMs: 60000 });
  try {
    const fal = falClientFor(emu);
    const { request_id: id } = await fal.queue.submit(ENDPOINT, { input: goodInput(emu) });
    const before = await fal.queue.status(ENDPOINT, { requestId: id });
    expect(before.status).toBe('IN_QUEUE');
    await expect(fal.queue.cancel(ENDPOINT, { requestId: id })).resolves.toBeUndefined();
    expect(emu.calls.find((c) => c.route === 'cancel')).toMatchObject({ method: 'PUT', status: 202, path: `/fal-ai/minimax/requests/${id}/cancel` });
    expect(emu.jobs.get(id)).toMatchObject({ status: 'CANCELLED', cancelRequested: true, billed: false, cancelRequests: 1 });
    expect(emu.jobs.get(id).cancelRequestedAt).toBeGreaterThanOrEqual(emu.jobs.get(id).submittedAt);
    expect(emu.jobs.get(id).startedAt).toBeUndefined();
    const after = await fal.queue.status(ENDPOINT, { requestId: id });
    expect(after).toMatchObject({ status: 'COMPLETED', error_type: 'client_cancelled' });
    const again = await fal.queue.cancel(ENDPOINT, { requestId: id }).catch((e) => e);
    expect(again).toBeInstanceOf(ApiError);
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ status: 'ALREADY_COMPLETED' });
    const result = await fal.queue.result(ENDPOINT, { requestId: id }).catch((e) => e);
    expect(result).toBeInstanceOf(ApiError);
    expect(result.requestId).toBe(id);
    expect(result.status).toBe(499);
    const unknown = await fal.queue.cancel(ENDPOINT, { requestId: 'no-such-id' }).catch((e) => e);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ status: 'NOT_FOUND' });
    expect(emu.stats()).toMatchObject({ accepted: 1, cancelled: 1, completed: 0, billed: 0, maxInFlight: 1, running: 0 });
    expect(emu.calls.some((c) => c.route === 'sample')).toBe(false); // the runner never read the image
  } finally {
    await emu.close();
  }
});

describe('cancelling a running job only asks the runner to stop', () => {
  test('202, the job stays IN_PROGRESS while it stops; a second cancel is 202 again; nothing is generated', async () => {
    const emu = await startEmulator({ queueMs: 0, progressMs: 60000, cancelMs: 60000 });
    try {
      const { body } = await submitDirect(emu);
      const id = body.request_id;
      await waitStatus(emu, id, 'IN_PROGRESS');
      const first = await cancel(emu, body);
      expect(first.status).toBe(202);
      expect(await first.json()).toEqual({ status: 'CANCELLATION_REQUESTED' });
      const job = emu.jobs.get(id);
      expect(job).toMatchObject({ status: 'IN_PROGRESS', cancelRequested: true, cancelRequests: 1 });
      const status = await fetch(body.status_url, { headers: auth() });
      expect(status.status).toBe(202);
      expect(await status.json()).toMatchObject({ status: 'IN_PROGRESS' });
      expect((await fetch(body.response_url, { headers: auth() })).status).toBe(400); // still in progress
      const second = await cancel(emu, body);
      expect(second.status).toBe(202);
      expect(await second.json()).toEqual({ status: 'CANCELLATION_REQUESTED' });
      expect(emu.jobs.get(id)).toMatchObject({ status: 'IN_PROGRESS', cancelRequests: 2 });
      expect(emu.stats()).toMatchObject({ running: 1, cancelled: 0 });
    } finally {
      await emu.close();
    }
  });

  test('cancelMs later it ends COMPLETED with the cancellation error: status, result, record and stats say so', async () => {
    const emu = await startEmulator({ apiKey: KEY, queueMs: 0, progressMs: 60000, cancelMs: 50 });
    try {
      const fal = falClientFor(emu);
      const { request_id: id } = await fal.queue.submit(ENDPOINT, { input: goodInput(emu) });
      await waitStatus(emu, id, 'IN_PROGRESS');
      await fal.queue.cancel(ENDPOINT, { requestId: id });
      const job = await waitEnded(emu, id);
      expect(job).toMatchObject({ status: 'COMPLETED', error: 'Request was cancelled', errorType: 'client_cancelled', billed: false });
      expect(job.output).toBeUndefined();
      expect(job.completedAt - job.cancelRequestedAt).toBeGreaterThanOrEqual(45); // it stopped after cancelMs, not at once
      const status = await fal.queue.status(ENDPOINT, { requestId: id, logs: true });
      expect(status).toMatchObject({ status: 'COMPLETED', error: 'Request was cancelled', error_type: 'client_cancelled' });
      expect(status.logs.map((l) => l.message)).toEqual(expect.arrayContaining([expect.stringMatching(/Cancellation requested/)]));
      const result = await fal.queue.result(ENDPOINT, { requestId: id }).catch((e) => e);
      expect(result).toBeInstanceOf(ApiError);
      expect(result.body).toMatchObject({ error_type: 'client_cancelled' });
      const late = await fal.queue.cancel(ENDPOINT, { requestId: id }).catch((e) => e);
      expect(late.status).toBe(400);
      expect(late.body).toEqual({ status: 'ALREADY_COMPLETED' });
      expect(emu.stats()).toMatchObject({ cancelled: 1, completed: 0, failed: 0, running: 0, billed: 0 });
    } finally {
      await emu.close();
    }
  });

  test('inProgressCancel "ignore": the runner goes on and the video still comes, billed', async () => {
    const emu = await startEmulator({ queueMs: 0, progressMs: 100, inProgressCancel: 'ignore' });
    try {
      const { body } = await submitDirect(emu);
      await waitStatus(emu, body.request_id, 'IN_PROGRESS');
      expect((await cancel(emu, body)).status).toBe(202);
      const job = await waitEnded(emu, body.request_id);
      expect(job).toMatchObject({ status: 'COMPLETED', cancelRequested: true, billed: true, costUsd: 0.28 });
      expect(job.error).toBeUndefined();
      expect((await fetch(body.response_url, { headers: auth() })).status).toBe(200);
      expect(emu.stats()).toMatchObject({ cancelled: 0, completed: 1 });
    } finally {
      await emu.close();
    }
  });

  test('a cancel while the runner is still fetching the image stops the fetch too', async () => {
    const emu = await startEmulator({ queueMs: 0, progressMs: 0, cancelMs: 0, imageFetchTimeoutMs: 60000 });
    try {
      emu.fault({ route: 'sample', stallAfterBytes: 10 });
      const { body } = await submitDirect(emu);
      await waitFor(() => emu.calls.some((c) => c.route === 'sample' && c.runner && c.fault === 'stall'), 'the runner to stall on the image');
      expect(emu.jobs.get(body.request_id).status).toBe('IN_PROGRESS');
      await cancel(emu, body);
      const job = await waitEnded(emu, body.request_id);
      expect(job).toMatchObject({ errorType: 'client_cancelled', billed: false });
      expect(job.inputsReadAt).toBeUndefined(); // the runner never finished reading the image
    } finally {
      await emu.close();
    }
  });
});
