// Every input limit of the model is checked before money is spent: a first frame that fal's model would
// refuse after queueing is refused by the node, naming the parameter and the item, with nothing submitted.
const { mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { useNodeSession } = require('./node-session');

const session = useNodeSession();
const { urlParameters, submits } = session;

const REFUSED = [
	['100x100 PNG', 'png/100x100.png', /is 100×100 px; its short side must be over 300 px/],
	['300x300 PNG (not over 300 px)', 'png/300x300.png', /is 300×300 px; its short side must be over 300 px/],
	['2000x300 PNG (ratio 6.7)', 'png/2000x300.png', /is 2000×300 px; its short side must be over 300 px/],
	['2100x320 PNG (ratio 6.6)', 'png/2100x320.png', /is 2100×320 px \(ratio 6\.6:1\); the model takes ratios between 2:5 and 5:2/],
	['301x800 JPEG (ratio 2.66, taller than 2:5)', 'jpeg/301x800.jpg', /is 301×800 px \(ratio 2\.7:1\)/],
	['21 MB PNG', 'big/21.png', /is 21 MB; the model takes images up to 20 MB/],
	['GIF', 'gif/640x480.gif', /is not a JPEG, PNG or WebP image \(it is GIF\)/],
	['truncated PNG', 'truncated.png', /is not a complete image: its size cannot be read/],
];

describe('an image URL is read (its first bytes) before submitting', () => {
	test.each(REFUSED)('%s is refused with 0 submits', async (_, sample, problem) => {
		const run = await session.run({ parameters: urlParameters({ imageUrl: session.image(sample) }) });
		expect(run.status).toBe('error');
		expect(run.error.message).toMatch(/^Image URL: /);
		expect(run.error.message).toMatch(problem);
		expect(run.error.message).toMatch(/\(item 0\)$/);
		expect(submits()).toHaveLength(0);
		// a small ranged read, not the whole file
		const read = session.calls('sample').filter((c) => !c.runner);
		expect(read.length).toBeGreaterThan(0);
		expect(read.every((c) => c.headers.range === 'bytes=0-262143')).toBe(true);
	});

	test('an unreachable image URL is refused before submitting: fal could not read it either', async () => {
		const run = await session.run({ parameters: urlParameters({ imageUrl: 'http://127.0.0.1:1/x.png' }) });
		expect(run.error.message).toBe('Image URL: could not be read (the connection was refused); fal could not read it either (item 0)');
		expect(submits()).toHaveLength(0);
	});

	test('a URL that answers 404 is refused before submitting', async () => {
		const run = await session.run({ parameters: urlParameters({ imageUrl: session.image('no-such-image.png') }) });
		expect(run.error.message).toBe('Image URL: could not be read (the host answered HTTP 404); fal could not read it either (item 0)');
		expect(submits()).toHaveLength(0);
	});

	test('301x301 (short side over 300 px) and 2:5 exactly are accepted', async () => {
		for (const sample of ['png/301x301.png', 'jpeg/320x800.jpg', 'webp/800x320.webp']) {
			const run = await session.run({ parameters: urlParameters({ imageUrl: session.image(sample) }) });
			expect(run.status).toBe('success');
		}
		expect(session.emu.stats().completed).toBe(3);
	});

	test('with Check Image URL off, nothing is read first, and fal\'s own refusal comes back from the job', async () => {
		const parameters = urlParameters({ imageUrl: session.image('png/100x100.png'), options: { checkImageUrl: false } });
		const run = await session.run({ parameters });
		expect(session.calls('sample').filter((c) => !c.runner)).toHaveLength(0);
		expect(submits()).toHaveLength(1);
		expect(run.error.message).toMatch(/^fal could not generate the video \(HTTP 422\): Image URL: Image too small/);
	});

	test('with continue on fail, a refused image fails alone and the other items are generated', async () => {
		const items = [{ json: { url: session.image('png/100x100.png') } }, { json: { url: session.image('frame.png') } }];
		const run = await session.run({ items, continueOnFail: true, parameters: urlParameters({ imageUrl: '={{ $json.url }}' }) });
		const out = run.output('Hailuo Video');
		expect(out[0].json.error).toMatch(/^Image URL: is 100×100 px/);
		expect(out[1].binary.data.mimeType).toBe('video/mp4');
		expect(submits()).toHaveLength(1);
	});
});

describe('a binary image is checked by its bytes before it is uploaded', () => {
	let dir;
	beforeAll(() => {
		dir = mkdtempSync(path.join(tmpdir(), 'hailuo-images-'));
	});

	async function binaryItem(sample) {
		const response = await fetch(session.image(sample), { headers: { 'x-test-check': '1' } });
		const file = path.join(dir, sample.replace(/\//g, '-'));
		writeFileSync(file, Buffer.from(await response.arrayBuffer()));
		return { json: {}, binary: { data: { path: file, mimeType: 'image/png', fileName: path.basename(file) } } };
	}

	test.each(REFUSED)('%s is refused with 0 uploads and 0 submits', async (_, sample, problem) => {
		const run = await session.run({ items: [await binaryItem(sample)], parameters: { prompt: 'x', imageSource: 'binary' } });
		expect(run.status).toBe('error');
		expect(run.error.message).toMatch(/^Input Binary Field "data": /);
		expect(run.error.message).toMatch(problem);
		expect(session.calls('initiate')).toHaveLength(0);
		expect(submits()).toHaveLength(0);
	});

	test('a 301x301 PNG is uploaded and generated', async () => {
		const run = await session.run({ items: [await binaryItem('png/301x301.png')], parameters: { prompt: 'x', imageSource: 'binary' } });
		expect(run.status).toBe('success');
		expect(session.emu.stats().uploads).toBe(1);
	});
});
