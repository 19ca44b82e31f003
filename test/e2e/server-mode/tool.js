// @ts-check
'use strict';

/**
 * tool (issue 25): the node is offered to n8n's AI Agent as a tool with no setting: n8n (1.123 as 2.41) derives a
 * tool type from every loaded node that declares `usableAsTool`; N8N_COMMUNITY_PACKAGES_ALLOW_TOOL_USAGE, which n8n
 * read before 1.85, is not set here.
 */

const n8n = require('../../../scripts/lib/n8n');
const { assert, check } = require('../../../scripts/lib/checks');

/** @param {any} ctx */
async function run(ctx) {
	await check('the AI Agent is offered "Hailuo Video (fal.ai) Tool" with N8N_COMMUNITY_PACKAGES_ALLOW_TOOL_USAGE unset', async () => {
		assert(ctx.env.N8N_COMMUNITY_PACKAGES_ALLOW_TOOL_USAGE === undefined, 'the variable is set for this n8n');
		// as the editor asks for it, logged in (n8n 1.x refuses it otherwise)
		const res = await ctx.rest.raw('GET', '/types/nodes.json');
		assert(res.status === 200 && Array.isArray(res.json), `/types/nodes.json answered HTTP ${res.status}`);
		const types = /** @type {any[]} */ (res.json);
		const tool = types.find((t) => t.name === `${n8n.NODE_TYPE}Tool`);
		assert(tool, `n8n ${ctx.version} lists no ${n8n.NODE_TYPE}Tool`);
		assert(/Tool$/.test(String(tool.displayName)), `the tool is called ${tool.displayName}`);
		process.stdout.write(`      n8n ${ctx.version}: ${tool.name} ("${tool.displayName}")\n`);
	});
}

module.exports = {
	name: 'tool',
	about: 'the node is an AI Agent tool without N8N_COMMUNITY_PACKAGES_ALLOW_TOOL_USAGE',
	run,
};
