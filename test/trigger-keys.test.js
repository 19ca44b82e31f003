// The Hailuo Trigger's webhook in n8n's engine (test/harness/webhook.js), continued: the trigger pinned to one fal
// user, and fal's key set (JWKS) unreachable while forged deliveries flood in.
const { generateKeyPairSync, randomUUID, sign, createHash } = require('node:crypto');
const { serveTrigger } = require('./harness/webhook');
const { nodeLog } = require('./harness');
const { startEmulator } = require('./emulator');
const { useNodeSession } = require('./node-session');
const { hookWorkflow, submitWithWebhook, answeredDeliveries } = require('./trigger-helpers');

// no retry of a refused delivery while a test runs: each attempt is one the test made happen
const session = useNodeSession({ queueMs: 20, progressMs: 80, webhookRetryMs: 600_000 });
const emu = () => session.emu;

describe('pinned to a fal user (Only Deliveries for fal.ai User)', () => {
	let hook;
	beforeAll(async () => {
		hook = await serveTrigger({ workflow: hookWorkflow({ falUserId: 'emulator-user' }), credentials: session.credentials() });
	});
	afterAll(async () => await hook.close());
	beforeEach(() => hook.reset());

	test('a delivery fal signed for another fal user: 403, nothing starts, n8n\'s log names the user it carried', async () => {
		emu().fault({ route: 'webhook', userId: 'another-fal-user' });
		const requestId = await submitWithWebhook(session, hook.url);
		const [delivery] = await answeredDeliveries(session, requestId, 1);
		await hook.idle();
		expect(delivery).toMatchObject({ userId: 'another-fal-user', status: 403 });
		expect(hook.answers).toEqual([{ status: 403, body: { error: 'the delivery is for another fal user' }, started: false }]);
		expect(hook.executions).toHaveLength(0);
		expect(nodeLog.filter((l) => l.level === 'warn' && l.message.includes(requestId)).map((l) => l.message)).toEqual([
			`Hailuo Trigger: refused a delivery for fal job ${requestId}: signed for fal user "another-fal-user", and this trigger takes only fal user "emulator-user" (Only Deliveries for fal.ai User)`,
		]);
		// the refusal is no delivery: the job is not marked, so fal's next try (after the pin is corrected) still counts
		expect(hook.staticData()['node:Hailuo Trigger']?.deliveredJobs ?? {}).not.toHaveProperty(requestId);
	});

	test('a delivery fal signed for the pinned user starts its execution, which gives the user id', async () => {
		const requestId = await submitWithWebhook(session, hook.url);
		await answeredDeliveries(session, requestId, 1);
		await hook.idle();
		const [run] = await hook.runs();
		expect(run.output('Hailuo Trigger')[0].json).toMatchObject({ requestId, status: 'OK', falUserId: 'emulator-user' });
	});
});

describe('fal\'s key set unreachable', () => {
	// an emulator of its own: its key set's URL is one this process has not fetched yet (the bound is per URL)
	let keysEmu;
	let hook;
	beforeAll(async () => {
		keysEmu = await startEmulator({ apiKey: session.API_KEY, queueMs: 20, progressMs: 80, webhookRetryMs: 600_000 });
		hook = await serveTrigger({ workflow: hookWorkflow(), credentials: session.credentials(session.API_KEY, keysEmu.url) });
	});
	afterAll(async () => {
		await hook.close();
		await keysEmu.close();
	});
	afterEach(() => jest.restoreAllMocks());

	const jwksFetches = () => keysEmu.calls.filter((c) => c.route === 'jwks');
	/** A delivery signed, with a fresh timestamp, by a key fal does not publish. */
	function forged(key, nowMs = Date.now()) {
		const requestId = randomUUID();
		const body = JSON.stringify({ request_id: requestId, gateway_request_id: requestId, status: 'OK', payload: {}, error: null });
		const timestamp = String(Math.floor(nowMs / 1000));
		const hash = createHash('sha256').update(body).digest('hex');
		const signature = sign(null, Buffer.from(`${requestId}\nuser-1\n${timestamp}\n${hash}`), key).toString('hex');
		const headers = { 'x-fal-webhook-request-id': requestId, 'x-fal-webhook-user-id': 'user-1', 'x-fal-webhook-timestamp': timestamp, 'x-fal-webhook-signature': signature };
		return fetch(hook.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then(async (res) => ({ status: res.status, body: await res.json() }));
	}

	test('20 forged deliveries at once, then 10 more: all 401, nothing starts, one fetch of the key set (failures are cached too)', async () => {
		// unreachable: each fetch hangs a moment, then the connection drops
		keysEmu.fault({ route: 'jwks', delayMs: 200, reset: true, times: 100 });
		const key = generateKeyPairSync('ed25519').privateKey;
		hook.together(20); // the 20 reach the webhook at the same moment: they share the one fetch in flight
		const flood = await Promise.all(Array.from({ length: 20 }, () => forged(key)));
		for (let i = 0; i < 10; i++) flood.push(await forged(key));
		await hook.idle();
		expect(flood.map((a) => a.status)).toEqual(Array(30).fill(401));
		expect(new Set(flood.map((a) => a.body.detail))).toEqual(new Set([expect.stringMatching(/^fal's webhook keys could not be read \(/)]));
		expect(hook.executions).toHaveLength(0);
		expect(jwksFetches()).toHaveLength(1);
		expect(nodeLog.filter((l) => l.message.startsWith('Hailuo Trigger: could not read fal\'s webhook keys'))).toHaveLength(1);
	});

	test('once the interval is over the key set is read again, and fal\'s own delivery verifies', async () => {
		keysEmu.clearFaults();
		const before = jwksFetches().length;
		const later = Date.now() + 61_000; // the clock past the interval (the emulator signs by the same clock)
		const clock = jest.spyOn(Date, 'now').mockReturnValue(later);
		const requestId = await submitWithWebhook(session, hook.url, keysEmu.url);
		await answeredDeliveries(session, requestId, 1, keysEmu);
		await hook.idle();
		clock.mockRestore();
		expect(hook.answers.at(-1)).toEqual({ status: 200, body: { received: true }, started: true });
		expect(jwksFetches()).toHaveLength(before + 1);
		const [run] = await hook.runs();
		expect(run.output('Hailuo Trigger')[0].json).toMatchObject({ requestId, status: 'OK' });
		// a forged one now: the keys just read (in static data) do not verify it, and nothing is fetched again
		expect((await forged(generateKeyPairSync('ed25519').privateKey)).body.detail).toBe('no key fal publishes verifies the signature');
		expect(jwksFetches()).toHaveLength(before + 1);
	});
});
