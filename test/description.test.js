// What workflows and the editor depend on: names, defaults, files, and the rule that the model table
// drives the fields (a model's durations, prices and image fields come from models.ts alone).
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');
const { NodeHelpers } = require('n8n-workflow');
const { loadPackage } = require('./harness/node-types');

const dist = (...parts) => path.join(__dirname, '..', 'dist', ...parts);
const { node } = loadPackage();
const { description } = node;
const { MODELS, STANDARD_IMAGE_TO_VIDEO } = require(dist('nodes/Hailuo/models.js'));

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

test('the Model options are the table\'s endpoints, default first', () => {
	const model = description.properties.find((p) => p.name === 'model');
	expect(model.options.map((o) => o.value)).toEqual(MODELS.map((m) => m.endpoint));
	expect(model.default).toBe(MODELS[0].endpoint);
	expect(MODELS).toHaveLength(6);
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
				expect(option.name).toContain(`USD ${model.priceUsd[option.value].toFixed(2)}`);
			}
		}
	});
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
