// @ts-check
// What every engine test of the node needs: an emulator per test file (reset before each test), the
// credential that points at it, a way to run the Hailuo node in n8n's engine, and the checks that must
// hold after every run whatever went wrong (no duplicate job, no key anywhere, no truncated video, no job
// left running on the emulator).
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { startEmulator } = require('./emulator');
const { runWorkflow } = require('./harness');
const { hailuoWorkflow } = require('./workflows');

const API_KEY = 'fal-test-key-7d1e5c0a';
// A key of ADMIN scope: fal's pricing call refuses API-scope keys (test/emulator/README.md).
const ADMIN_KEY = 'fal-test-admin-key-93b0';
// Marks the test's own reads of the emulator, so that they are not counted as the node's calls.
const CHECK_HEADER = { 'x-test-check': '1' };
const FIXTURE_VIDEO = readFileSync(path.join(__dirname, 'emulator/fixtures/video.mp4'));

/**
 * @param {import('./emulator').EmulatorOptions} [options]
 */
function useNodeSession(options = {}) {
	/** @type {import('./emulator').Emulator} */
	let emu;
	beforeAll(async () => {
		emu = await startEmulator({ apiKey: API_KEY, adminKey: ADMIN_KEY, queueMs: 30, progressMs: 60, ...options });
	});
	afterAll(async () => await emu.close());
	beforeEach(() => emu.reset());

	const session = {
		API_KEY,
		ADMIN_KEY,
		FIXTURE_VIDEO,
		get emu() {
			return emu;
		},
		/** An image the emulator's sample host serves (fal's runner can read it too). */
		image: (/** @type {string} */ name = 'frame.jpg') => `${emu.url}/_samples/${name}`,
		credentials: (apiKey = API_KEY, baseUrl = emu.url) => ({ hailuoApi: { apiKey, baseUrl } }),
		/** The node's parameters for a Generate from an image URL. */
		urlParameters: (/** @type {Record<string, unknown>} */ extra = {}) => ({
			prompt: 'A cat walks along a wall',
			imageSource: 'url',
			imageUrl: session.image(),
			...extra,
		}),
		/**
		 * Runs Start → Fixture Items → Hailuo Video in n8n's engine.
		 * @param {{ parameters?: Record<string, unknown>, items?: object[], continueOnFail?: boolean, apiKey?: string,
		 *   baseUrl?: string, onStarted?: (cancel: () => void) => void,
		 *   settings?: { retryOnFail?: boolean, maxTries?: number, waitBetweenTries?: number }, thenHoldMs?: number,
		 *   loopTimes?: number, binaryMode?: 'filesystem' | 'default' }} [spec]
		 */
		async run(spec = {}) {
			const { parameters = session.urlParameters(), items, continueOnFail, apiKey, baseUrl, onStarted, binaryMode, ...shape } = spec;
			return await runWorkflow(hailuoWorkflow({ parameters, items, continueOnFail, ...shape }), {
				credentials: session.credentials(apiKey, baseUrl),
				onStarted,
				binaryMode,
			});
		},
		/** Calls the emulator recorded for a route. @param {string} route */
		calls: (route) => emu.calls.filter((call) => call.route === route && !call.headers['x-test-check']),
		submits: () => session.calls('submit'),
		/** Everything a run produced that a person or a log could see. @param {any} run */
		visible: (run) => JSON.stringify(run.run),
		/** Resolves once `predicate` holds, or fails after `ms` (for work the node finishes after its run). */
		async eventually(/** @type {() => boolean} */ predicate, ms = 10_000) {
			const deadline = Date.now() + ms;
			while (!predicate()) {
				if (Date.now() > deadline) throw new Error(`not true within ${ms} ms: ${predicate}`);
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
		},
		/**
		 * What must hold after every run: no job submitted twice, the key nowhere, every video whole, and
		 * (once the node's best-effort cancels have landed) no job left running on the emulator.
		 * @param {any} run
		 */
		async expectNoHarm(run) {
			expect(emu.stats().duplicates).toBe(0);
			for (const key of [API_KEY, ADMIN_KEY]) {
				expect(session.visible(run)).not.toContain(key);
				expect(JSON.stringify(emu.calls)).not.toContain(key);
			}
			for (const item of run.status === 'success' ? run.output('Hailuo Video') : []) {
				for (const binary of Object.values(item.binary ?? {})) {
					const served = Buffer.from(await (await fetch(item.json.videoUrl, { headers: CHECK_HEADER })).arrayBuffer());
					expect((await run.bytesOf(binary)).equals(served)).toBe(true);
				}
			}
			await session.eventually(() => emu.stats().running === 0);
		},
	};
	return session;
}

module.exports = { useNodeSession, API_KEY, ADMIN_KEY, FIXTURE_VIDEO };
