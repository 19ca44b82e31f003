// @ts-check
// The runs of the soak: each drawn from (seed, run number) alone, so that a seed repeats its runs.

/** mulberry32: a small, fast, seeded generator of numbers in [0, 1). @param {number} seed */
function generator(seed) {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Every kind of fault the emulator has, as the soak draws them (`weight`: how often, relative). */
const FAULTS = [
	{ weight: 3, spec: { route: 'submit', status: 429, headers: { 'retry-after': '0' }, times: 2 } },
	{ weight: 2, spec: { route: 'submit', status: 503 } },
	{ weight: 1, spec: { route: 'submit', reset: true } },
	{ weight: 2, spec: { route: 'submit', afterAccept: true } },
	{ weight: 2, spec: { route: 'submit', lateAnswerMs: 300 } },
	{ weight: 1, spec: { route: 'submit', delayMs: 200 } },
	{ weight: 2, spec: { route: 'status', status: 500 } },
	{ weight: 2, spec: { route: 'status', status: 200, body: {}, times: 2 } },
	{ weight: 1, spec: { route: 'status', reset: true } },
	{ weight: 2, spec: { route: 'stream', status: 405, times: 5 } },
	{ weight: 2, spec: { route: 'stream', cutAfterBytes: 40 } },
	{ weight: 1, spec: { route: 'stream', silent: true } },
	{ weight: 1, spec: { route: 'stream', stallAfterBytes: 30 } },
	{ weight: 2, spec: { route: 'result', status: 500 } },
	{ weight: 1, spec: { route: 'result', status: 404 } },
	{ weight: 1, spec: { route: 'result', reset: true } },
	{ weight: 1, spec: { route: 'cancel', status: 500 } },
	{ weight: 2, spec: { route: 'cdn', cutAfterBytes: 100_000 } },
	{ weight: 1, spec: { route: 'cdn', stallAfterBytes: 50_000 } },
	{ weight: 2, spec: [{ route: 'result', withoutFileSize: true }, { route: 'cdn', endAfterBytes: 120_000 }] },
	{ weight: 1, spec: { route: 'pricing', status: 500 } },
	{ weight: 1, spec: { route: 'sample', status: 503 } },
	{ weight: 1, spec: { route: 'initiate', status: 503 } },
	{ weight: 1, spec: { route: 'upload', status: 500 } },
	{ weight: 1, spec: { route: 'webhook', duplicate: true } },
	{ weight: 1, spec: { route: 'webhook', delayMs: 300 } },
];

/**
 * One run: emulator options, faults, the node's parameters and settings, and when to press Stop.
 * @param {number} seed @param {number} runIndex
 */
function randomRun(seed, runIndex) {
	const random = generator(seed ^ Math.imul(runIndex + 1, 0x9e3779b1));
	const chance = (p) => random() < p;
	const between = (low, high) => low + Math.floor(random() * (high - low + 1));
	const pick = (list) => list[Math.floor(random() * list.length)];
	const weighted = () => {
		const total = FAULTS.reduce((sum, f) => sum + f.weight, 0);
		let at = random() * total;
		for (const fault of FAULTS) if ((at -= fault.weight) < 0) return fault.spec;
		return FAULTS[0].spec;
	};

	const operation = chance(0.65) ? 'generate' : 'submit';
	const binary = chance(0.15);
	const count = between(1, 6);
	const items = Array.from({ length: count }, (_, i) => ({
		json: { p: `item ${i} of run ${runIndex} [emulator:ms=${between(20, 1500)}]${chance(0.08) ? ' [emulator:fail]' : ''}` },
		...(binary ? { binary: { data: { path: 'emulator/fixtures/frame.png', mimeType: 'image/png' } } } : {}),
	}));
	const options = {
		maxInFlight: between(1, 6),
		downloadIdleSeconds: 1,
		...(operation === 'generate' && chance(0.15) ? { timeoutMinutes: 0.02 } : {}),
		...(chance(0.2) ? { maxSpendUsd: 100 } : {}),
		...(operation === 'submit' && chance(0.3) ? { webhookUrl: 'http://127.0.0.1:9/hook' } : {}),
	};
	const faults = Array.from({ length: between(0, 3) }, weighted).flat();
	return {
		emulator: {
			queueMs: between(10, 300),
			progressMs: 100,
			cancelMs: 50,
			concurrency: pick([0, 0, 1, 2, 3]),
			streamFirstEvent: pick(['on-change', 'at-once']),
			reportQueuePosition: chance(0.8),
			inProgressCancel: chance(0.1) ? 'ignore' : 'stop',
			videoBytes: 300_000,
			imageFetchTimeoutMs: 2_000,
			webhookRetryMs: 50,
		},
		faults,
		items,
		parameters: {
			operation,
			prompt: '={{ $json.p }}',
			imageSource: binary ? 'binary' : 'url',
			binaryPropertyName: 'data',
			options,
		},
		continueOnFail: chance(0.4),
		settings: chance(0.25) ? { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 } : {},
		stopAfterMs: chance(0.25) ? between(0, 1500) : undefined,
	};
}

module.exports = { randomRun, FAULTS };
