// Conformance, fal's error headers as faults give them: request errors ({detail, error_type}, X-Fal-Error-Type) of
// every documented type, model errors ({detail: [...]}, X-Fal-Retryable), a 504 with X-Fal-Request-Timeout-Type:
// user, and what fal's own client does with each: it retries by status code alone (429, 502, 503, 504; X-Fal-Retryable
// is not read), except a user timeout, which it never retries.
'use strict';

const { ApiError, ValidationError } = require('@fal-ai/client');
const { startEmulator } = require('../emulator');
const { REQUEST_ERRORS, MODEL_ERRORS } = require('../emulator/errors');
const { ENDPOINT, KEY, falClientFor, auth, goodInput, submitDirect, waitEnded } = require('./helpers');

let emu;
let fal;
beforeAll(async () => {
  emu = await startEmulator({ apiKey: KEY, queueMs: 10, progressMs: 20 });
  fal = falClientFor(emu);
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const falHeaders = (res) => Object.fromEntries([...res.headers].filter(([k]) => k.startsWith('x-fal-') && k !== 'x-fal-request-id'));
const models = () => fetch(`${emu.url}/v1/models?limit=1`);
const calls = (route) => emu.calls.filter((c) => c.route === route);

describe('fal\'s vocabulary over HTTP', () => {
  test('every request error type: its documented status, {detail, error_type}, X-Fal-Error-Type, and no X-Fal-Retryable', async () => {
    const seen = [];
    for (const [type, { status }] of Object.entries(REQUEST_ERRORS)) {
      emu.fault({ route: 'models', errorType: type });
      const res = await models();
      seen.push([type, res.status]);
      expect(falHeaders(res)).toEqual({ 'x-fal-error-type': type });
      expect(await res.json()).toEqual({ detail: expect.any(String), error_type: type });
      expect(res.status).toBe(status);
    }
    expect(Object.fromEntries(seen)).toEqual({
      request_timeout: 504, startup_timeout: 504, runner_scheduling_failure: 503, runner_connection_timeout: 503,
      runner_disconnected: 503, runner_connection_refused: 503, runner_connection_error: 503, runner_incomplete_response: 502,
      runner_server_error: 500, client_disconnected: 499, client_cancelled: 499, bad_request: 400, internal_error: 500,
    });
  });

  test('every model error type: its documented status, a detail list, X-Fal-Retryable (false unless said), no X-Fal-Error-Type', async () => {
    for (const [type, { status }] of Object.entries(MODEL_ERRORS)) {
      for (const retryable of [undefined, true, false]) {
        emu.fault({ route: 'models', modelError: type, ...(retryable === undefined ? {} : { retryable }) });
        const res = await models();
        expect(res.status).toBe(status);
        expect(falHeaders(res)).toEqual({ 'x-fal-retryable': String(retryable ?? false) });
        const body = await res.json();
        expect(body.detail).toEqual([{ loc: ['body'], msg: expect.any(String), type, url: `https://docs.fal.ai/errors#${type}` }]);
      }
    }
    expect(Object.fromEntries(Object.entries(MODEL_ERRORS).map(([t, e]) => [t, e.status]))).toEqual({
      internal_server_error: 500, generation_timeout: 504, downstream_service_error: 400, downstream_service_unavailable: 500,
      content_policy_violation: 422, feature_not_supported: 422,
    });
  });

  test('status overrides, timeoutType, retryable on a request error, and a fault\'s own header winning', async () => {
    emu.fault([
      { route: 'models', status: 504, timeoutType: 'user' },
      { route: 'models', status: 503, retryable: true },
      { route: 'models', errorType: 'runner_disconnected', status: 500 },
      { route: 'models', status: 429, retryable: false },
      { route: 'models', status: 503, headers: { 'X-Fal-Error-Type': 'startup_timeout' } },
    ]);
    const answers = [];
    for (let i = 0; i < 5; i += 1) {
      const res = await models();
      answers.push([res.status, falHeaders(res), await res.json()]);
    }
    expect(answers).toEqual([
      [504, { 'x-fal-error-type': 'request_timeout', 'x-fal-request-timeout-type': 'user' }, { detail: 'Gateway Timeout (emulator fault)', error_type: 'request_timeout' }],
      [503, { 'x-fal-error-type': 'runner_scheduling_failure', 'x-fal-retryable': 'true' }, { detail: 'Service Unavailable (emulator fault)', error_type: 'runner_scheduling_failure' }],
      [500, { 'x-fal-error-type': 'runner_disconnected' }, { detail: expect.any(String), error_type: 'runner_disconnected' }],
      [429, { 'x-fal-retryable': 'false' }, { detail: 'Too Many Requests (emulator fault)' }],
      [503, { 'x-fal-error-type': 'startup_timeout' }, { detail: 'Service Unavailable (emulator fault)', error_type: 'runner_scheduling_failure' }],
    ]);
  });

  test('bad specs are refused, over the admin endpoint too', async () => {
    expect(() => emu.fault({ route: 'submit', errorType: 'nope' })).toThrow(/request error types/);
    expect(() => emu.fault({ route: 'submit', modelError: 'nope' })).toThrow(/modelError must be one of/);
    expect(() => emu.fault({ route: 'submit', errorType: 'request_timeout', modelError: 'generation_timeout' })).toThrow(/not both/);
    expect(() => emu.fault({ route: 'submit', status: 503, retryable: 'yes' })).toThrow(/retryable/);
    expect(() => emu.fault({ route: 'submit', status: 504, timeoutType: 'infra' })).toThrow(/timeoutType/);
    const res = await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ route: 'result', errorType: 'bogus' }) });
    expect(res.status).toBe(400);
    const ok = await fetch(`${emu.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ route: 'result', errorType: 'runner_disconnected', retryable: true }) });
    expect((await ok.json()).faults).toEqual([{ route: 'result', errorType: 'runner_disconnected', retryable: true, status: 503, remaining: 1 }]);
  });
});

describe('what fal\'s client does with them', () => {
  test('a 504 with X-Fal-Request-Timeout-Type: user on submit: ApiError.isUserTimeout, never retried, no job', async () => {
    emu.fault({ route: 'submit', status: 504, timeoutType: 'user' });
    const err = await fal.queue.submit(ENDPOINT, { input: goodInput(emu) }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect([err.status, err.timeoutType, err.isUserTimeout]).toEqual([504, 'user', true]);
    expect(calls('submit')).toHaveLength(1);
    expect(emu.jobs.size).toBe(0);
  });

  test('the same 504 without the header is retried (the next try goes through): one job', async () => {
    emu.fault({ route: 'submit', status: 504 });
    const sub = await fal.queue.submit(ENDPOINT, { input: goodInput(emu) });
    expect(calls('submit').map((c) => c.status)).toEqual([504, 200]);
    expect([...emu.jobs.keys()]).toEqual([sub.request_id]);
  });

  test('X-Fal-Retryable: false does not stop fal\'s client retrying a 503 (it reads the status code only)', async () => {
    const { body } = await submitDirect(emu);
    await waitEnded(emu, body.request_id);
    emu.fault({ route: 'result', status: 503, retryable: false });
    const raw = await fetch(body.response_url, { headers: auth() });
    expect([raw.status, falHeaders(raw)]).toEqual([503, { 'x-fal-error-type': 'runner_scheduling_failure', 'x-fal-retryable': 'false' }]);
    emu.fault({ route: 'result', status: 503, retryable: false });
    const result = await fal.queue.result(ENDPOINT, { requestId: body.request_id });
    expect(result.data.video.url).toMatch(/\/cdn\//);
    expect(calls('result').map((c) => c.status)).toEqual([503, 503, 200]);
  });

  test('a model error 422 on submit (content_policy_violation) is a ValidationError, not retried, no job', async () => {
    emu.fault({ route: 'submit', modelError: 'content_policy_violation' });
    const err = await fal.queue.submit(ENDPOINT, { input: goodInput(emu) }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.fieldErrors.map((e) => e.type)).toEqual(['content_policy_violation']);
    expect(calls('submit')).toHaveLength(1);
    expect(emu.stats()).toMatchObject({ accepted: 0, rejected: 1 });
  });
});
