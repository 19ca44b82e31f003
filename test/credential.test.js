// The credential: its test is a free, authenticated call that fails for a wrong key.
const { startEmulator } = require('./emulator');
const { testCredential } = require('./harness/credential-test');

const API_KEY = 'fal-test-key-credential';
let emu;
beforeAll(async () => {
	emu = await startEmulator({ apiKey: API_KEY });
});
afterAll(async () => await emu.close());

test('the credential test calls fal\'s free pricing endpoint with "Key <key>" and passes', async () => {
	const { url, status } = await testCredential({ apiKey: API_KEY, baseUrl: `${emu.url}/` });
	expect(status).toBe(200);
	expect(url).toBe(`${emu.url}/v1/models/pricing?endpoint_id=fal-ai%2Fminimax%2Fhailuo-2.3%2Fstandard%2Fimage-to-video`);
	expect(emu.calls.at(-1)).toMatchObject({ route: 'pricing', status: 200 });
});

test('the credential test fails for a wrong key', async () => {
	const { status } = await testCredential({ apiKey: 'wrong', baseUrl: emu.url });
	expect(status).toBe(401);
});

test('a key pasted with "Key " or "Bearer " in front still passes', async () => {
	expect((await testCredential({ apiKey: ` Key ${API_KEY} `, baseUrl: emu.url })).status).toBe(200);
	expect((await testCredential({ apiKey: `Bearer ${API_KEY}`, baseUrl: emu.url })).status).toBe(200);
});

test('with no Base URL the test goes to fal\'s API host', async () => {
	const { credential } = require('./harness/node-types').loadPackage();
	expect(credential.test.request.baseURL).toContain('https://api.fal.ai');
	expect(credential.properties.map((p) => p.name)).toEqual(['apiKey', 'baseUrl']);
	expect(credential.properties[0].typeOptions).toEqual({ password: true });
});
