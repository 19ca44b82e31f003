// The image check (Options → Check Image URL) reads an image URL from the n8n host before submitting; the URL is
// whatever the workflow, or an AI agent using the node as a tool, put there. It goes through n8n's HTTP helper, so
// n8n 2.x's SSRF protection applies to it: with N8N_SSRF_PROTECTION_ENABLED=true a URL on a blocked address
// (loopback, private, link-local, …) is refused before anything is paid, and the host is never contacted. (n8n 1.x
// has no such setting.) The emulator's fal host is allowed by name (localhost); the same image on 127.0.0.1 is not.
//
// n8n reads its SSRF settings from the environment when its configuration is first built: set here, before the
// harness loads n8n-core (jest gives every test file its own modules).
process.env.N8N_SSRF_PROTECTION_ENABLED = 'true';
process.env.N8N_SSRF_ALLOWED_HOSTNAMES = 'localhost';

const { useNodeSession } = require('./node-session');

const session = useNodeSession();
const { urlParameters, submits } = session;
/** The emulator by name (allowed) or by its loopback address (blocked). */
const byName = () => session.emu.url.replace('://127.0.0.1:', '://localhost:');

afterAll(() => {
	delete process.env.N8N_SSRF_PROTECTION_ENABLED;
	delete process.env.N8N_SSRF_ALLOWED_HOSTNAMES;
});

describe("n8n's SSRF protection and the image check", () => {
	test('an image URL on a blocked address is refused before anything is paid; the host is not contacted', async () => {
		const run = await session.run({
			parameters: urlParameters({ imageUrl: session.image('frame.jpg') }),
			baseUrl: byName(),
		});
		expect(run.status).toBe('error');
		expect(run.error.message).toBe("Image URL: could not be read (n8n's SSRF protection refused the address); fal could not read it either (item 0)");
		expect(session.calls('sample')).toHaveLength(0);
		expect(submits()).toHaveLength(0);
	});

	test('the same image on an allowed host name is read, and the job is submitted', async () => {
		// Download off: the emulator's CDN serves the video from 127.0.0.1, which the protection blocks too.
		const run = await session.run({
			parameters: urlParameters({ imageUrl: `${byName()}/_samples/frame.jpg`, options: { download: false } }),
			baseUrl: byName(),
		});
		expect(run.error?.message).toBeUndefined();
		expect(run.status).toBe('success');
		expect(run.output('Hailuo Video')[0].json.videoUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
		expect(session.calls('sample').filter((c) => !c.runner)).toHaveLength(1);
		expect(submits()).toHaveLength(1);
		await session.expectNoHarm(run);
	});

	test('fal itself, on a blocked address, is refused too (keep the protection off for the emulator on 127.0.0.1)', async () => {
		const run = await session.run({ parameters: urlParameters({ options: { checkImageUrl: false } }) });
		expect(run.status).toBe('error');
		expect(submits()).toHaveLength(0);
		// nothing left n8n, so the error does not say that fal may bill a job
		expect(run.error.message).not.toMatch(/may have reached fal/);
		expect(run.error.message).toMatch(/n8n's SSRF protection refused the address/);
	});
});
