// The Hailuo Trigger: fal's signature scheme as the trigger checks it, against the emulator's signed deliveries and
// keys and against a fixed vector signed without node:crypto, and the execution a delivery starts, in n8n's engine:
// the video read from fal by request id, exactly as Get Result gives it. Its webhook (signature, repeats, the gateway
// id, the fal-user pin, the key set's bound) runs through n8n-core's WebhookContext in trigger-webhook.test.js and
// trigger-keys.test.js, and in real n8n in test/e2e/server-mode/trigger.js.
const { generateKeyPairSync, sign } = require('node:crypto');
const path = require('node:path');
const { runWorkflow } = require('./harness');
const { useNodeSession } = require('./node-session');

const { signedMessage, signedParts, timestampProblem, verifiedByAny } = require(path.join(__dirname, '../dist/fal/webhook-signature'));

const session = useNodeSession({ queueMs: 20, progressMs: 80 });
const emu = () => session.emu;

describe('fal\'s webhook signature, as the trigger checks it', () => {
	let jwks;
	let delivered;
	beforeAll(async () => {
		const requestId = '3f1f7a52-9a0e-4d5c-8b7a-2c1d0e9f8a7b';
		const body = JSON.stringify({ request_id: requestId, status: 'OK', payload: {}, error: null });
		const signed = await fetch(`${emu().url}/_emulator/sign`, { method: 'POST', body: JSON.stringify({ request_id: requestId, body }) });
		delivered = { body, headers: (await signed.json()).headers };
		jwks = await (await fetch(`${emu().url}/.well-known/jwks.json`)).json();
	});
	const delivery = () => delivered;
	const keys = () => jwks.keys;

	test('a delivery the emulator signs as fal does is verified by its published key', () => {
		const { body, headers } = delivery();
		const parts = signedParts(headers);
		expect(verifiedByAny(parts, Buffer.from(body), keys())).toBe(true);
		expect(timestampProblem(parts.timestamp, Date.now() / 1000)).toBeUndefined();
	});

	test('another body, another key, a broken signature or a missing header is refused', () => {
		const { body, headers } = delivery();
		const parts = signedParts(headers);
		expect(verifiedByAny(parts, Buffer.from(body.replace('OK', 'ERROR')), keys())).toBe(false);
		const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
		expect(verifiedByAny(parts, Buffer.from(body), [other])).toBe(false);
		const forged = signedParts({ ...headers, 'x-fal-webhook-signature': sign(null, Buffer.from('x'), generateKeyPairSync('ed25519').privateKey).toString('hex') });
		expect(verifiedByAny(forged, Buffer.from(body), keys())).toBe(false);
		expect(signedParts({ ...headers, 'x-fal-webhook-timestamp': undefined })).toEqual({ missing: 'x-fal-webhook-timestamp' });
		expect(signedParts({ ...headers, 'x-fal-webhook-signature': 'not hex' })).toEqual({ missing: 'x-fal-webhook-signature (not hex)' });
	});

	test('a timestamp more than five minutes away is refused (a replay)', () => {
		const now = Date.now() / 1000;
		expect(timestampProblem(String(Math.floor(now - 301)), now)).toMatch(/from now/);
		expect(timestampProblem(String(Math.floor(now + 301)), now)).toMatch(/from now/);
		expect(timestampProblem(String(Math.floor(now - 299)), now)).toBeUndefined();
	});

	test('a published key with base64 padding on x still verifies', () => {
		const { body, headers } = delivery();
		const padded = keys().map((key) => ({ ...key, x: `${key.x}=` }));
		expect(verifiedByAny(signedParts(headers), Buffer.from(body), padded)).toBe(true);
	});
});

describe('a fixed vector, signed once without node:crypto (test/fixtures/webhook-signature-vector.json)', () => {
	// computed with a pure-JavaScript ED25519 and checked with RFC 8032's pure-Python one (the fixture's note says how)
	const vector = require('./fixtures/webhook-signature-vector.json');
	/** @param {string} hex one byte of it flipped @param {number} at */
	const flipHex = (hex, at) => hex.slice(0, at * 2) + ((parseInt(hex.slice(at * 2, at * 2 + 2), 16) ^ 0x01).toString(16).padStart(2, '0')) + hex.slice(at * 2 + 2);
	const flipText = (text, at) => text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) ^ 0x01) + text.slice(at + 1);

	test('the trigger\'s verifier accepts it, as fal\'s scheme builds the message', () => {
		const parts = signedParts(vector.headers);
		expect(signedMessage(parts, Buffer.from(vector.body)).toString('utf8')).toBe(vector.message);
		expect(verifiedByAny(parts, Buffer.from(vector.body), [vector.key])).toBe(true);
	});

	test('one byte changed in the body, the signature, a signed header or the key: refused', () => {
		const body = Buffer.from(vector.body);
		const changed = {
			body: [vector.headers, Buffer.from(flipText(vector.body, 40)), vector.key],
			signature: [{ ...vector.headers, 'x-fal-webhook-signature': flipHex(vector.headers['x-fal-webhook-signature'], 17) }, body, vector.key],
			'user id': [{ ...vector.headers, 'x-fal-webhook-user-id': flipText(vector.headers['x-fal-webhook-user-id'], 9) }, body, vector.key],
			timestamp: [{ ...vector.headers, 'x-fal-webhook-timestamp': String(Number(vector.headers['x-fal-webhook-timestamp']) + 1) }, body, vector.key],
			'request id': [{ ...vector.headers, 'x-fal-webhook-request-id': flipText(vector.headers['x-fal-webhook-request-id'], 0) }, body, vector.key],
			key: [vector.headers, body, { ...vector.key, x: Buffer.from(flipHex(Buffer.from(vector.key.x, 'base64url').toString('hex'), 5), 'hex').toString('base64url') }],
		};
		for (const [what, [headers, raw, key]] of Object.entries(changed)) expect([what, verifiedByAny(signedParts(headers), raw, [key])]).toEqual([what, false]);
	});
});

describe('the execution a delivery starts', () => {
	/** Runs a workflow of the trigger alone, its webhook having produced `delivery`. */
	async function triggerRun(delivery, options = {}) {
		const workflow = {
			name: 'trigger',
			nodes: [
				{ id: 't1', name: 'Hailuo Trigger', type: 'n8n-nodes-hailuo.hailuoTrigger', typeVersion: 1, position: [0, 0], webhookId: 'w1', parameters: { options }, credentials: { hailuoApi: { id: 'c', name: 'Hailuo' } } },
			],
			connections: {},
		};
		return await runWorkflow(workflow, { credentials: session.credentials(), startItems: [{ json: delivery }] });
	}
	/** The trigger's video is the file fal serves, byte for byte, and the key shows nowhere. */
	async function expectWholeVideo(run) {
		const [item] = run.output('Hailuo Trigger');
		const served = Buffer.from(await (await fetch(item.json.videoUrl, { headers: { 'x-test-check': '1' } })).arrayBuffer());
		expect((await run.bytesOf(item.binary.data)).equals(served)).toBe(true);
		expect(session.visible(run)).not.toContain(session.API_KEY);
	}
	async function finishedJob(prompt = 'A boat at dawn') {
		const { body } = await (
			await fetch(`${emu().url}/fal-ai/minimax/hailuo-2.3/standard/image-to-video`, {
				method: 'POST',
				headers: { authorization: `Key ${session.API_KEY}`, 'content-type': 'application/json' },
				body: JSON.stringify({ prompt, image_url: session.image() }),
			}).then(async (res) => ({ body: await res.json() }))
		);
		await session.eventually(() => emu().jobs.get(body.request_id)?.status === 'COMPLETED');
		return body.request_id;
	}

	test('the video read from fal by request id, as Get Result gives it, with the delivery\'s query', async () => {
		const requestId = await finishedJob();
		const run = await triggerRun({ requestId, status: 'OK', error: null, query: { row: '42' } });
		await expectWholeVideo(run);
		const [item] = run.output('Hailuo Trigger');
		expect(item.json).toMatchObject({ requestId, status: 'OK', error: null, query: { row: '42' }, videoUrl: `${emu().url}/cdn/${requestId}/output.mp4`, mimeType: 'video/mp4' });
		expect(item.binary.data.mimeType).toBe('video/mp4');
		expect(session.calls('result')).toHaveLength(1);
	});

	test('a delivery that says OK for a job that failed on fal: fal\'s own words, no video (fal is read, not the body)', async () => {
		const requestId = await finishedJob('Bad [emulator:fail]');
		const run = await triggerRun({ requestId, status: 'OK', error: null, query: {} });
		const [item] = run.output('Hailuo Trigger');
		expect(item.json).toMatchObject({ requestId, status: 'ERROR', error: 'Generation failed (emulator)' });
		expect(item.binary).toBeUndefined();
		expect(session.calls('cdn')).toHaveLength(0);
	});

	test('a delivery that comes before fal can give the job\'s end is read again until it can', async () => {
		const { body } = await (
			await fetch(`${emu().url}/fal-ai/minimax/hailuo-2.3/standard/image-to-video`, {
				method: 'POST',
				headers: { authorization: `Key ${session.API_KEY}`, 'content-type': 'application/json' },
				body: JSON.stringify({ prompt: 'slow [emulator:ms=1500]', image_url: session.image() }),
			}).then(async (res) => ({ body: await res.json() }))
		);
		const run = await triggerRun({ requestId: body.request_id, status: 'OK', error: null, query: {} });
		await expectWholeVideo(run);
		expect(run.output('Hailuo Trigger')[0].binary.data.mimeType).toBe('video/mp4');
		expect(emu().jobs.get(body.request_id).cancelRequested).toBe(false);
	});

	test('with Download Video off: the JSON only', async () => {
		const requestId = await finishedJob();
		const run = await triggerRun({ requestId, status: 'OK', error: null, query: {} }, { download: false });
		const [item] = run.output('Hailuo Trigger');
		expect(item.json).toMatchObject({ requestId, status: 'OK' });
		expect(item.binary).toBeUndefined();
		expect(session.calls('cdn')).toHaveLength(0);
	});
});
