// Conformance, the platform API (pricing needs a valid key of any scope, the catalogue none) and the endpoint table's rows.
'use strict';

const { startEmulator, ENDPOINTS } = require('../emulator');
const { endpoint, validateInput, priceFor } = require('../emulator/schema');
const { ENDPOINT, ADMIN_KEY, auth } = require('./helpers');

test('platform API: pricing takes any valid key (fal\'s current page); the catalogue answers anyone', async () => {
  const emu = await startEmulator({ adminKey: ADMIN_KEY });
  try {
    for (const key of [undefined, ADMIN_KEY]) {
      const pricing = await fetch(`${emu.url}/v1/models/pricing?endpoint_id=${ENDPOINT}`, { headers: auth(key) });
      expect(pricing.status).toBe(200);
      expect(await pricing.json()).toEqual({
        prices: [{ endpoint_id: ENDPOINT, unit_price: 0.28, unit: 'video', currency: 'USD' }],
        next_cursor: null,
        has_more: false,
      });
    }
    expect(emu.calls.map((c) => c.keyScope)).toEqual(['API', 'ADMIN']);
    const wrong = await fetch(`${emu.url}/v1/models/pricing?endpoint_id=${ENDPOINT}`, { headers: auth('wrong-key') });
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(await wrong.json())).not.toContain('wrong-key');
    const models = await fetch(`${emu.url}/v1/models?limit=1`, { headers: auth('wrong-key') });
    expect(models.status).toBe(200);
    expect((await models.json()).models).toEqual([
      { endpoint_id: ENDPOINT, metadata: expect.objectContaining({ display_name: 'MiniMax Hailuo 2.3 Standard Image to Video', category: 'image-to-video', status: 'active' }) },
    ]);
    expect((await fetch(`${emu.url}/v1/models?limit=1`)).status).toBe(200);
    expect((await fetch(`${emu.url}/v1/models/pricing?endpoint_id=fal-ai/none`, { headers: auth() })).status).toBe(404);
  } finally {
    await emu.close();
  }
});

test('pricingNeedsAdmin: the older ADMIN-only reading, for tests of the fallback to list prices (a fault stays queued)', async () => {
  const emu = await startEmulator({ adminKey: ADMIN_KEY, pricingNeedsAdmin: true });
  try {
    emu.fault({ route: 'pricing', status: 500 });
    const apiScope = await fetch(`${emu.url}/v1/models/pricing?endpoint_id=${ENDPOINT}`, { headers: auth() });
    expect(apiScope.status).toBe(403);
    expect(await apiScope.json()).toEqual({ detail: expect.stringMatching(/ADMIN/) });
    expect((await fetch(`${emu.url}/v1/models/pricing?endpoint_id=${ENDPOINT}`, { headers: auth(ADMIN_KEY) })).status).toBe(500);
    expect((await fetch(`${emu.url}/v1/models/pricing?endpoint_id=${ENDPOINT}`, { headers: auth(ADMIN_KEY) })).status).toBe(200);
    expect(() => startEmulator({ pricingNeedsAdmin: 'yes' })).rejects.toThrow(/pricingNeedsAdmin/);
  } finally {
    await emu.close();
  }
});

describe('the endpoint table: one row per endpoint, with its own fields, durations and prices', () => {
  test('the seed row: prices by duration, defaults, and every field fal has (and no other)', () => {
    const ep = ENDPOINTS.find((e) => e.id === ENDPOINT);
    expect(Object.keys(ep.fields)).toEqual(['prompt', 'image_url', 'duration', 'prompt_optimizer']);
    expect(ep.fields.duration).toEqual({ type: 'enum', values: ['6', '10'], default: '6' });
    expect(priceFor(ep, {})).toBe(0.28);
    expect(priceFor(ep, { duration: '10' })).toBe(0.56);
    expect([ep.owner, ep.alias]).toEqual(['fal-ai', 'minimax']);
  });

  test('a row without duration or image (a pro text-to-video shape) validates with its own fields', () => {
    const ep = endpoint({
      id: 'fal-ai/minimax/hailuo-2.3/pro/text-to-video',
      title: 'MiniMax Hailuo 2.3 Pro Text to Video',
      category: 'text-to-video',
      fields: ['prompt', 'prompt_optimizer'],
      prices: { video: 0.49 },
    });
    expect(validateInput(ep, { prompt: 'x' })).toEqual([]);
    expect(validateInput(ep, { prompt: 'x', duration: '6', image_url: 'y' }).map((e) => [e.type, e.loc[1]])).toEqual([
      ['extra_forbidden', 'duration'], ['extra_forbidden', 'image_url'],
    ]);
    expect(priceFor(ep, { prompt: 'x' })).toBe(0.49);
    expect(ep.price).toEqual({ unit_price: 0.49, unit: 'video', currency: 'USD' });
  });

  test('a bad row is refused when the table is built', () => {
    const base = { id: 'fal-ai/minimax/x', title: 'x', category: 'text-to-video', prices: { video: 1 } };
    expect(() => endpoint({ ...base, fields: ['prompt', 'seed'] })).toThrow(/unknown field seed/);
    expect(() => endpoint({ ...base, fields: ['duration'] })).toThrow(/needs durations/);
    expect(() => endpoint({ ...base, fields: ['prompt'], durations: ['5'], prices: { 6: 1 } })).toThrow(/no price for 5/);
  });
});

test('the endpoint table is strict per model: an image sent to a text-to-video model is a 422 extra_forbidden', async () => {
  const emu = await startEmulator();
  try {
    const response = await fetch(`${emu.url}/fal-ai/minimax/hailuo-2.3/pro/text-to-video`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'x', image_url: `${emu.url}/_samples/frame.jpg` }),
    });
    expect(response.status).toBe(422);
    expect((await response.json()).detail[0]).toMatchObject({ type: 'extra_forbidden', loc: ['body', 'image_url'] });
  } finally {
    await emu.close();
  }
});
