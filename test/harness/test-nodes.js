// @ts-check
// Tiny node types for test workflows, run by the real engine beside the Hailuo node: a start node, a
// fixture node that emits items (with binary files read from disk), and a node that holds the run a while.
const { EventEmitter } = require('node:events');
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

/** Says when a Hold node starts ('started'), so that a test can press Stop while it holds. */
const holdEvents = new EventEmitter();

/**
 * Passes its items on after `ms` milliseconds (a slow next step, during which n8n's Stop may come).
 * @type {import('n8n-workflow').INodeType}
 */
const hold = {
	description: {
		displayName: 'Hold',
		name: 'hold',
		group: ['transform'],
		version: 1,
		description: 'Waits, then passes its items on',
		defaults: { name: 'Hold' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Milliseconds', name: 'ms', type: 'number', default: 1000 }],
	},
	async execute() {
		holdEvents.emit('started');
		await new Promise((resolve) => setTimeout(resolve, Number(this.getNodeParameter('ms', 0))));
		return [this.getInputData()];
	},
};

/**
 * Sends its items back (output 0) until it has run `times` times, then on (output 1): with output 0 wired to an
 * earlier node, that node runs again in the same execution with the next run index, as in Loop Over Items.
 * @type {import('n8n-workflow').INodeType}
 */
const loop = {
	description: {
		displayName: 'Loop',
		name: 'loop',
		group: ['transform'],
		version: 1,
		description: 'Sends its items round again a number of times',
		defaults: { name: 'Loop' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		properties: [{ displayName: 'Times', name: 'times', type: 'number', default: 2 }],
	},
	async execute() {
		const context = this.getContext('node');
		context.count = Number(context.count ?? 0) + 1;
		const items = this.getInputData();
		return context.count < Number(this.getNodeParameter('times', 0)) ? [items, []] : [[], items];
	},
};

/**
 * Calls its tools the way AI Agent 2.x does: n8n builds each tool (`getInputConnectionData`, n8n-core's
 * createNodeAsTool and makeHandleToolInvocation, with its Retry On Fail loop) and the agent invokes it, here with the
 * arguments in `calls` (a JSON array, one entry per call, made one after another) instead of a model's choice.
 * Outputs one item per call: the tool's answer, or its error.
 * @type {import('n8n-workflow').INodeType}
 */
const toolCaller = {
	description: {
		displayName: 'Tool Caller',
		name: 'toolCaller',
		group: ['transform'],
		version: 1,
		description: 'Invokes its tools as AI Agent 2.x does',
		defaults: { name: 'Tool Caller' },
		inputs: [NodeConnectionTypes.Main, NodeConnectionTypes.AiTool],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Calls', name: 'calls', type: 'json', default: '[{}]' }],
	},
	async execute() {
		const tools = /** @type {any[]} */ ([].concat(await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0)));
		const raw = this.getNodeParameter('calls', 0);
		const calls = typeof raw === 'string' ? JSON.parse(raw) : raw;
		/** @type {import('n8n-workflow').INodeExecutionData[]} */
		const out = [];
		for (const args of calls) {
			try {
				out.push({ json: { answer: await tools[0].invoke(args) } });
			} catch (error) {
				out.push({ json: { error: /** @type {Error} */ (error).message } });
			}
		}
		return [out];
	},
};

module.exports = { start, fixture, hold, loop, toolCaller, holdEvents };
