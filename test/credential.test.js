// The credential: its test is free, passes for every valid fal key (API scope, fal's default, and ADMIN scope),
// and fails for a wrong one. Run through n8n-core's RoutingNode as n8n's credential tester runs it.
const { startEmulator } = require('./emulator');
const { testCredential } = require('./harness/credential-test');

const API_KEY = 'fal-test-key-credential';
const ADMIN_KEY = 'fal-test-admin-key-credential';
let emu;
beforeAll(async () => {
	emu = await startEmulator({ apiKey: API_KEY, adminKey: ADMIN_KEY });
});
afterAll(async () => await emu.close());
beforeEach(() => emu.reset());

const initiates = () => emu.calls.filter((c) => c.route === 'initiate');

test('an API-scope key (fal\'s default) passes: the test asks fal storage for an upload URL, with "Key <key>"', async () => {
	expect(await testCredential({ apiKey: API_KEY, baseUrl: `${emu.url}/` })).toEqual({ status: 'OK' });
	const [call] = initiates();
	expect(call).toMatchObject({ method: 'POST', path: '/storage/upload/initiate', query: { storage_type: 'fal-cdn-v3' }, status: 200, keyScope: 'API' });
	expect(call.headers.authorization).toBe('Key ***');
});

test('an ADMIN-scope key passes too', async () => {
	expect(await testCredential({ apiKey: ADMIN_KEY, baseUrl: emu.url })).toEqual({ status: 'OK' });
	expect(initiates()[0].keyScope).toBe('ADMIN');
});

test('a wrong key fails with 401, and nothing is uploaded, submitted or billed', async () => {
	const result = await testCredential({ apiKey: 'fal-wrong-key-77', baseUrl: emu.url });
	expect(result).toMatchObject({ status: 'Error', httpStatus: 401 });
	expect(JSON.stringify(result)).not.toContain('fal-wrong-key-77');
	expect(emu.stats()).toMatchObject({ uploads: 0, submits: 0, billed: 0 });
});

test('the test never touches the pricing call, which refuses API-scope keys', async () => {
	await testCredential({ apiKey: API_KEY, baseUrl: emu.url });
	expect(emu.calls.filter((c) => c.route === 'pricing')).toEqual([]);
});

test('a key pasted with "Key " or "Bearer " in front still passes', async () => {
	expect((await testCredential({ apiKey: ` Key ${API_KEY} `, baseUrl: emu.url })).status).toBe('OK');
	expect((await testCredential({ apiKey: `Bearer ${API_KEY}`, baseUrl: emu.url })).status).toBe('OK');
});

test('with no Base URL the test goes to fal\'s storage host; the key is a password field', () => {
	const { credential } = require('./harness/node-types').loadPackage();
	expect(credential.test.request.baseURL).toContain('https://rest.fal.ai');
	expect(credential.properties.map((p) => p.name)).toEqual(['apiKey', 'baseUrl']);
	expect(credential.properties[0].typeOptions).toEqual({ password: true });
});
