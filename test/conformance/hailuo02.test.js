// Conformance, Hailuo 02 Standard image to video: the row holds exactly what fal's page (llms.txt) lists — prompt,
// image_url, duration "6"|"10", prompt_optimizer, resolution "512P"|"768P" (default 768P), end_image_url — and prices
// per second; the runner reads the last frame like the first, and refuses a last frame at 512P (MiniMax's limit).
'use strict';

const { ApiError, ValidationError } = require('@fal-ai/client');
const { startEmulator } = require('../emulator');
const { findEndpoint, priceFor, validateInput } = require('../emulator/schema');
const { KEY, ADMIN_KEY, auth, falClientFor, goodInput, waitEnded } = require('./helpers');

const HAILUO_02 = 'fal-ai/minimax/hailuo-02/standard/image-to-video';

test('the row: fal\'s fields in fal\'s order, the resolution enum with its default, prices per second', () => {
  const ep = findEndpoint(HAILUO_02);
  expect(Object.keys(ep.fields)).toEqual(['prompt', 'image_url', 'duration', 'prompt_optimizer', 'resolution', 'end_image_url']);
  expect(ep.fields.resolution).toEqual({ type: 'enum', values: ['512P', '768P'], default: '768P' });
  expect(ep.fields.end_image_url).toEqual({ type: 'string', image: true });
  expect(ep.price).toEqual({ unit_price: 0.045, unit: 'second', currency: 'USD' });
  // "A single 6 second 768p video will cost $0.27/video"
  expect(priceFor(ep, {})).toBe(0.27);
  expect(priceFor(ep, { duration: '10' })).toBe(0.45);
  expect(priceFor(ep, { resolution: '512P' })).toBe(0.102);
  expect(priceFor(ep, { resolution: '512P', duration: '10' })).toBe(0.17);
  expect(validateInput(ep, goodInput({ url: 'http://x' }, { resolution: '512P', duration: '10' }))).toEqual([]);
});

describe('fal client: Hailuo 02', () => {
  let emu;
  let fal;
  beforeAll(async () => {
    emu = await startEmulator({ apiKey: KEY, adminKey: ADMIN_KEY, queueMs: 20, progressMs: 60 });
    fal = falClientFor(emu);
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  test('a 422 on what the page does not allow: 1080P, a duration of 5, an unknown field; end_image_url to a 2.3 model', async () => {
    const err = await fal.queue.submit(HAILUO_02, { input: goodInput(emu, { resolution: '1080P', duration: '5', seed: 1 }) }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.fieldErrors.map((e) => [e.type, e.loc[1], e.msg])).toEqual([
      ['enum', 'duration', "Input should be '6' or '10'"],
      ['enum', 'resolution', "Input should be '512P' or '768P'"],
      ['extra_forbidden', 'seed', 'Extra inputs are not permitted'],
    ]);
    const lower = await fal.queue.submit(HAILUO_02, { input: goodInput(emu, { resolution: '768p' }) }).catch((e) => e);
    expect(lower.fieldErrors.map((e) => e.loc[1])).toEqual(['resolution']);
    const to23 = await fal.queue
      .submit('fal-ai/minimax/hailuo-2.3/standard/image-to-video', { input: goodInput(emu, { end_image_url: goodInput(emu).image_url }) })
      .catch((e) => e);
    expect(to23.fieldErrors.map((e) => [e.type, e.loc[1]])).toEqual([['extra_forbidden', 'end_image_url']]);
    expect(emu.stats()).toMatchObject({ accepted: 0, rejected: 3 });
  });

  test('a first and last frame at 768P, 10 s: both images are read by the runner; billed 10 × 0.045', async () => {
    const endImage = `${emu.url}/_samples/png/640x480.png`;
    const { request_id: id } = await fal.queue.submit(HAILUO_02, { input: goodInput(emu, { end_image_url: endImage, duration: '10' }) });
    const job = await waitEnded(emu, id);
    expect(job).toMatchObject({ status: 'COMPLETED', billed: true, costUsd: 0.45 });
    const read = emu.calls.filter((c) => c.route === 'sample' && c.runner).map((c) => c.path);
    expect(read.sort()).toEqual(['/_samples/frame.jpg', '/_samples/png/640x480.png']);
  });

  test('a last frame the model refuses (too small) fails the job with loc end_image_url; nothing billed', async () => {
    const { request_id: id } = await fal.queue.submit(HAILUO_02, { input: goodInput(emu, { end_image_url: `${emu.url}/_samples/png/100x100.png` }) });
    await waitEnded(emu, id);
    const err = await fal.queue.result(HAILUO_02, { requestId: id }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(422);
    expect(err.body.detail[0]).toMatchObject({ loc: ['body', 'end_image_url'], type: 'image_too_small' });
    expect(emu.jobs.get(id).billed).toBe(false);
  });

  test('512P with a last frame: fal\'s schema takes it, the model refuses it when the job starts (MiniMax: 768P only)', async () => {
    const end = `${emu.url}/_samples/png/640x480.png`;
    const { request_id: id } = await fal.queue.submit(HAILUO_02, { input: goodInput(emu, { end_image_url: end, resolution: '512P' }) });
    await waitEnded(emu, id);
    const err = await fal.queue.result(HAILUO_02, { requestId: id }).catch((e) => e);
    expect(err.status).toBe(422);
    expect(err.body.detail[0]).toMatchObject({ loc: ['body', 'end_image_url'], type: 'value_error' });
    expect(emu.jobs.get(id).billed).toBe(false);
    // 512P alone, at 10 s, is fine
    const draft = await fal.queue.submit(HAILUO_02, { input: goodInput(emu, { resolution: '512P', duration: '10' }) });
    expect(await waitEnded(emu, draft.request_id)).toMatchObject({ billed: true, costUsd: 0.17 });
  });

  test('the pricing call answers a price per second for it', async () => {
    const res = await fetch(`${emu.url}/v1/models/pricing?endpoint_id=${HAILUO_02}`, { headers: auth(ADMIN_KEY) });
    expect((await res.json()).prices).toEqual([{ endpoint_id: HAILUO_02, unit_price: 0.045, unit: 'second', currency: 'USD' }]);
  });
});
