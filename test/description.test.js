// What workflows and the editor depend on: names, defaults, files, and the rule that the model table
// drives the fields (a model's durations, prices and image fields come from models.ts alone).
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');
const { NodeHelpers } = require('n8n-workflow');
const { loadPackage } = require('./harness/node-types');

const dist = (...parts) => path.join(__dirname, '..', 'dist', ...parts);
const { node } = loadPackage();
const { description } = node;
const { MODELS, STANDARD_IMAGE_TO_VIDEO, takesLastFrame, settingFor } = require(dist('nodes/shared/models/table.js'));
const { priceOf, usd } = require(dist('nodes/shared/models/prices.js'));
/** A price as the editor writes it (USD dropped). */
const inWords = (amount, minDecimals) => usd(amount, minDecimals).replace('USD ', '');

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
	expect(names(fields)).toEqual(['operation', 'model', 'prompt', 'imageSource', 'imageUrl', 'duration', 'promptOptimizer', 'cameraMovement', 'options']);
	const byName = Object.fromEntries(fields.map((p) => [p.name, p]));
	expect(byName.model.default).toBe('fal-ai/minimax/hailuo-2.3/standard/image-to-video');
	expect(byName.imageSource.default).toBe('url');
	expect(byName.duration.default).toBe('6');
	expect(byName.promptOptimizer.default).toBe(true);
	expect(byName.options.options.map((o) => [o.name, o.default])).toEqual([
		['download', true], ['fileName', ''], ['binaryPropertyOutput', 'data'], ['downloadIdleSeconds', 30], ['timeoutMinutes', 20],
		['checkImageUrl', true], ['maxInFlight', 10], ['maxSpendUsd', 5], ['storeRequestOnFal', true], ['deleteVideoAfter', 'default'],
	]);
});

test('the Model options are the table\'s endpoints, grouped by family, the newest first; the default is unchanged', () => {
	const model = description.properties.find((p) => p.name === 'model');
	expect(model.options.map((o) => o.value)).toEqual(MODELS.map((m) => m.endpoint));
	expect(model.default).toBe('fal-ai/minimax/hailuo-2.3/standard/image-to-video');
	expect(model.default).toBe(STANDARD_IMAGE_TO_VIDEO.endpoint);
	const family = model.options.map((o) => o.name.split(' · ')[0].replace(/ (Standard|Pro|Fast|Fast Pro)$/, ''));
	const order = [...new Set(family)];
	expect(order).toEqual(['H3 Max', 'H3 Max Turbo', 'Hailuo 2.3', 'Hailuo 02']);
	// each family's options are together
	expect(family).toEqual([...family].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
	// an option says what the model takes that others do not, and a fixed length
	expect(model.options.filter((o) => /Last Frame/.test(o.name)).map((o) => o.value)).toEqual(
		MODELS.filter((m) => takesLastFrame(m) && m.family.startsWith('Hailuo')).map((m) => m.endpoint),
	);
	for (const m of MODELS.filter((m) => m.fixedSeconds)) {
		expect(model.options.find((o) => o.value === m.endpoint).description).toContain(`always ${m.fixedSeconds} s (no Duration)`);
	}
	expect(model.description).toMatch(/Pro models make 6 s videos only/);
});

/** The values a setting may take, from its row. */
const valuesOf = (setting) => (setting.kind === 'choice' ? [...setting.values] : undefined);

describe.each(['generate', 'submit'])('%s: the fields follow the model', (operation) => {
	test.each(MODELS.map((m) => [m.endpoint, m]))('%s', (endpoint, model) => {
		const fields = shown({ operation, model: endpoint, imageSource: 'url' });
		expect(names(fields).includes('imageUrl')).toBe(model.images.first);
		expect(names(fields).includes('imageSource')).toBe(model.images.first);
		expect(names(fields).includes('referenceImages')).toBe(Boolean(model.images.references));
		expect(names(fields).includes('cameraMovement')).toBe(Boolean(model.cameraCommands));
		expect(names(fields).includes('lastFrameSource')).toBe(takesLastFrame(model));
		// one field per setting of the row, with its values or range and its default
		const settingNames = ['duration', 'durationSeconds', 'resolution', 'promptOptimizer', 'promptExpansion', 'aspectRatio'];
		expect(names(fields).filter((name) => settingNames.includes(name)).sort()).toEqual(model.settings.map((s) => s.parameter).sort());
		for (const setting of model.settings) {
			const [field] = fields.filter((p) => p.name === setting.parameter);
			expect(field.default).toBe(setting.default);
			if (setting.kind === 'choice') expect(field.options.map((o) => o.value)).toEqual(valuesOf(setting));
			if (setting.kind === 'integer') expect(field.typeOptions).toMatchObject({ minValue: setting.min, maxValue: setting.max });
		}
		// a duration option names the price of that length at each resolution the model makes
		const duration = settingFor(model, 'duration');
		if (duration?.kind === 'choice') {
			const resolution = settingFor(model, 'resolution');
			for (const option of fields.find((p) => p.name === 'duration').options) {
				for (const at of resolution ? resolution.values : [undefined]) {
					const settings = { duration: option.value, ...(at ? { resolution: at } : {}) };
					expect(option.name).toContain(usd(priceOf(model, { settings })));
				}
			}
		}
	});
});

describe('every model row\'s fields are shown for that model only', () => {
	/** Which models show a field, for each way its own source can be set. */
	const showing = (name, extra = {}) =>
		MODELS.filter((m) => ['url', 'binary'].some((source) =>
			names(shown({ operation: 'generate', model: m.endpoint, imageSource: source, lastFrameSource: source, ...extra })).includes(name),
		)).map((m) => m.endpoint);
	const where = (keep) => MODELS.filter(keep).map((m) => m.endpoint);
	const takes = (parameter) => (m) => m.settings.some((s) => s.parameter === parameter);

	test.each([
		['imageSource', (m) => m.images.first],
		['imageUrl', (m) => m.images.first],
		['binaryPropertyName', (m) => m.images.first],
		['lastFrameSource', takesLastFrame],
		['lastFrameUrl', takesLastFrame],
		['lastFrameBinaryPropertyName', takesLastFrame],
		['referenceImages', (m) => Boolean(m.images.references)],
		['resolution', takes('resolution')],
		['duration', takes('duration')],
		['durationSeconds', takes('durationSeconds')],
		['promptExpansion', takes('promptExpansion')],
		['aspectRatio', takes('aspectRatio')],
		['promptOptimizer', takes('promptOptimizer')],
		['cameraMovement', (m) => Boolean(m.cameraCommands)],
	])('%s', (name, keep) => {
		expect(showing(name)).toEqual(where(keep));
	});

	test('the last frame\'s URL and binary field follow its source, as the first frame\'s do', () => {
		const model = 'fal-ai/minimax/hailuo-02/standard/image-to-video';
		const of = (lastFrameSource) => names(shown({ operation: 'generate', model, imageSource: 'url', lastFrameSource }));
		expect(of('none').filter((n) => n.startsWith('lastFrame'))).toEqual(['lastFrameSource']);
		expect(of('url').filter((n) => n.startsWith('lastFrame'))).toEqual(['lastFrameSource', 'lastFrameUrl']);
		expect(of('binary').filter((n) => n.startsWith('lastFrame'))).toEqual(['lastFrameSource', 'lastFrameBinaryPropertyName']);
		const byName = Object.fromEntries(shown({ operation: 'generate', model, imageSource: 'url', lastFrameSource: 'url' }).map((p) => [p.name, p]));
		expect(byName.lastFrameSource.default).toBe('none');
		expect(names(shown({ operation: 'generate', model, imageSource: 'url', lastFrameSource: 'url' }))).toEqual([
			'operation', 'model', 'prompt', 'imageSource', 'imageUrl', 'lastFrameSource', 'lastFrameUrl', 'resolution', 'duration', 'promptOptimizer', 'cameraMovement', 'options',
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
		const duration = settingFor(m, 'duration');
		const resolution = settingFor(m, 'resolution');
		const durations = duration?.kind === 'choice' ? duration.values : duration ? [duration.min, duration.max] : [undefined];
		for (const d of durations) {
			for (const r of resolution ? resolution.values : [undefined]) {
				fromTable.add(inWords(priceOf(m, { settings: { ...(d !== undefined ? { duration: d } : {}), ...(r ? { resolution: r } : {}) } })));
			}
		}
		for (const perSecond of m.price.per === 'second' ? Object.values(m.price.usd) : []) fromTable.add(inWords(perSecond, 3));
	}
	const texts = [];
	const collect = (node) => {
		if (Array.isArray(node)) return node.forEach(collect);
		if (node && typeof node === 'object') return Object.values(node).forEach(collect);
		if (typeof node === 'string') texts.push(node);
	};
	collect(description.properties);
	const shownPrices = texts.flatMap((text) => [...text.matchAll(/USD (\d+\.\d+)/g)].map((m) => m[1]));
	expect(shownPrices.length).toBeGreaterThan(40);
	expect(shownPrices.filter((price) => !fromTable.has(price))).toEqual([]);
	// and every model's option says its own prices
	const model = description.properties.find((p) => p.name === 'model');
	for (const m of MODELS) {
		const words = model.options.find((o) => o.value === m.endpoint).description;
		const duration = settingFor(m, 'duration');
		const own =
			m.price.per === 'second'
				? Object.values(m.price.usd).map((p) => inWords(p, 3))
				: (duration?.kind === 'choice' ? duration.values : [undefined]).map((d) => inWords(priceOf(m, { settings: d ? { duration: d } : {} })));
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
