// Conformance, H3 Max and H3 Max Turbo (published under the owner `minimax`, queue apps `minimax/h3-max` and
// `minimax/h3-max-turbo`): fal's own client submits, follows and reads them under their own app; an id read under
// another app is an unknown id; input refused as pydantic v2 words it; prices per second by resolution plus
// reference tokens; the video carries a stereo audio track. The rows are in test/emulator/endpoints.js, their
// sources in test/emulator/models-read.md.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ApiError, ValidationError } = require('@fal-ai/client');
const { startEmulator } = require('../emulator');
const { findEndpoint, priceFor, validateInput } = require('../emulator/schema');
const { ENDPOINT: HAILUO, KEY, ADMIN_KEY, auth, falClientFor, goodInput, waitEnded, mp4Boxes, UUID } = require('./helpers');

const MAX_I2V = 'minimax/h3-max/image-to-video';
const MAX_T2V = 'minimax/h3-max/text-to-video';
const MAX_R2V = 'minimax/h3-max/reference-to-video';
const TURBO_I2V = 'minimax/h3-max-turbo/image-to-video';
const TURBO_T2V = 'minimax/h3-max-turbo/text-to-video';
const PROMPT = 'A lighthouse at dusk, waves rolling in, gulls calling';

const t2v = (extra = {}) => ({ prompt: PROMPT, duration: 5, resolution: '480P', aspect_ratio: '9:16', prompt_expansion_mode: 'disabled', ...extra });
const i2v = (emu, extra = {}) => ({ prompt: PROMPT, image_url: `${emu.url}/_samples/frame.jpg`, duration: 5, resolution: '480P', prompt_expansion_mode: 'disabled', ...extra });
const r2v = (urls, extra = {}) => ({ prompt: `${PROMPT}, the keeper from Image 1`, reference_image_urls: urls, duration: 5, resolution: '480P', prompt_expansion_mode: 'balanced', ...extra });
const squares = (emu, n) => Array.from({ length: n }, (_, i) => `${emu.url}/_samples/png/1024x1024.png?i=${i}`);

/** The handler type of each track of an MP4 ('vide', 'soun'): moov → trak → mdia → hdlr. */
function trackKinds(mp4) {
  const children = (buf, box) => mp4Boxes(buf.subarray(box.start + 8, box.start + box.size)).map((b) => ({ ...b, start: b.start + box.start + 8 }));
  const moov = mp4Boxes(mp4).find((b) => b.type === 'moov');
  return children(mp4, moov)
    .filter((b) => b.type === 'trak')
    .map((trak) => children(mp4, trak).find((b) => b.type === 'mdia'))
    .map((mdia) => children(mp4, mdia).find((b) => b.type === 'hdlr'))
    .map((hdlr) => mp4.toString('latin1', hdlr.start + 16, hdlr.start + 20));
}

test('the rows: fields in order with their types; H3 takes integers 5–15, three resolutions, a required expansion mode', () => {
  const i2vRow = findEndpoint(MAX_I2V);
  expect(i2vRow).toMatchObject({ owner: 'minimax', alias: 'h3-max' });
  expect(Object.keys(i2vRow.fields)).toEqual(['prompt', 'image_url', 'end_image_url', 'duration', 'resolution', 'prompt_expansion_mode']);
  expect(i2vRow.fields.prompt).toMatchObject({ type: 'string', required: true, maxLength: 50000 });
  expect(i2vRow.fields.duration).toEqual({ type: 'integer', required: true, ge: 5, le: 15 });
  expect(i2vRow.fields.resolution).toEqual({ type: 'enum', required: true, values: ['480P', '768P', '1080P'] });
  expect(i2vRow.fields.prompt_expansion_mode).toEqual({ type: 'enum', required: true, values: ['disabled', 'balanced', 'quality'] });
  expect(Object.keys(findEndpoint(MAX_T2V).fields)).toEqual(['prompt', 'duration', 'resolution', 'aspect_ratio', 'prompt_expansion_mode']);
  expect(findEndpoint(MAX_T2V).fields.aspect_ratio).toEqual({ type: 'enum', values: ['16:9', '9:16', '1:1'], default: '16:9' });
  expect(findEndpoint(MAX_R2V).fields.reference_image_urls).toEqual({ type: 'list', required: true, minItems: 1, maxItems: 9, image: true });
  expect(findEndpoint(TURBO_I2V)).toMatchObject({ owner: 'minimax', alias: 'h3-max-turbo' });
  expect(findEndpoint('minimax/h3-max-turbo/reference-to-video')).toBeUndefined();
  // the prompt may be 50,000 characters, not one more
  const ep = findEndpoint(MAX_T2V);
  expect(validateInput(ep, t2v({ prompt: 'x'.repeat(50000) }))).toEqual([]);
  expect(validateInput(ep, t2v({ prompt: 'x'.repeat(50001) })).map((e) => [e.type, e.loc[1], e.ctx])).toEqual([
    ['string_too_long', 'prompt', { max_length: 50000 }],
  ]);
  // aspect_ratio may be left out of text to video (its default, 16:9, does not change the price)
  const { aspect_ratio: _, ...noRatio } = t2v();
  expect(validateInput(ep, noRatio)).toEqual([]);
});

test('prices per second by resolution, Turbo at half; reference tokens beyond 4,096 at USD 0.02 per 1,000', () => {
  expect(priceFor(findEndpoint(MAX_I2V), { duration: 8, resolution: '768P' })).toBe(0.64);
  expect(priceFor(findEndpoint(MAX_T2V), { duration: 15, resolution: '1080P' })).toBe(2.4);
  expect(priceFor(findEndpoint(MAX_T2V), { duration: 5, resolution: '480P' })).toBe(0.25);
  expect(priceFor(findEndpoint(TURBO_T2V), { duration: 5, resolution: '480P' })).toBe(0.125);
  expect(priceFor(findEndpoint(TURBO_I2V), { duration: 15, resolution: '1080P' })).toBe(1.2);
  const r = findEndpoint(MAX_R2V);
  expect(priceFor(r, { duration: 5, resolution: '480P' }, { referenceTokens: 4096 })).toBe(0.25);
  // fal's example: five square images are 5,120 tokens, 1,024 beyond the allowance
  expect(priceFor(r, { duration: 5, resolution: '480P' }, { referenceTokens: 5120 })).toBe(0.27048);
});

describe('fal client: H3 Max and Turbo', () => {
  let emu;
  let fal;
  beforeAll(async () => {
    emu = await startEmulator({ apiKey: KEY, adminKey: ADMIN_KEY, queueMs: 20, progressMs: 60 });
    fal = falClientFor(emu);
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  test('subscribe (polling) to image to video with a last frame: every call under the app minimax/h3-max', async () => {
    const end = `${emu.url}/_samples/png/640x480.png`;
    let id;
    const result = await fal.subscribe(MAX_I2V, {
      input: i2v(emu, { end_image_url: end, duration: 8, resolution: '768P' }),
      pollInterval: 20,
      onEnqueue: (x) => {
        id = x;
      },
    });
    expect(result.requestId).toBe(id);
    expect(result.data).toEqual({
      video: { url: `${emu.url}/cdn/${id}/output.mp4`, content_type: 'video/mp4', file_name: 'output.mp4', file_size: expect.any(Number) },
    });
    const submit = emu.calls.find((c) => c.route === 'submit');
    expect(submit.path).toBe(`/${MAX_I2V}`);
    const followed = emu.calls.filter((c) => ['status', 'result'].includes(c.route));
    expect(followed.length).toBeGreaterThanOrEqual(2);
    expect(followed.every((c) => c.path.startsWith(`/minimax/h3-max/requests/${id}`) && c.status < 300)).toBe(true);
    const read = emu.calls.filter((c) => c.route === 'sample' && c.runner).map((c) => c.path).sort();
    expect(read).toEqual(['/_samples/frame.jpg', '/_samples/png/640x480.png']);
    expect(emu.jobs.get(id)).toMatchObject({ status: 'COMPLETED', billed: true, costUsd: 0.64 });
  });

  test('Turbo: the submit answer names the app minimax/h3-max-turbo; stream, status, result and cancel live there', async () => {
    const { request_id: id, status_url: statusUrl, response_url: responseUrl, cancel_url: cancelUrl } = await fal.queue.submit(TURBO_T2V, { input: t2v() });
    const base = `${emu.url}/minimax/h3-max-turbo/requests/${id}`;
    expect([statusUrl, responseUrl, cancelUrl]).toEqual([`${base}/status`, base, `${base}/cancel`]);
    const stream = await fal.queue.streamStatus(TURBO_T2V, { requestId: id });
    const done = await stream.done();
    expect(done.status).toBe('COMPLETED');
    expect((await fal.queue.status(TURBO_T2V, { requestId: id })).status).toBe('COMPLETED');
    expect((await fal.queue.result(TURBO_T2V, { requestId: id })).data.video.file_name).toBe('output.mp4');
    // USD 0.125: 5 s at 480P, Turbo's 0.025 per second
    expect(emu.jobs.get(id)).toMatchObject({ billed: true, costUsd: 0.125 });
    expect(emu.stats().billedUsd).toBe(0.125);
    const cancel = await fetch(cancelUrl, { method: 'PUT', headers: auth() });
    expect([cancel.status, await cancel.json()]).toEqual([400, { status: 'ALREADY_COMPLETED' }]);
    const paths = emu.calls.filter((c) => ['stream', 'status', 'result', 'cancel'].includes(c.route)).map((c) => c.path);
    expect(paths).toEqual([`/minimax/h3-max-turbo/requests/${id}/status/stream`, `/minimax/h3-max-turbo/requests/${id}/status`,
      `/minimax/h3-max-turbo/requests/${id}`, `/minimax/h3-max-turbo/requests/${id}/cancel`]);
  });

  test('an id read under another app is an unknown id: 404, a fresh request id, the job untouched', async () => {
    const h3 = await fal.queue.submit(MAX_T2V, { input: t2v() });
    const hailuo = await fal.queue.submit(HAILUO, { input: goodInput(emu) });
    await Promise.all([waitEnded(emu, h3.request_id), waitEnded(emu, hailuo.request_id)]);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const ask = async (app, id, tail, method = 'GET') => {
      const res = await fetch(`${emu.url}/${app}/requests/${id}${tail}`, { method, headers: auth() });
      return { status: res.status, body: await res.json(), requestId: res.headers.get('x-fal-request-id') };
    };
    for (const [id, wrongApp] of [[h3.request_id, 'fal-ai/minimax'], [hailuo.request_id, 'minimax/h3-max'], [h3.request_id, 'minimax/h3-max-turbo']]) {
      for (const [tail, method] of [['/status', 'GET'], ['', 'GET'], ['/status/stream', 'GET'], ['/cancel', 'PUT']]) {
        const wrong = await ask(wrongApp, id, tail, method);
        const none = await ask(wrongApp, unknown, tail, method);
        expect({ status: wrong.status, body: wrong.body }).toEqual({ status: 404, body: none.body });
        expect(wrong.requestId).toMatch(UUID);
        expect(wrong.requestId).not.toBe(id);
      }
    }
    // fal's client, told the wrong endpoint, gets the 404 as an ApiError
    const err = await fal.queue.status(HAILUO, { requestId: h3.request_id }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(404);
    expect(emu.jobs.get(h3.request_id)).toMatchObject({ cancelRequested: false, fetched: false });
    // under its own app the same id answers
    expect((await ask('minimax/h3-max', h3.request_id, '/status')).status).toBe(200);
  });

  test('Turbo has no reference to video: 404 on the submit, nothing created, no price', async () => {
    const err = await fal.queue.submit('minimax/h3-max-turbo/reference-to-video', { input: r2v([`${emu.url}/_samples/frame.jpg`]) }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(404);
    expect(emu.stats()).toMatchObject({ accepted: 0 });
    const res = await fetch(`${emu.url}/v1/models/pricing?endpoint_id=minimax/h3-max-turbo/reference-to-video`, { headers: auth(ADMIN_KEY) });
    expect(res.status).toBe(404);
  });

  test('422s as pydantic v2 words them, nothing accepted', async () => {
    const refs = (n) => Array.from({ length: n }, () => `${emu.url}/_samples/frame.jpg`);
    const refused = async (id, input) => {
      const err = await fal.queue.submit(id, { input }).catch((e) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.status).toBe(422);
      return err.fieldErrors.map((e) => [e.type, e.loc.slice(1).join('.'), e.msg]);
    };
    const { prompt_expansion_mode: _, ...noMode } = t2v();
    expect(await refused(MAX_T2V, noMode)).toEqual([['missing', 'prompt_expansion_mode', 'Field required']]);
    expect(await refused(MAX_T2V, t2v({ duration: '8' }))).toEqual([['int_type', 'duration', 'Input should be a valid integer']]);
    expect(await refused(MAX_T2V, t2v({ duration: 8.5 }))).toEqual([['int_type', 'duration', 'Input should be a valid integer']]);
    expect(await refused(TURBO_T2V, t2v({ duration: 4 }))).toEqual([['greater_than_equal', 'duration', 'Input should be greater than or equal to 5']]);
    expect(await refused(MAX_I2V, i2v(emu, { duration: 16 }))).toEqual([['less_than_equal', 'duration', 'Input should be less than or equal to 15']]);
    expect(await refused(MAX_T2V, t2v({ prompt_optimizer: true }))).toEqual([['extra_forbidden', 'prompt_optimizer', 'Extra inputs are not permitted']]);
    expect(await refused(TURBO_I2V, i2v(emu, { aspect_ratio: '16:9' }))).toEqual([['extra_forbidden', 'aspect_ratio', 'Extra inputs are not permitted']]);
    expect(await refused(MAX_R2V, r2v(refs(10)))).toEqual([['too_long', 'reference_image_urls', 'List should have at most 9 items after validation, not 10']]);
    expect(await refused(MAX_R2V, r2v([]))).toEqual([['too_short', 'reference_image_urls', 'List should have at least 1 item after validation, not 0']]);
    expect(await refused(MAX_R2V, r2v([refs(1)[0], 7]))).toEqual([['string_type', 'reference_image_urls.1', 'Input should be a valid string']]);
    expect(await refused(MAX_T2V, t2v({ resolution: '720P' }))).toEqual([['enum', 'resolution', "Input should be '480P', '768P' or '1080P'"]]);
    expect(await refused(MAX_T2V, t2v({ resolution: '1080p' }))).toEqual([['enum', 'resolution', "Input should be '480P', '768P' or '1080P'"]]);
    expect(await refused(MAX_T2V, t2v({ aspect_ratio: '4:3' }))).toEqual([['enum', 'aspect_ratio', "Input should be '16:9', '9:16' or '1:1'"]]);
    expect(await refused(MAX_T2V, t2v({ prompt_expansion_mode: 'fast' }))).toEqual([
      ['enum', 'prompt_expansion_mode', "Input should be 'disabled', 'balanced' or 'quality'"],
    ]);
    expect(await refused(MAX_I2V, { prompt: PROMPT, image_url: refs(1)[0], prompt_expansion_mode: 'quality' })).toEqual([
      ['missing', 'duration', 'Field required'],
      ['missing', 'resolution', 'Field required'],
    ]);
    const detail = (await fal.queue.submit(MAX_R2V, { input: r2v(refs(10)) }).catch((e) => e)).body.detail[0];
    expect(detail.ctx).toEqual({ field_type: 'List', max_length: 9, actual_length: 10 });
    expect(emu.stats()).toMatchObject({ accepted: 0 });
  });

  test('reference to video: the runner reads every reference; tokens beyond 4,096 are billed (5 squares: USD 0.27048)', async () => {
    const five = await fal.queue.submit(MAX_R2V, { input: r2v(squares(emu, 5)) });
    expect(await waitEnded(emu, five.request_id)).toMatchObject({ billed: true, usage: { referenceTokens: 5120 }, costUsd: 0.27048 });
    const reads = emu.calls.filter((c) => c.route === 'sample' && c.runner);
    expect(reads.map((c) => c.query.i).sort()).toEqual(['0', '1', '2', '3', '4']);
    // four squares are within the allowance: 5 s at 768P only
    const four = await fal.queue.submit(MAX_R2V, { input: r2v(squares(emu, 4), { resolution: '768P' }) });
    expect(await waitEnded(emu, four.request_id)).toMatchObject({ usage: { referenceTokens: 4096 }, costUsd: 0.4 });
    // two 2:3 frames (512x768): 1,536 tokens each, within the allowance
    const two = await fal.queue.submit(MAX_R2V, { input: r2v([`${emu.url}/_samples/frame.jpg`, `${emu.url}/_samples/frame.png`]) });
    expect(await waitEnded(emu, two.request_id)).toMatchObject({ usage: { referenceTokens: 3072 }, costUsd: 0.25 });
    expect(emu.stats().billedUsd).toBe(0.92048);
  });

  test('a reference the model refuses fails the job with its index in loc; nothing billed', async () => {
    const urls = [`${emu.url}/_samples/frame.jpg`, `${emu.url}/_samples/gif/640x480.gif`, `${emu.url}/_samples/png/100x100.png`];
    const { request_id: id } = await fal.queue.submit(MAX_R2V, { input: r2v(urls) });
    await waitEnded(emu, id);
    const err = await fal.queue.result(MAX_R2V, { requestId: id }).catch((e) => e);
    expect(err.status).toBe(422);
    expect(err.body.detail).toEqual([expect.objectContaining({ loc: ['body', 'reference_image_urls', 1], type: 'unsupported_image_format', input: urls[1] })]);
    expect(emu.jobs.get(id)).toMatchObject({ billed: false });
    expect(emu.calls.filter((c) => c.route === 'sample' && c.runner)).toHaveLength(3);
  });

  test('the pricing call: USD per second at 480P for each H3 endpoint', async () => {
    const ids = [MAX_I2V, MAX_T2V, MAX_R2V, TURBO_I2V, TURBO_T2V];
    const res = await fetch(`${emu.url}/v1/models/pricing?endpoint_id=${ids.join(',')}`, { headers: auth(ADMIN_KEY) });
    expect(res.status).toBe(200);
    const byId = Object.fromEntries((await res.json()).prices.map((p) => [p.endpoint_id, [p.unit_price, p.unit, p.currency]]));
    expect(byId).toEqual({
      [MAX_I2V]: [0.05, 'second', 'USD'], [MAX_T2V]: [0.05, 'second', 'USD'], [MAX_R2V]: [0.05, 'second', 'USD'],
      [TURBO_I2V]: [0.025, 'second', 'USD'], [TURBO_T2V]: [0.025, 'second', 'USD'],
    });
  });

  test('an H3 video has a sound track, a Hailuo video none; both are whole MP4s', async () => {
    const h3 = await fal.subscribe(TURBO_T2V, { input: t2v(), pollInterval: 20 });
    const hailuo = await fal.subscribe(HAILUO, { input: goodInput(emu), pollInterval: 20 });
    const h3Bytes = Buffer.from(await (await fetch(h3.data.video.url)).arrayBuffer());
    const hailuoBytes = Buffer.from(await (await fetch(hailuo.data.video.url)).arrayBuffer());
    expect(h3Bytes.length).toBe(h3.data.video.file_size);
    expect(hailuoBytes.length).toBe(hailuo.data.video.file_size);
    expect(trackKinds(h3Bytes).sort()).toEqual(['soun', 'vide']);
    expect(trackKinds(hailuoBytes)).toEqual(['vide']);
  });

  // ffprobe is not a dependency: where it is installed (apt-get install ffmpeg), it reads the served H3 video
  const hasFfprobe = spawnSync('ffprobe', ['-version']).status === 0;
  (hasFfprobe ? test : test.skip)('ffprobe reads the H3 video: H.264 848x480 and stereo AAC, 3 s', async () => {
    const { data } = await fal.subscribe(MAX_T2V, { input: t2v(), pollInterval: 20 });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'h3-')), 'out.mp4');
    fs.writeFileSync(file, Buffer.from(await (await fetch(data.video.url)).arrayBuffer()));
    const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,width,height,channels,channel_layout,duration',
      '-of', 'json', file], { encoding: 'utf8' });
    expect(probe.status).toBe(0);
    const streams = JSON.parse(probe.stdout).streams;
    expect(streams).toEqual([
      expect.objectContaining({ codec_type: 'video', codec_name: 'h264', width: 848, height: 480, duration: '3.000000' }),
      expect.objectContaining({ codec_type: 'audio', codec_name: 'aac', channels: 2, channel_layout: 'stereo' }),
    ]);
  });
});
