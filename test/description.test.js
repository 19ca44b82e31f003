// What workflows and the editor depend on: names, defaults, files, and the rule that the model table
// drives the fields (a model's durations, prices and image fields come from models.ts alone).
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');
const { NodeHelpers } = require('n8n-workflow');
const { loadPackage } = require('./harness/node-types');

const dist = (...parts) => path.join(__dirname, '..', 'dist', ...parts);
const { node } = loadPackage();
const { description } = node;
const { MODELS, STANDARD_IMAGE_TO_VIDEO, priceOf, takesLastFrame } = require(dist('nodes/Hailuo/models.js'));

/** The properties n8n's editor shows for these parameters (display conditions applied, as the editor does). */
function shown(parameters) {
	return description.properties
		.filter((p) => NodeHelpers.displayParameter(parameters, p, { typeVersion: 1 }, description))
		.map((p) => p);
}
const names = (properties) => properties.map((p) => p.name);

test('the node keeps its public names', () => {
	expect(description.name).toBe('hailuo');
	expect(description.version).toBe(1);
	expect(description.usableAsTool).toBe(true);
	expect(description.credentials).toEqual([{ name: 'hailuoApi', required: true }]);
	const operation = description.properties.find((p) => p.name === 'operation');
	expect(operation.options.map((o) => o.value)).toEqual(['generate', 'submit', 'getStatus', 'getResult', 'cancel']);
	expect(operation.default).toBe('generate');
});

test('Generate with the default model shows the fields it always had, with their defaults', () => {
	const fields = shown({ operation: 'generate', model: STANDARD_IMAGE_TO_VIDEO.endpoint, imageSource: 'url' });
	expect(names(fields)).toEqual(['operation', 'model', 'prompt', 'imageSource', 'imageUrl', 'duration', 'promptOptimizer', 'options']);
	const byName = Object.fromEntries(fields.map((p) => [p.name, p]));
	expect(byName.model.default).toBe('fal-ai/minimax/hailuo-2.3/standard/image-to-video');
	expect(byName.imageSource.default).toBe('url');
	expect(byName.duration.default).toBe('6');
	expect(byName.promptOptimizer.default).toBe(true);
	expect(byName.options.options.map((o) => [o.name, o.default])).toEqual([
		['download', true], ['fileName', ''], ['binaryPropertyOutput', 'data'], ['downloadIdleSeconds', 30], ['timeoutMinutes', 20],
		['checkImageUrl', true], ['maxInFlight', 10], ['maxSpendUsd', 5],
	]);
});

test('the Model options are the table\'s endpoints, default first, the 2.3 family before 02', () => {
	const model = description.properties.find((p) => p.name === 'model');
	expect(model.options.map((o) => o.value)).toEqual(MODELS.map((m) => m.endpoint));
	expect(model.default).toBe(MODELS[0].endpoint);
	expect(model.default).toBe('fal-ai/minimax/hailuo-2.3/standard/image-to-video');
	expect(MODELS).toHaveLength(7);
	const family = model.options.map((o) => o.name.match(/^Hailuo (2\.3|02) /)[1]);
	expect(family).toEqual(['2.3', '2.3', '2.3', '2.3', '2.3', '2.3', '02']);
	// each family's options are together, and an option's name says what the model takes that others do not
	expect(model.options.filter((o) => /Last Frame/.test(o.name)).map((o) => o.value)).toEqual(MODELS.filter(takesLastFrame).map((m) => m.endpoint));
});

describe.each(['generate', 'submit'])('%s: the fields follow the model', (operation) => {
	test.each(MODELS.map((m) => [m.endpoint, m]))('%s', (endpoint, model) => {
		const fields = shown({ operation, model: endpoint, imageSource: 'url' });
		expect(names(fields).includes('imageUrl')).toBe(model.firstFrame);
		expect(names(fields).includes('imageSource')).toBe(model.firstFrame);
		const durations = fields.filter((p) => p.name === 'duration');
		if (model.durations.length === 0) {
			expect(durations).toHaveLength(0);
		} else {
			expect(durations).toHaveLength(1);
			expect(durations[0].options.map((o) => o.value)).toEqual([...model.durations]);
			expect(model.durations).toContain(durations[0].default);
			for (const option of durations[0].options) {
				for (const resolution of model.resolutions ?? [undefined]) {
					expect(option.name).toContain(`USD ${priceOf(model, { duration: option.value, resolution }).toFixed(2)}`);
				}
			}
		}
		const resolutions = fields.filter((p) => p.name === 'resolution');
		expect(resolutions).toHaveLength(model.resolutions ? 1 : 0);
		if (model.resolutions) {
			expect(resolutions[0].options.map((o) => o.value)).toEqual([...model.resolutions]);
			expect(resolutions[0].default).toBe(model.defaultResolution);
		}
		expect(names(fields).includes('lastFrameSource')).toBe(takesLastFrame(model));
	});
});

describe('every model row\'s fields are shown for that model only', () => {
	/** Which models show a field, for each way its own source can be set. */
	const showing = (name, extra = {}) =>
		MODELS.filter((m) => ['url', 'binary'].some((source) =>
			names(shown({ operation: 'generate', model: m.endpoint, imageSource: source, lastFrameSource: source, ...extra })).includes(name),
		)).map((m) => m.endpoint);
	const where = (keep) => MODELS.filter(keep).map((m) => m.endpoint);

	test.each([
		['imageSource', (m) => m.firstFrame],
		['imageUrl', (m) => m.firstFrame],
		['binaryPropertyName', (m) => m.firstFrame],
		['lastFrameSource', takesLastFrame],
		['lastFrameUrl', takesLastFrame],
		['lastFrameBinaryPropertyName', takesLastFrame],
		['resolution', (m) => Boolean(m.resolutions)],
		['duration', (m) => m.durations.length > 0],
	])('%s', (name, takes) => {
		expect(showing(name)).toEqual(where(takes));
	});

	test('the last frame\'s URL and binary field follow its source, as the first frame\'s do', () => {
		const model = MODELS.find(takesLastFrame).endpoint;
		const of = (lastFrameSource) => names(shown({ operation: 'generate', model, imageSource: 'url', lastFrameSource }));
		expect(of('none').filter((n) => n.startsWith('lastFrame'))).toEqual(['lastFrameSource']);
		expect(of('url').filter((n) => n.startsWith('lastFrame'))).toEqual(['lastFrameSource', 'lastFrameUrl']);
		expect(of('binary').filter((n) => n.startsWith('lastFrame'))).toEqual(['lastFrameSource', 'lastFrameBinaryPropertyName']);
		const byName = Object.fromEntries(shown({ operation: 'generate', model, imageSource: 'url', lastFrameSource: 'url' }).map((p) => [p.name, p]));
		expect(byName.lastFrameSource.default).toBe('none');
		expect(names(shown({ operation: 'generate', model, imageSource: 'url', lastFrameSource: 'url' }))).toEqual([
			'operation', 'model', 'prompt', 'imageSource', 'imageUrl', 'lastFrameSource', 'lastFrameUrl', 'resolution', 'duration', 'promptOptimizer', 'options',
		]);
	});
});

test('a Model set by an expression shows no required field of a frame whose source is not chosen (n8n would stop the run)', () => {
	// n8n shows a field at once when a display condition's value is an expression
	const fields = names(shown({ operation: 'generate', model: '={{ $json.model }}', imageSource: 'binary', lastFrameSource: 'none' }));
	expect(fields).toEqual(expect.arrayContaining(['binaryPropertyName', 'lastFrameSource', 'resolution']));
	for (const name of ['imageUrl', 'lastFrameUrl', 'lastFrameBinaryPropertyName']) expect(fields).not.toContain(name);
});

test('every price in the editor comes from the table', () => {
	const fromTable = new Set();
	for (const m of MODELS) {
		for (const duration of m.durations.length ? m.durations : [undefined]) {
			for (const resolution of m.resolutions ?? [undefined]) fromTable.add(priceOf(m, { duration, resolution }).toFixed(2));
		}
		for (const perSecond of Object.values(m.priceUsdPerSecond ?? {})) fromTable.add(perSecond.toFixed(3));
	}
	const texts = [];
	const collect = (node) => {
		if (Array.isArray(node)) return node.forEach(collect);
		if (node && typeof node === 'object') return Object.values(node).forEach(collect);
		if (typeof node === 'string') texts.push(node);
	};
	collect(description.properties);
	const shownPrices = texts.flatMap((text) => [...text.matchAll(/USD (\d+\.\d+)/g)].map((m) => m[1]));
	expect(shownPrices.length).toBeGreaterThan(20);
	expect(shownPrices.filter((price) => !fromTable.has(price))).toEqual([]);
	// and every model's option says its own prices
	const model = description.properties.find((p) => p.name === 'model');
	for (const m of MODELS) {
		const words = model.options.find((o) => o.value === m.endpoint).description;
		const own = m.priceUsdPerSecond ? Object.values(m.priceUsdPerSecond).map((p) => p.toFixed(3)) : (m.durations.length ? m.durations : [undefined]).map((duration) => priceOf(m, { duration }).toFixed(2));
		for (const price of own) expect(words).toContain(`USD ${price}`);
	}
});

test.each(['getStatus', 'getResult', 'cancel'])('%s takes a request ID and no generation input', (operation) => {
	const fields = names(shown({ operation }));
	expect(fields).toContain('requestId');
	for (const name of ['model', 'prompt', 'imageUrl', 'duration']) expect(fields).not.toContain(name);
});

test('every field except the selector is shown for some operations only', () => {
	for (const p of description.properties.filter((p) => p.name !== 'operation')) {
		expect(p.displayOptions.show.operation.length).toBeGreaterThan(0);
	}
});

test('the build ships the icons and the codex file n8n reads', () => {
	for (const icon of Object.values(description.icon)) {
		expect(existsSync(path.resolve(dist('nodes/Hailuo'), icon.replace('file:', '')))).toBe(true);
	}
	const codex = JSON.parse(readFileSync(dist('nodes/Hailuo/Hailuo.node.json'), 'utf8'));
	expect(codex.node).toBe('n8n-nodes-hailuo.hailuo');
	expect(codex.categories.length).toBeGreaterThan(0);
});

test('the package has no runtime dependencies and n8n-workflow as a peer', () => {
	const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
	expect(pkg.dependencies).toBeUndefined();
	expect(Object.keys(pkg.peerDependencies)).toEqual(['n8n-workflow']);
	expect(pkg.keywords).toContain('n8n-community-node-package');
	expect(pkg.n8n.nodes).toEqual(['dist/nodes/Hailuo/Hailuo.node.js', 'dist/nodes/HailuoTrigger/HailuoTrigger.node.js']);
	expect(pkg.n8n.credentials).toEqual(['dist/credentials/HailuoApi.credentials.js']);
});
