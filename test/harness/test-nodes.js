// @ts-check
// Two tiny node types for test workflows, run by the real engine beside the Hailuo node:
// a start node, and a fixture node that emits items (with binary files read from disk).
const { readFile } = require('node:fs/promises');
const path = require('node:path');
const { NodeConnectionTypes } = require('n8n-workflow');

/** @type {import('n8n-workflow').INodeType} */
const start = {
	description: {
		displayName: 'Start',
		name: 'start',
		group: ['trigger'],
		version: 1,
		description: 'Starts a test workflow',
		defaults: { name: 'Start' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	},
	async execute() {
		return [this.getInputData()];
	},
};

/**
 * Parameters: `items`, a JSON array of `{ json, binary?: { field: { path, mimeType?, fileName? } } }`,
 * paths relative to test/.
 * @type {import('n8n-workflow').INodeType}
 */
const fixture = {
	description: {
		displayName: 'Fixture Items',
		name: 'fixture',
		group: ['transform'],
		version: 1,
		description: 'Emits the items given in its parameters',
		defaults: { name: 'Fixture Items' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	},
	async execute() {
		const raw = this.getNodeParameter('items', 0);
		const specs = typeof raw === 'string' ? JSON.parse(raw) : raw;
		/** @type {import('n8n-workflow').INodeExecutionData[]} */
		const out = [];
		for (const spec of specs) {
			/** @type {import('n8n-workflow').IBinaryKeyData} */
			const binary = {};
			for (const [field, file] of Object.entries(spec.binary ?? {})) {
				const bytes = await readFile(path.resolve(__dirname, '..', file.path));
				binary[field] = await this.helpers.prepareBinaryData(
					bytes,
					file.fileName ?? path.basename(file.path),
					file.mimeType,
				);
			}
			out.push({ json: spec.json ?? {}, ...(Object.keys(binary).length ? { binary } : {}) });
		}
		return [out];
	},
};

module.exports = { start, fixture };
