// @ts-check
// What every engine test of the node needs: an emulator per test file (reset before each test), the
// credential that points at it, a way to run the Hailuo node in n8n's engine, and the checks that must
// hold after every run whatever went wrong (no duplicate job, the key only where fal needs it, no truncated
// video, no job left running on the emulator).
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { startEmulator } = require('./emulator');
const { runWorkflow, nodeLog } = require('./harness');
const { hailuoWorkflow } = require('./workflows');

const API_KEY = 'fal-test-key-7d1e5c0a';
// A key of ADMIN scope: fal's pricing call refuses API-scope keys (test/emulator/README.md).
const ADMIN_KEY = 'fal-test-admin-key-93b0';
// Marks the test's own reads of the emulator, so that they are not counted as the node's calls.
const CHECK_HEADER = { 'x-test-check': '1' };
const FIXTURE_VIDEO = readFileSync(path.join(__dirname, 'emulator/fixtures/video.mp4'));
// fal's routes that take the key (fal-protocol.md), written here rather than taken from the emulator's own list:
// queue submit, status, status stream, result, cancel; storage's upload initiate; the platform's pricing call.
const KEYED_ROUTES = new Set(['submit', 'status', 'stream', 'result', 'cancel', 'initiate', 'pricing']);

/**
 * Every place a key went, in the emulator's raw record (what really arrived, unredacted: emu.raw), other than
 * `Authorization: Key <key>` on a keyed route of fal's origin: a query, a path, a body, another header, the
 * upload PUT, the CDN, the sample image host, the other origin, a webhook the emulator sent out. The key itself
 * is written as <key> in the answer.
 * @param {import('./emulator').Emulator} emulator @param {string[]} keys
 * @returns {string[]}
 */
function keyLeaks(emulator, keys) {
	const leaks = [];
	for (const request of emulator.raw) {
		for (const key of keys) {
			const forms = [key, encodeURIComponent(key), Buffer.from(key).toString('base64')];
			const holds = (/** @type {string | Buffer} */ text) => forms.some((form) => text.includes(form));
			const where = `${request.method} ${request.url.split(key).join('<key>')} (${request.host}, route ${request.route})`;
			if (holds(request.url)) leaks.push(`${where}: in the URL`);
			for (const [name, value] of request.headers) {
				const allowed =
					request.origin === 'fal' && KEYED_ROUTES.has(request.route) && name.toLowerCase() === 'authorization' && value === `Key ${key}`;
				if ((holds(name) || holds(value)) && !allowed) leaks.push(`${where}: in the header ${name.split(key).join('<key>')}`);
			}
			if (holds(request.body)) leaks.push(`${where}: in the body`);
		}
	}
	return leaks;
}

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
	beforeEach(() => {
		emu.reset();
		nodeLog.splice(0);
	});

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
		/** Where the keys went other than fal's Authorization header (see keyLeaks). */
		keyLeaks: (emulator = emu) => keyLeaks(emulator, [API_KEY, ADMIN_KEY]),
		/** Resolves once `predicate` holds, or fails after `ms` (for work the node finishes after its run). */
		async eventually(/** @type {() => boolean} */ predicate, ms = 10_000) {
			const deadline = Date.now() + ms;
			while (!predicate()) {
				if (Date.now() > deadline) throw new Error(`not true within ${ms} ms: ${predicate}`);
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
		},
		/**
		 * Resolves with the node's log line saying it dropped a submit it had held back (`Hailuo: item N not
		 * submitted: <reason>`), or with the submit it sent instead (the emulator's `submitsBefore + 1`-th): the
		 * event that settles whether a held submit goes out, instead of a sleep. Fails after `ms`.
		 * @param {RegExp} line @param {number} submitsBefore
		 * @returns {Promise<{ logged?: { level: string, message: string }, sent?: import('./emulator').Call }>}
		 */
		async heldSubmitSettled(line, submitsBefore, ms = 15_000) {
			const logged = () => nodeLog.find((entry) => line.test(entry.message));
			await session.eventually(() => logged() !== undefined || session.submits().length > submitsBefore, ms);
			return { logged: logged(), sent: session.submits()[submitsBefore] };
		},
		/**
		 * What must hold after every run: no job submitted twice, the key nowhere but in fal's Authorization
		 * header (checked against what really arrived, and in the run's output and n8n's log), every video whole,
		 * and (once the node's best-effort cancels have landed) no job left running on the emulator.
		 * @param {any} run
		 * @param {import('./emulator').Emulator} [emulator]  the emulator the run used (default: the session's)
		 */
		async expectNoHarm(run, emulator = emu) {
			expect(emulator.stats().duplicates).toBe(0);
			for (const key of [API_KEY, ADMIN_KEY]) {
				expect(session.visible(run)).not.toContain(key);
				expect(JSON.stringify(nodeLog)).not.toContain(key);
			}
			for (const item of run.status === 'success' ? run.output('Hailuo Video') : []) {
				for (const binary of Object.values(item.binary ?? {})) {
					const served = Buffer.from(await (await fetch(item.json.videoUrl, { headers: CHECK_HEADER })).arrayBuffer());
					expect((await run.bytesOf(binary)).equals(served)).toBe(true);
				}
			}
			await session.eventually(() => emulator.stats().running === 0);
			// after the cancels that land once the run is over
			expect(session.keyLeaks(emulator)).toEqual([]);
		},
	};
	return session;
}

module.exports = { useNodeSession, keyLeaks, API_KEY, ADMIN_KEY, FIXTURE_VIDEO };
