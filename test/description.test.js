// What workflows and the editor depend on: names, defaults and files that must not drift.
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');
const { loadPackage } = require('./harness/node-types');

const dist = (...parts) => path.join(__dirname, '..', 'dist', ...parts);
const { node } = loadPackage();
const { description } = node;
const property = (name) => description.properties.find((p) => p.name === name);

test('the node keeps its public names', () => {
	expect(description.name).toBe('hailuo');
	expect(description.version).toBe(1);
	expect(description.usableAsTool).toBe(true);
	expect(description.credentials).toEqual([{ name: 'hailuoApi', required: true }]);
	expect(description.properties.map((p) => p.name)).toEqual([
		'operation', 'prompt', 'imageSource', 'imageUrl', 'binaryPropertyName', 'duration', 'promptOptimizer', 'options',
	]);
	expect(property('operation').options.map((o) => o.value)).toEqual(['generate']);
	expect(property('imageSource').options.map((o) => o.value)).toEqual(['url', 'binary']);
	expect(property('options').options.map((o) => [o.name, o.default])).toEqual([
		['download', true], ['fileName', ''], ['binaryPropertyOutput', 'data'], ['downloadIdleSeconds', 30], ['timeoutMinutes', 20],
		['checkImageUrl', true], ['maxInFlight', 10],
	]);
});

test('durations are the model\'s, as strings, and the default is the model\'s default', () => {
	const { STANDARD_IMAGE_TO_VIDEO } = require(dist('nodes/Hailuo/models.js'));
	expect(property('duration').options.map((o) => o.value)).toEqual([...STANDARD_IMAGE_TO_VIDEO.durations]);
	expect(property('duration').default).toBe(STANDARD_IMAGE_TO_VIDEO.defaultDuration);
	for (const option of property('duration').options) {
		expect(option.name).toContain(`USD ${STANDARD_IMAGE_TO_VIDEO.priceUsd[option.value].toFixed(2)}`);
	}
});

test('every field of an operation is shown only for that operation', () => {
	for (const p of description.properties.filter((p) => p.name !== 'operation')) {
		expect(p.displayOptions.show.operation).toEqual(['generate']);
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
	expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	expect(pkg.keywords).toContain('n8n-community-node-package');
	expect(pkg.n8n.nodes).toEqual(['dist/nodes/Hailuo/Hailuo.node.js']);
	expect(pkg.n8n.credentials).toEqual(['dist/credentials/HailuoApi.credentials.js']);
});
