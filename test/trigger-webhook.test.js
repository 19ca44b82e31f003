// The Hailuo Trigger's webhook in n8n's engine: fal's deliveries (the emulator's, signed as fal signs, over real
// HTTP) reach the trigger's webhook() through n8n-core's WebhookContext (test/harness/webhook.js: static data loaded
// per request and saved after the answer, as n8n does), and what it returns starts an execution in n8n's engine.
// Here: fal's delivery → one execution with the video; repeats; forgeries; the signed header carrying the gateway id;
// a null payload. The fal-user pin and the key set's bound: test/trigger-keys.test.js.
const { generateKeyPairSync, randomUUID, sign } = require('node:crypto');
const { serveTrigger } = require('./harness/webhook');
const { useNodeSession } = require('./node-session');
const { hookWorkflow, submitWithWebhook, answeredDeliveries } = require('./trigger-helpers');

// no retry of a refused delivery while a test runs: each attempt is one the test made happen
const session = useNodeSession({ queueMs: 20, progressMs: 80, webhookRetryMs: 600_000 });
const emu = () => session.emu;

let hook;
beforeAll(async () => {
	hook = await serveTrigger({ workflow: hookWorkflow(), credentials: session.credentials() });
});
afterAll(async () => await hook.close());
beforeEach(() => hook.reset());

/** Posts a delivery to the trigger as fal would; its answer. */
async function post(body, headers, url = hook.url) {
	const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
	return { status: res.status, body: await res.json() };
}
/** The headers the emulator signs a body with, for the id and timestamp given. */
async function signed(requestId, body, timestamp) {
	const res = await fetch(`${emu().url}/_emulator/sign`, { method: 'POST', body: JSON.stringify({ request_id: requestId, body, timestamp }) });
	return (await res.json()).headers;
}
/** A job finished on fal, submitted without a webhook (the deliveries about it are the test's). */
async function finishedJob() {
	const requestId = await submitWithWebhook(session, undefined);
	await session.eventually(() => emu().jobs.get(requestId)?.status === 'COMPLETED');
	return requestId;
}
/** The trigger's item of an execution, its video checked byte for byte against fal's. */
async function videoItemOf(run) {
	expect(run.status).toBe('success');
	const [item] = run.output('Hailuo Trigger');
	const served = Buffer.from(await (await fetch(item.json.videoUrl, { headers: { 'x-test-check': '1' } })).arrayBuffer());
	expect((await run.bytesOf(item.binary.data)).equals(served)).toBe(true);
	expect(session.visible(run)).not.toContain(session.API_KEY);
	return item;
}

test('a delivery fal signs starts one execution: the video read from fal by request id, the URL\'s query, the fal user', async () => {
	const requestId = await submitWithWebhook(session, `${hook.url}?row=7`);
	await answeredDeliveries(session, requestId, 1);
	await hook.idle();
	expect(hook.answers).toEqual([{ status: 200, body: { received: true }, started: true }]);
	const [run] = await hook.runs();
	const item = await videoItemOf(run);
	expect(item.json).toMatchObject({ requestId, status: 'OK', error: null, payloadError: null, falUserId: 'emulator-user', query: { row: '7' } });
	expect(session.calls('result').map((c) => c.path)).toEqual([`/fal-ai/minimax/requests/${requestId}`]);
	expect(hook.staticData()['node:Hailuo Trigger'].deliveredJobs).toHaveProperty(requestId);
});

test('a job delivered twice (fal delivers at least once): one execution', async () => {
	emu().fault({ route: 'webhook', duplicate: true });
	const requestId = await submitWithWebhook(session, hook.url);
	await answeredDeliveries(session, requestId, 2);
	await hook.idle();
	expect(hook.answers.map((a) => a.body)).toEqual([{ received: true }, { received: true, repeated: true }]);
	expect(await hook.runs()).toHaveLength(1);
});

test('two deliveries of one job at the same moment: one execution (neither sees the other\'s static data)', async () => {
	const requestId = await finishedJob();
	const body = JSON.stringify({ request_id: requestId, gateway_request_id: requestId, status: 'OK', payload: {}, error: null });
	const headers = await signed(requestId, body);
	hook.together(3);
	const answers = await Promise.all([post(body, headers), post(body, headers), post(body, headers)]);
	await hook.idle();
	expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
	expect(answers.filter((a) => a.body.repeated)).toHaveLength(2);
	expect(await hook.runs()).toHaveLength(1);
});

test('forged deliveries get 401 and start nothing; the same delivery as fal signs it starts one execution', async () => {
	const requestId = await finishedJob();
	const body = JSON.stringify({ request_id: requestId, gateway_request_id: requestId, status: 'OK', payload: {}, error: null });
	const good = await signed(requestId, body);
	const ownKey = generateKeyPairSync('ed25519').privateKey;
	const forged = {
		'no signature headers': await post(body, {}),
		'a wrong signature': await post(body, { ...good, 'x-fal-webhook-signature': 'ab'.repeat(64) }),
		'a timestamp 10 minutes old': await post(body, await signed(requestId, body, Math.floor(Date.now() / 1000) - 600)),
		'a valid signature over another body': await post(body.replace('"OK"', '"ERROR"'), good),
		'a key fal does not publish': await post(body, { ...good, 'x-fal-webhook-signature': sign(null, Buffer.from('x'), ownKey).toString('hex') }),
	};
	await hook.idle();
	for (const [what, answer] of Object.entries(forged)) expect([what, answer.status]).toEqual([what, 401]);
	expect(forged['a valid signature over another body'].body.detail).toBe('no key fal publishes verifies the signature');
	expect(hook.executions).toHaveLength(0);
	expect((await post(body, good)).status).toBe(200);
	await hook.idle();
	expect(await hook.runs()).toHaveLength(1);
});

test('the signed header carrying gateway_request_id (fal retried the job internally): one execution, the job read by request_id', async () => {
	emu().fault({ route: 'webhook', signGatewayId: true });
	const requestId = await submitWithWebhook(session, hook.url);
	const [delivery] = await answeredDeliveries(session, requestId, 1);
	expect(delivery.signedId).toBe(delivery.gatewayRequestId);
	expect(delivery.signedId).not.toBe(requestId);
	await hook.idle();
	expect(hook.answers.map((a) => a.status)).toEqual([200]);
	const [run] = await hook.runs();
	expect((await videoItemOf(run)).json).toMatchObject({ requestId, status: 'OK' });
	expect(session.calls('result').map((c) => c.path)).toEqual([`/fal-ai/minimax/requests/${requestId}`]);
	expect(session.calls('status').every((c) => c.path.includes(requestId))).toBe(true);
});

test('the signed header carrying a third id (neither of the body\'s): 401, nothing starts', async () => {
	const requestId = await finishedJob();
	const body = JSON.stringify({ request_id: requestId, gateway_request_id: randomUUID(), status: 'OK', payload: {}, error: null });
	const answer = await post(body, await signed(randomUUID(), body));
	await hook.idle();
	expect(answer).toEqual({ status: 401, body: { error: 'the delivery is not signed by fal', detail: 'the signed request id is neither the body\'s request_id nor its gateway_request_id' } });
	expect(hook.executions).toHaveLength(0);
});

test('a delivery whose payload is null (fal could not serialise it): the video read from fal all the same, and the item says so', async () => {
	const words = 'Object of type bytes is not JSON serializable';
	emu().fault({ route: 'webhook', payloadError: words });
	const requestId = await submitWithWebhook(session, hook.url);
	await answeredDeliveries(session, requestId, 1);
	await hook.idle();
	const [run] = await hook.runs();
	expect((await videoItemOf(run)).json).toMatchObject({ requestId, status: 'OK', error: null, payloadError: words });
});
