// Conformance, webhooks as fal delivers them: when a job submitted with ?fal_webhook=<url> ends, a signed JSON POST
// with fal's body; retries with backoff on a failed delivery; knobs for a duplicate, a late delivery, the gateway id
// signed, a null payload, another fal user, and an unreachable key set.
'use strict';

const { createHash, createPublicKey, verify } = require('node:crypto');
const { startEmulator } = require('../emulator');
const { ENDPOINT, KEY, falClientFor, auth, goodInput, submitDirect, waitFor, waitEnded, waitStatus, startReceiver } = require('./helpers');

let emu;
let receiver;
beforeAll(async () => {
  emu = await startEmulator({ apiKey: KEY, queueMs: 5, progressMs: 5, webhookRetryMs: 20 });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());
afterEach(async () => {
  if (receiver) await receiver.close();
  receiver = undefined;
});

const hook = (url) => `?fal_webhook=${encodeURIComponent(url)}`;

/** Checks fal's webhook signature with the emulator's published key. */
async function verifySignature(delivery) {
  const jwks = await (await fetch(`${emu.url}/.well-known/jwks.json`)).json();
  const h = delivery.headers;
  const message = [
    h['x-fal-webhook-request-id'], h['x-fal-webhook-user-id'], h['x-fal-webhook-timestamp'],
    createHash('sha256').update(delivery.raw).digest('hex'),
  ].join('\n');
  return jwks.keys.some((jwk) => verify(null, Buffer.from(message), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(h['x-fal-webhook-signature'], 'hex')));
}

test('a completed job: one POST with status OK and the result as payload, signed; fal\'s client sends fal_webhook', async () => {
  receiver = await startReceiver();
  const fal = falClientFor(emu);
  const { request_id: id } = await fal.queue.submit(ENDPOINT, { input: goodInput(emu), webhookUrl: receiver.url });
  expect(emu.calls.find((c) => c.route === 'submit').query).toEqual({ fal_webhook: receiver.url });
  await waitFor(() => receiver.received.length === 1, 'the webhook');
  const [d] = receiver.received;
  const result = await fal.queue.result(ENDPOINT, { requestId: id });
  expect(d.method).toBe('POST');
  expect(d.path).toBe('/hook');
  expect(d.headers['content-type']).toBe('application/json');
  expect(d.headers.authorization).toBeUndefined();
  expect(d.json).toEqual({ request_id: id, gateway_request_id: id, status: 'OK', payload: result.data, error: null });
  expect(d.headers['x-fal-webhook-request-id']).toBe(id);
  expect(Math.abs(Number(d.headers['x-fal-webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(300);
  expect(await verifySignature(d)).toBe(true);
  // a tampered body does not verify
  expect(await verifySignature({ ...d, raw: Buffer.from(d.raw.toString().replace('"OK"', '"ERROR"')) })).toBe(false);
  expect(emu.webhooks).toEqual([{ url: receiver.url, requestId: id, gatewayRequestId: id, signedId: id, userId: 'emulator-user', delivery: 1, attempt: 1, status: 200, at: expect.any(Number), outcome: 'OK' }]);
  expect(await (await fetch(`${emu.url}/_emulator/webhooks`)).json()).toEqual({ webhooks: emu.webhooks });
  expect(JSON.stringify(d.headers)).not.toContain(KEY);
});

test('a failed job: status ERROR, error "Invalid status code: 422", the result\'s detail as payload', async () => {
  receiver = await startReceiver();
  const { body } = await submitDirect(emu, goodInput(emu, { image_url: `${emu.url}/_samples/png/100x100.png` }), { query: hook(receiver.url) });
  await waitFor(() => receiver.received.length === 1, 'the webhook');
  const result = await (await fetch(body.response_url, { headers: auth() })).json();
  expect(receiver.received[0].json).toEqual({
    request_id: body.request_id, gateway_request_id: body.request_id, status: 'ERROR', error: 'Invalid status code: 422', payload: result,
  });
  expect(result.detail[0].type).toBe('image_too_small');
});

test('a generation error (500) and a cancelled job are delivered as ERROR too', async () => {
  receiver = await startReceiver();
  const failed = await submitDirect(emu, goodInput(emu, { prompt: '[emulator:fail]' }), { query: hook(receiver.url) });
  const slow = await startEmulator({ queueMs: 60000, webhookRetryMs: 20 });
  try {
    const queued = await submitDirect(slow, goodInput(slow), { query: hook(receiver.url) });
    await fetch(queued.body.cancel_url, { method: 'PUT', headers: auth() });
    await waitFor(() => receiver.received.length === 2, 'two webhooks');
    const byId = Object.fromEntries(receiver.received.map((r) => [r.json.request_id, r.json]));
    expect(byId[failed.body.request_id]).toMatchObject({ status: 'ERROR', error: 'Invalid status code: 500' });
    expect(byId[queued.body.request_id]).toMatchObject({
      status: 'ERROR', error: 'Invalid status code: 499', payload: { detail: 'Request was cancelled', error_type: 'client_cancelled' },
    });
  } finally {
    await slow.close();
  }
});

test('a running job cancelled: one ERROR delivery once it has stopped, not at the cancel', async () => {
  receiver = await startReceiver();
  const slow = await startEmulator({ queueMs: 0, progressMs: 60000, cancelMs: 100 });
  try {
    const { body } = await submitDirect(slow, goodInput(slow), { query: hook(receiver.url) });
    await waitStatus(slow, body.request_id, 'IN_PROGRESS');
    await fetch(body.cancel_url, { method: 'PUT', headers: auth() });
    expect(slow.webhooks).toEqual([]);
    const job = await waitEnded(slow, body.request_id);
    await waitFor(() => receiver.received.length === 1, 'the webhook');
    expect(slow.webhooks[0].at).toBeGreaterThanOrEqual(job.completedAt);
    expect(receiver.received[0].json.status).toBe('ERROR');
  } finally {
    await slow.close();
  }
});

test('a failed delivery is retried with doubling backoff until a 2xx', async () => {
  receiver = await startReceiver([500, 503, 'reset']);
  const { body } = await submitDirect(emu, goodInput(emu), { query: hook(receiver.url) });
  await waitFor(() => emu.webhooks.some((w) => w.status === 200), 'a delivered webhook');
  const attempts = emu.webhooks;
  expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
  expect(attempts.map((a) => a.status)).toStrictEqual([500, 503, undefined, 200]);
  expect(attempts[2].error).toMatch(/ECONNRESET|socket hang up/);
  expect(attempts.every((a) => a.requestId === body.request_id && a.delivery === 1)).toBe(true);
  // lower bounds set by the emulator itself: 20, 40, 80 ms between attempts
  expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(18);
  expect(attempts[2].at - attempts[1].at).toBeGreaterThanOrEqual(38);
  expect(attempts[3].at - attempts[2].at).toBeGreaterThanOrEqual(78);
  // the same body every time
  expect(new Set(receiver.received.filter((r) => r.json).map((r) => r.raw.toString())).size).toBe(1);
});

test('a receiver that never succeeds gets 10 attempts, then no more', async () => {
  const fast = await startEmulator({ queueMs: 0, progressMs: 0, webhookRetryMs: 1 });
  try {
    receiver = await startReceiver(new Array(20).fill(500));
    await submitDirect(fast, goodInput(fast), { query: hook(receiver.url) });
    await waitFor(() => fast.webhooks.length === 10 && fast.webhooks[9].status === 500, 'ten attempts', 30000);
    await new Promise((r) => setTimeout(r, 1100)); // longer than the next backoff (512 ms)
    expect(fast.webhooks).toHaveLength(10);
    expect(receiver.received).toHaveLength(10);
  } finally {
    await fast.close();
  }
});

test('an unreachable receiver is recorded with the error', async () => {
  const fast = await startEmulator({ queueMs: 0, progressMs: 0, webhookRetryMs: 1 });
  try {
    await submitDirect(fast, goodInput(fast), { query: hook('http://127.0.0.1:1/hook') });
    await waitFor(() => fast.webhooks.length >= 2, 'two attempts');
    expect(fast.webhooks[0]).toMatchObject({ attempt: 1, error: 'ECONNREFUSED' });
    expect(fast.webhooks[0].status).toBeUndefined();
  } finally {
    await fast.close();
  }
});

test('fault duplicate: the same body delivered twice; fault delayMs: delivered late; both consumed per delivery', async () => {
  receiver = await startReceiver();
  emu.fault([{ route: 'webhook', duplicate: true }, { route: 'webhook', delayMs: 300 }]);
  const a = await submitDirect(emu, goodInput(emu, { prompt: 'a' }), { query: hook(receiver.url) });
  await waitFor(() => receiver.received.length === 2, 'two deliveries of the first job');
  expect(receiver.received[0].raw.equals(receiver.received[1].raw)).toBe(true);
  expect(emu.webhooks.map((w) => [w.requestId, w.delivery, w.attempt])).toStrictEqual([[a.body.request_id, 1, 1], [a.body.request_id, 2, 1]]);

  const b = await submitDirect(emu, goodInput(emu, { prompt: 'b' }), { query: hook(receiver.url) });
  const job = await waitEnded(emu, b.body.request_id);
  await waitFor(() => receiver.received.length === 3, 'the late delivery');
  const late = emu.webhooks[2];
  expect(late.at - job.completedAt).toBeGreaterThanOrEqual(295);

  const c = await submitDirect(emu, goodInput(emu, { prompt: 'c' }), { query: hook(receiver.url) });
  await waitFor(() => receiver.received.length === 4, 'a plain delivery');
  expect(emu.webhooks.filter((w) => w.requestId === c.body.request_id)).toHaveLength(1);
});

test('faults signGatewayId, payloadError, userId: fal\'s other deliveries, still signed; a fault on route jwks: the key set unreachable', async () => {
  receiver = await startReceiver();
  emu.fault([{ route: 'webhook', signGatewayId: true }, { route: 'webhook', payloadError: 'not serialisable' }, { route: 'webhook', userId: 'someone-else' }]);
  const ids = [];
  for (const prompt of ['a', 'b', 'c']) {
    ids.push((await submitDirect(emu, goodInput(emu, { prompt }), { query: hook(receiver.url) })).body.request_id);
    await waitFor(() => receiver.received.length === ids.length, `delivery ${prompt}`);
  }
  const [gateway, noPayload, other] = receiver.received;
  expect(gateway.json.request_id).toBe(ids[0]);
  expect(gateway.json.gateway_request_id).not.toBe(ids[0]);
  expect(gateway.headers['x-fal-webhook-request-id']).toBe(gateway.json.gateway_request_id);
  expect(noPayload.json).toMatchObject({ request_id: ids[1], status: 'OK', payload: null, payload_error: 'not serialisable' });
  expect(other.headers['x-fal-webhook-user-id']).toBe('someone-else');
  for (const d of receiver.received) expect(await verifySignature(d)).toBe(true);
  expect(emu.webhooks.map((w) => [w.signedId === w.gatewayRequestId, w.gatewayRequestId === w.requestId, w.userId])).toEqual([
    [true, false, 'emulator-user'], [true, true, 'emulator-user'], [true, true, 'someone-else'],
  ]);
  expect(() => emu.fault({ route: 'status', userId: 'x' })).toThrow(TypeError);
  emu.fault({ route: 'jwks', reset: true });
  await expect(fetch(`${emu.url}/.well-known/jwks.json`)).rejects.toThrow();
  expect((await fetch(`${emu.url}/.well-known/jwks.json`)).status).toBe(200);
  expect(emu.calls.filter((c) => c.route === 'jwks').slice(-2).map((c) => c.fault ?? 'none')).toEqual(['reset', 'none']);
});

test('a job without fal_webhook posts nothing', async () => {
  receiver = await startReceiver();
  const { body } = await submitDirect(emu);
  await waitEnded(emu, body.request_id);
  await new Promise((r) => setTimeout(r, 100));
  expect(emu.webhooks).toEqual([]);
  expect(receiver.received).toEqual([]);
});
