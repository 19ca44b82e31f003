// Conformance, the rest of Hailuo 02 on fal: Standard text to video, Pro (1080P, 6 s) image and text to video, Fast
// (512P) image to video. Fields as fal's own client types them (@fal-ai/client 1.10.1, types/endpoints.d.ts), prices
// per second as public sources quote fal (test/emulator/models-read.md); the queue app is fal-ai/minimax; the videos
// are silent.
'use strict';

const { ValidationError } = require('@fal-ai/client');
const { startEmulator } = require('../emulator');
const { findEndpoint, priceFor } = require('../emulator/schema');
const { KEY, ADMIN_KEY, auth, falClientFor, goodInput, mp4Boxes } = require('./helpers');

const STD_T2V = 'fal-ai/minimax/hailuo-02/standard/text-to-video';
const PRO_I2V = 'fal-ai/minimax/hailuo-02/pro/image-to-video';
const PRO_T2V = 'fal-ai/minimax/hailuo-02/pro/text-to-video';
const FAST_I2V = 'fal-ai/minimax/hailuo-02-fast/image-to-video';
const PROMPT = 'A lighthouse at dusk, waves rolling in';

test('the rows: the fields fal\'s client types, prices per second (Pro: 6 s at 1080P)', () => {
  expect(Object.keys(findEndpoint(STD_T2V).fields)).toEqual(['prompt', 'duration', 'prompt_optimizer']);
  expect(Object.keys(findEndpoint(PRO_I2V).fields)).toEqual(['prompt', 'image_url', 'prompt_optimizer', 'end_image_url']);
  expect(Object.keys(findEndpoint(PRO_T2V).fields)).toEqual(['prompt', 'prompt_optimizer']);
  expect(Object.keys(findEndpoint(FAST_I2V).fields)).toEqual(['prompt', 'image_url', 'duration', 'prompt_optimizer']);
  expect(findEndpoint(FAST_I2V).fields.duration).toEqual({ type: 'enum', values: ['6', '10'], default: '6' });
  expect(priceFor(findEndpoint(STD_T2V), {})).toBe(0.27);
  expect(priceFor(findEndpoint(STD_T2V), { duration: '10' })).toBe(0.45);
  expect(priceFor(findEndpoint(PRO_I2V), {})).toBe(0.48);
  expect(priceFor(findEndpoint(PRO_T2V), {})).toBe(0.48);
  expect(priceFor(findEndpoint(FAST_I2V), {})).toBe(0.102);
  expect(priceFor(findEndpoint(FAST_I2V), { duration: '10' })).toBe(0.17);
});

describe('fal client: the rest of Hailuo 02', () => {
  let emu;
  let fal;
  beforeAll(async () => {
    emu = await startEmulator({ apiKey: KEY, adminKey: ADMIN_KEY, queueMs: 20, progressMs: 60 });
    fal = falClientFor(emu);
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  test('422s on what each schema does not have: a duration to Pro, a resolution or a last frame to Fast, an integer duration', async () => {
    const refused = async (id, input) => {
      const err = await fal.queue.submit(id, { input }).catch((e) => e);
      expect(err).toBeInstanceOf(ValidationError);
      return err.fieldErrors.map((e) => [e.type, e.loc[1], e.msg]);
    };
    expect(await refused(PRO_I2V, goodInput(emu, { duration: '6' }))).toEqual([['extra_forbidden', 'duration', 'Extra inputs are not permitted']]);
    expect(await refused(PRO_T2V, { prompt: PROMPT, resolution: '1080P' })).toEqual([['extra_forbidden', 'resolution', 'Extra inputs are not permitted']]);
    expect(await refused(FAST_I2V, goodInput(emu, { resolution: '512P', end_image_url: goodInput(emu).image_url }))).toEqual([
      ['extra_forbidden', 'resolution', 'Extra inputs are not permitted'],
      ['extra_forbidden', 'end_image_url', 'Extra inputs are not permitted'],
    ]);
    expect(await refused(STD_T2V, { prompt: PROMPT, duration: 6 })).toEqual([['enum', 'duration', "Input should be '6' or '10'"]]);
    expect(await refused(STD_T2V, { prompt: PROMPT, image_url: goodInput(emu).image_url })).toEqual([
      ['extra_forbidden', 'image_url', 'Extra inputs are not permitted'],
    ]);
    expect(emu.stats()).toMatchObject({ accepted: 0 });
  });

  test('a job on each, under the app fal-ai/minimax, billed at its price; Pro reads its last frame', async () => {
    const end = `${emu.url}/_samples/png/640x480.png`;
    const runs = [
      [STD_T2V, { prompt: PROMPT, duration: '10' }, 0.45],
      [PRO_I2V, goodInput(emu, { end_image_url: end }), 0.48],
      [PRO_T2V, { prompt: PROMPT }, 0.48],
      [FAST_I2V, goodInput(emu, { duration: '10' }), 0.17],
    ];
    for (const [id, input, usd] of runs) {
      const result = await fal.subscribe(id, { input, pollInterval: 20 });
      expect(emu.jobs.get(result.requestId)).toMatchObject({ endpoint: id, billed: true, costUsd: usd });
      const bytes = Buffer.from(await (await fetch(result.data.video.url)).arrayBuffer());
      expect(mp4Boxes(bytes).map((b) => b.type)).toContain('moov');
      expect(bytes.includes(Buffer.from('soun'))).toBe(false); // no audio track
    }
    const followed = emu.calls.filter((c) => c.route === 'status' || c.route === 'result');
    expect(followed.every((c) => c.path.startsWith('/fal-ai/minimax/requests/'))).toBe(true);
    const read = emu.calls.filter((c) => c.route === 'sample' && c.runner).map((c) => c.path).sort();
    expect(read).toEqual(['/_samples/frame.jpg', '/_samples/frame.jpg', '/_samples/png/640x480.png']);
    expect(emu.stats().billedUsd).toBe(1.58);
  });

  test('the pricing call answers each a price per second', async () => {
    const ids = [STD_T2V, PRO_I2V, PRO_T2V, FAST_I2V];
    const res = await fetch(`${emu.url}/v1/models/pricing?endpoint_id=${ids.join(',')}`, { headers: auth(ADMIN_KEY) });
    const byId = Object.fromEntries((await res.json()).prices.map((p) => [p.endpoint_id, [p.unit_price, p.unit]]));
    expect(byId).toEqual({ [STD_T2V]: [0.045, 'second'], [PRO_I2V]: [0.08, 'second'], [PRO_T2V]: [0.08, 'second'], [FAST_I2V]: [0.017, 'second'] });
  });
});
