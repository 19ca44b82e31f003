// Every model (H3 Max and Turbo, the Hailuo 2.3 family and Hailuo 02) is sent exactly the fields it takes (the
// emulator checks each model's own schema, written apart from the node's table, and refuses an unknown or missing
// field with a 422, as fal does), and a spending guard that refuses a run over its limit before anything is submitted.
const { useNodeSession } = require('./node-session');
const { MODELS, takesLastFrame } = require('../dist/nodes/shared/models/table');
const { priceOf } = require('../dist/nodes/shared/models/prices');

const session = useNodeSession();
const { submits } = session;
const emu = () => session.emu;

/** A value for every setting parameter a person could have set, by node parameter. */
const SETTINGS = { duration: '10', durationSeconds: 8, resolution: '768P', promptOptimizer: false, promptExpansion: 'quality', aspectRatio: '9:16' };

/** Every parameter a person could have set: the node sends only what the model takes. */
const everything = (model, extra = {}) => ({
	model,
	prompt: 'A lighthouse in a storm',
	imageSource: 'url',
	imageUrl: session.image(),
	...SETTINGS,
	lastFrameSource: 'url',
	lastFrameUrl: session.image('png/640x480.png'),
	referenceImages: { image: [{ source: 'url', url: session.image() }, { source: 'url', url: session.image('png/640x480.png') }] },
	...extra,
});

describe('each model is sent exactly what it takes', () => {
	test.each(MODELS.map((m) => [m.endpoint, m]))('%s', async (endpoint, model) => {
		const run = await session.run({ parameters: everything(endpoint) });
		expect(run.status).toBe('success');
		const [submit] = submits();
		expect(submit.path).toBe(`/${endpoint}`);
		const expected = { prompt: 'A lighthouse in a storm' };
		if (model.images.first) expected.image_url = session.image();
		if (takesLastFrame(model)) expected.end_image_url = session.image('png/640x480.png');
		if (model.images.references) expected.reference_image_urls = [session.image(), session.image('png/640x480.png')];
		for (const setting of model.settings) expected[setting.field] = SETTINGS[setting.parameter];
		expect(submit.body).toEqual(expected);
		const [item] = run.output('Hailuo Video');
		const settings = Object.fromEntries(model.settings.map((setting) => [setting.field, SETTINGS[setting.parameter]]));
		expect(item.json).toMatchObject({
			model: endpoint,
			costUsd: priceOf(model, { settings, references: [{ width: 512, height: 768 }, { width: 640, height: 480 }] }),
			priceSource: 'list price',
			imageSource: model.images.first ? 'url' : null,
			hasAudio: model.sound,
		});
		// what fal billed (the emulator's own prices and rules) is what the output says
		expect(item.json.costUsd).toBe(session.emu.jobs.get(item.json.requestId).costUsd);
		expect('lastFrameUrl' in item.json).toBe(takesLastFrame(model));
		expect(item.binary.data.mimeType).toBe('video/mp4');
		// a last frame is read (checked) only for a model that takes one, or as a reference image
		const lastFrameReads = session.calls('sample').filter((c) => c.path.includes('640x480') && !c.runner);
		expect(lastFrameReads.length > 0).toBe(takesLastFrame(model) || Boolean(model.images.references));
	});

	test('text to video with an image set is not sent the image (and its URL is not even read)', async () => {
		const run = await session.run({ parameters: everything('fal-ai/minimax/hailuo-2.3/standard/text-to-video') });
		expect(run.status).toBe('success');
		expect(submits()[0].body).not.toHaveProperty('image_url');
		expect(session.calls('sample').filter((c) => !c.runner)).toHaveLength(0);
	});

	test('Pro is not sent a duration, and its video is reported as about 6 s', async () => {
		const run = await session.run({ parameters: everything('fal-ai/minimax/hailuo-2.3/pro/image-to-video') });
		expect(submits()[0].body).not.toHaveProperty('duration');
		expect(submits()[0].body).not.toHaveProperty('resolution');
		expect(run.output('Hailuo Video')[0].json.duration).toBe(6);
	});

	test('an unknown model is refused before anything is sent', async () => {
		const run = await session.run({ parameters: everything('fal-ai/minimax/hailuo-9/ultra') });
		expect(run.error.message).toBe('Model: "fal-ai/minimax/hailuo-9/ultra" is not a Hailuo model this node knows (item 0)');
		expect(submits()).toHaveLength(0);
	});
});

describe('the spending guard', () => {
	const three = [{ json: { p: 'one' } }, { json: { p: 'two' } }, { json: { p: 'three' } }];
	const guarded = (maxSpendUsd, extra = {}) => ({
		prompt: '={{ $json.p }}',
		imageSource: 'url',
		imageUrl: session.image(),
		options: { maxSpendUsd },
		...extra,
	});

	test('over the limit: nothing is submitted, and the error gives both figures', async () => {
		const run = await session.run({ items: three, parameters: guarded(0.5) });
		expect(run.status).toBe('error');
		expect(run.error.message).toBe('3 videos would cost USD 0.84, over the limit of USD 0.50');
		expect(submits()).toHaveLength(0);
		expect(emu().stats().accepted).toBe(0);
	});

	test('at the limit exactly, the run goes ahead (an ADMIN key reads fal\'s price)', async () => {
		const run = await session.run({ items: three, parameters: guarded(0.84), apiKey: session.ADMIN_KEY });
		expect(run.status).toBe('success');
		expect(submits()).toHaveLength(3);
		expect(run.output('Hailuo Video')[0].json).toMatchObject({ costUsd: 0.28, priceSource: 'fal pricing API' });
	});

	test('each item counts with its own duration and model', async () => {
		const items = [{ json: { d: '6' } }, { json: { d: '10' } }];
		const run = await session.run({ items, parameters: guarded(0.5, { prompt: 'x', model: 'fal-ai/minimax/hailuo-2.3-fast/standard/image-to-video', duration: '={{ $json.d }}' }) });
		expect(run.error.message).toBe('2 videos would cost USD 0.51, over the limit of USD 0.50');
	});

	test('with On Error → Continue, every item becomes an error item with the same words', async () => {
		const run = await session.run({ items: three, parameters: guarded(0.5), continueOnFail: true });
		const out = run.output('Hailuo Video');
		expect(out.map((item) => item.json.error)).toEqual(Array(3).fill('3 videos would cost USD 0.84, over the limit of USD 0.50'));
		expect(out.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(submits()).toHaveLength(0);
	});

	test('fal\'s live price for this account is used where the key can read it', async () => {
		const endpoint = 'fal-ai/minimax/hailuo-2.3/standard/image-to-video';
		emu().fault({ route: 'pricing', status: 200, body: { prices: [{ endpoint_id: endpoint, unit_price: 0.2, unit: 'video', currency: 'USD' }], has_more: false } });
		const run = await session.run({ items: three, parameters: guarded(0.59), apiKey: session.ADMIN_KEY });
		expect(run.error.message).toBe('3 videos would cost USD 0.60, over the limit of USD 0.59');
	});

	test('a key the pricing call refuses (403: fal\'s older ADMIN-only reading): the list price, and the output says so', async () => {
		emu().fault({ route: 'pricing', status: 403, body: { detail: 'This endpoint requires an API key with ADMIN scope' } });
		const run = await session.run({ items: three.slice(0, 1), parameters: guarded(1) });
		expect(run.status).toBe('success');
		expect(session.calls('pricing').map((c) => c.status)).toEqual([403]);
		expect(run.output('Hailuo Video')[0].json).toMatchObject({ costUsd: 0.28, priceSource: 'list price' });
	});

	test('when the pricing call fails, the list price is used and said so', async () => {
		emu().fault({ route: 'pricing', status: 500 });
		const run = await session.run({ items: three.slice(0, 1), parameters: guarded(1), apiKey: session.ADMIN_KEY });
		expect(run.status).toBe('success');
		expect(run.output('Hailuo Video')[0].json).toMatchObject({ costUsd: 0.28, priceSource: 'list price' });
		expect(session.calls('pricing')).toHaveLength(1);
	});

	test('the guard applies to Submit as well', async () => {
		const run = await session.run({ items: three, parameters: { operation: 'submit', ...guarded(0.5) } });
		expect(run.error.message).toBe('3 videos would cost USD 0.84, over the limit of USD 0.50');
		expect(submits()).toHaveLength(0);
	});
});
