// @ts-check
// The node types the engine may run: the package's built node (as n8n loads it from dist/) and the
// test nodes. Types are named as n8n names a community package's nodes: `<package>.<node name>`.
const path = require('node:path');
const { start, fixture, hold, loop, toolCaller } = require('./test-nodes');

const DIST = path.resolve(__dirname, '../../dist');

function loadPackage() {
	const { Hailuo } = require(path.join(DIST, 'nodes/Hailuo/Hailuo.node.js'));
	const { HailuoTrigger } = require(path.join(DIST, 'nodes/HailuoTrigger/HailuoTrigger.node.js'));
	const { HailuoApi } = require(path.join(DIST, 'credentials/HailuoApi.credentials.js'));
	return { node: new Hailuo(), trigger: new HailuoTrigger(), credential: new HailuoApi() };
}

/**
 * The node as n8n offers it to an AI Agent (`<type>Tool`): n8n derives such a type from every node that declares
 * `usableAsTool`; what matters to the engine is that it outputs `ai_tool` and has the node's own `execute`.
 * @param {import('n8n-workflow').INodeType} node
 * @returns {import('n8n-workflow').INodeType}
 */
function asTool(node) {
	const description = { ...node.description, name: `${node.description.name}Tool`, inputs: [], outputs: ['ai_tool'] };
	return { description: /** @type {any} */ (description), execute: node.execute };
}

/** @returns {import('n8n-workflow').INodeTypes & { all: Record<string, import('n8n-workflow').INodeType> }} */
function createNodeTypes() {
	const { node, trigger } = loadPackage();
	/** @type {Record<string, import('n8n-workflow').INodeType>} */
	const all = {
		'n8n-nodes-hailuo.hailuo': node,
		'n8n-nodes-hailuo.hailuoTrigger': trigger,
		'test.start': start,
		'test.fixture': fixture,
		'test.hold': hold,
		'test.loop': loop,
		'test.toolCaller': toolCaller,
		'n8n-nodes-hailuo.hailuoTool': asTool(node),
	};
	const get = (/** @type {string} */ type) => {
		const found = all[type];
		if (!found) throw new Error(`Unknown node type ${type}`);
		return found;
	};
	return {
		all,
		getByName: get,
		getByNameAndVersion: (type) => get(type),
		getKnownTypes: () => ({}),
	};
}

module.exports = { createNodeTypes, loadPackage };
