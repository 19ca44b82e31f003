// Conformance, how long fal keeps things (fal's "Get request result" and "Data Retention & Storage" pages): the result
// 1 hour after the job ends (6 minutes when 10 KB or larger) with payload storage off (X-Fal-Store-IO: 0), 30 days
// with it on (the default); then the job is gone: 404 like an id fal never gave (assumed). The video file lives on the
// CDN until the lifecycle the submit asked for (X-Fal-Object-Lifecycle-Preference) ends, whatever the result's fate.
'use strict';

const { ApiError } = require('@fal-ai/client');
const { startEmulator } = require('../emulator');
const R = require('../emulator/retention');
const { ENDPOINT, KEY, falClientFor, auth, jsonHeaders, goodInput, waitEnded } = require('./helpers');

let emu;
let fal;
beforeAll(async () => {
  emu = await startEmulator({ apiKey: KEY, queueMs: 10, progressMs: 20, validation: 'runner', streamKeepAliveMs: 0 });
  fal = falClientFor(emu);
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function run(input = goodInput(emu), headers = {}) {
  const res = await fetch(`${emu.url}/${ENDPOINT}`, { method: 'POST', headers: { ...jsonHeaders(), ...headers }, body: JSON.stringify(input) });
  const body = await res.json();
  await waitEnded(emu, body.request_id);
  return body;
}

/** What each queue call answers for this id: [status, body] of status, stream, result, cancel. */
async function answers(id) {
  const base = `${emu.url}/fal-ai/minimax/requests/${id}`;
  const out = [];
  for (const [url, method] of [[`${base}/status`, 'GET'], [`${base}/status/stream`, 'GET'], [base, 'GET'], [`${base}/cancel`, 'PUT']]) {
    const res = await fetch(url, { method, headers: auth() });
    out.push([res.status, res.headers.get('x-fal-request-id') === id, await res.text()]);
  }
  return out;
}

const STORE_OFF = { 'x-fal-store-io': '0' };

test('the figures, as named constants', () => {
  expect([R.RESULT_RETENTION_MS, R.LARGE_RESULT_RETENTION_MS, R.LARGE_RESULT_BYTES, R.PAYLOAD_STORAGE_MS])
    .toEqual([3600000, 360000, 10000, 30 * 24 * 3600000]);
  expect([R.retentionMs(false, 9999), R.retentionMs(false, 10000), R.retentionMs(true, 10e6)]).toEqual([3600000, 360000, 30 * 24 * 3600000]);
});

test('the submit\'s X-Fal-Store-IO is recorded on the job; only "0" turns storage off', async () => {
  const off = await run(goodInput(emu), STORE_OFF);
  const on = await run();
  const other = await run(goodInput(emu), { 'x-fal-store-io': 'false' });
  expect(emu.jobs.get(off.request_id)).toMatchObject({ storeIo: false, storeIoHeader: '0' });
  expect(emu.jobs.get(on.request_id).storeIo).toBe(true);
  expect(emu.jobs.get(on.request_id).storeIoHeader).toBeUndefined();
  expect(emu.jobs.get(other.request_id)).toMatchObject({ storeIo: true, storeIoHeader: 'false' });
});

describe('payload storage off: one hour, then gone like an unknown id', () => {
  test('the result, status, stream and cancel answer until the hour is up, then exactly as for an id fal never gave', async () => {
    const { request_id: id } = await run(goodInput(emu), STORE_OFF);
    const job = emu.jobs.get(id);
    expect(job.resultExpiresAt).toBe(job.completedAt + R.RESULT_RETENTION_MS);
    const unknown = await answers('00000000-0000-4000-8000-000000000000');
    emu.advanceClock(R.RESULT_RETENTION_MS - 60000);
    const before = await answers(id);
    expect(before.map(([s, own]) => [s, own])).toEqual([[200, true], [200, true], [200, true], [400, true]]);
    emu.advanceClock(60000);
    expect(await answers(id)).toEqual(unknown);
    expect(unknown.map(([s]) => s)).toEqual([404, 404, 404, 404]);
    const err = await fal.queue.result(ENDPOINT, { requestId: id }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(404);
    expect(emu.calls.filter((c) => c.route === 'result').at(-1).status).toBe(404); // not retried
    expect(emu.jobs.get(id)).toMatchObject({ status: 'COMPLETED', billed: true }); // the record stays for tests
  });

  test('a result of 10 KB or more is kept six minutes', async () => {
    const big = await run(goodInput(emu, { extra: 'x'.repeat(R.LARGE_RESULT_BYTES) }), STORE_OFF); // a 422 echoing the input
    const job = emu.jobs.get(big.request_id);
    expect(job.errorType).toBe('extra_forbidden');
    expect(job.resultExpiresAt).toBe(job.completedAt + R.LARGE_RESULT_RETENTION_MS);
    emu.advanceClock(R.LARGE_RESULT_RETENTION_MS - 1000);
    expect((await fetch(big.response_url, { headers: auth() })).status).toBe(422);
    emu.advanceClock(1000);
    expect((await fetch(big.response_url, { headers: auth() })).status).toBe(404);
  });
});

test('payload storage on (the default): still there after an hour, gone after 30 days', async () => {
  const { request_id: id, response_url: url } = await run();
  emu.advanceClock(R.RESULT_RETENTION_MS + 1000);
  expect((await fetch(url, { headers: auth() })).status).toBe(200);
  emu.advanceClock(R.PAYLOAD_STORAGE_MS);
  expect((await fetch(url, { headers: auth() })).status).toBe(404);
  expect(emu.jobs.get(id).resultExpiresAt).toBe(emu.jobs.get(id).completedAt + R.PAYLOAD_STORAGE_MS);
});

test('emu.expire and the admin endpoint move one job past its retention; a running job cannot be; reset sets the clock back', async () => {
  const a = await run();
  const b = await run();
  emu.expire(a.request_id);
  expect((await fetch(a.response_url, { headers: auth() })).status).toBe(404);
  expect((await fetch(b.response_url, { headers: auth() })).status).toBe(200);
  const admin = await fetch(`${emu.url}/_emulator/expire`, { method: 'POST', body: JSON.stringify({ request_id: b.request_id }) });
  expect(admin.status).toBe(200);
  expect((await fetch(b.response_url, { headers: auth() })).status).toBe(404);
  const slow = await fetch(`${emu.url}/${ENDPOINT}`, { method: 'POST', headers: jsonHeaders(), body: JSON.stringify(goodInput(emu, { prompt: 'x [emulator:ms=60000]' })) });
  const running = (await slow.json()).request_id;
  expect(() => emu.expire(running)).toThrow(/has not ended/);
  expect((await fetch(`${emu.url}/_emulator/expire`, { method: 'POST', body: JSON.stringify({ request_id: running }) })).status).toBe(400);
  expect((await fetch(`${emu.url}/_emulator/expire`, { method: 'POST', body: JSON.stringify({ request_id: 'nope' }) })).status).toBe(404);
  const clock = await (await fetch(`${emu.url}/_emulator/clock`, { method: 'POST', body: JSON.stringify({ advance_ms: 5000 }) })).json();
  expect(clock.offset_ms).toBe(5000);
  emu.reset();
  expect((await (await fetch(`${emu.url}/_emulator/clock`)).json()).offset_ms).toBe(0);
});

describe('the video file\'s lifecycle (X-Fal-Object-Lifecycle-Preference)', () => {
  const videoOf = (id) => emu.jobs.get(id).output.video.url;

  test('fal\'s client sends storageSettings as the header; the file is deleted N seconds after the job ends, the result stays', async () => {
    const { request_id: id } = await fal.queue.submit(ENDPOINT, { input: goodInput(emu), storageSettings: { expiresIn: 120 } });
    const sent = emu.calls.find((c) => c.route === 'submit').headers['x-fal-object-lifecycle-preference'];
    expect(sent).toBe('{"expiration_duration_seconds":120}');
    const job = await waitEnded(emu, id);
    expect(job.lifecycle).toEqual({ header: sent, expirationSeconds: 120 });
    expect(job.fileExpiresAt).toBe(job.completedAt + 120000);
    expect((await fetch(videoOf(id))).status).toBe(200);
    emu.advanceClock(119000);
    expect((await fetch(videoOf(id))).status).toBe(200);
    emu.advanceClock(1000);
    expect((await fetch(videoOf(id))).status).toBe(404);
    expect((await fal.queue.result(ENDPOINT, { requestId: id })).data.video.url).toBe(videoOf(id)); // the result outlives its file
  });

  test('the client\'s named durations; null keeps the file; a result gone leaves the file', async () => {
    const { request_id: day } = await fal.queue.submit(ENDPOINT, { input: goodInput(emu), storageSettings: { expiresIn: '1d' } });
    const never = await run(goodInput(emu), { ...STORE_OFF, 'x-fal-object-lifecycle-preference': '{"expiration_duration_seconds": null}' });
    await waitEnded(emu, day);
    expect(emu.jobs.get(day).lifecycle.expirationSeconds).toBe(86400);
    expect(emu.jobs.get(never.request_id).lifecycle).toMatchObject({ expirationSeconds: null });
    emu.advanceClock(2 * 86400 * 1000);
    expect((await fetch(videoOf(day))).status).toBe(404);
    expect((await fetch(never.response_url, { headers: auth() })).status).toBe(404); // the result is gone (storage off)...
    expect((await fetch(videoOf(never.request_id))).status).toBe(200); // ...the file is not
  });

  test('a header fal\'s runner cannot read is recorded and ignored: the file stays', async () => {
    const cases = ['in an hour', '[3600]', '{"expiration_duration_seconds": -5}', '{"expiration_duration_seconds": "3600"}', '{"initial_acl": "private"}'];
    const ids = [];
    for (const header of cases) ids.push((await run(goodInput(emu), { 'x-fal-object-lifecycle-preference': header })).request_id);
    expect(ids.map((id) => emu.jobs.get(id).lifecycle)).toEqual([
      { header: cases[0], ignored: 'not JSON' },
      { header: cases[1], ignored: 'not a JSON object' },
      { header: cases[2], ignored: 'expiration_duration_seconds is not a positive number or null' },
      { header: cases[3], ignored: 'expiration_duration_seconds is not a positive number or null' },
      { header: cases[4], initialAcl: 'private', ignored: 'no expiration_duration_seconds' },
    ]);
    emu.advanceClock(365 * 86400 * 1000);
    for (const id of ids) {
      expect(emu.jobs.get(id).fileExpiresAt).toBeUndefined();
      expect((await fetch(videoOf(id))).status).toBe(200);
    }
  });

  test('emu.expireFile and the admin endpoint delete one file at once', async () => {
    const a = await run();
    const b = await run();
    emu.expireFile(a.request_id);
    expect((await fetch(videoOf(a.request_id))).status).toBe(404);
    expect((await fetch(a.response_url, { headers: auth() })).status).toBe(200);
    const admin = await fetch(`${emu.url}/_emulator/expire`, { method: 'POST', body: JSON.stringify({ request_id: b.request_id, file: true }) });
    expect(admin.status).toBe(200);
    expect((await fetch(videoOf(b.request_id))).status).toBe(404);
    const failed = await run(goodInput(emu, { prompt: 'x [emulator:fail]' }));
    expect(() => emu.expireFile(failed.request_id)).toThrow(/no video file/);
  });
});
