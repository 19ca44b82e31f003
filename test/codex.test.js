// The codex (nodes/Hailuo/Hailuo.node.json) decides whether n8n's nodes panel lists the node at all. These are the
// editor's rules (n8n 2.41.1, node creator; the same in 1.123), applied to the codex as n8n's loader attaches it to
// the built node, so a codex that would hide the node from search or browsing fails here instead of in a user's n8n.
const path = require('node:path');
const { readFileSync } = require('node:fs');
const { PackageDirectoryLoader } = require('n8n-core');

const ROOT = path.join(__dirname, '..');

/** What a person types into the nodes panel to find the node (issue 13). */
const SEARCH_TERMS = ['Hailuo', 'hailuo video', 'fal', 'video', 'image to video'];

/**
 * `filterOutAiNodes`: outside the AI panel (and always when the panel is opened from a node's + handle or a dropped
 * connection), search drops every node in the AI category unless `subcategories.AI` contains "Root Nodes".
 */
function hiddenFromSearch(codex) {
	return (codex?.categories ?? []).includes('AI') && !(codex?.subcategories?.AI ?? []).includes('Root Nodes');
}

/**
 * `subcategorizeItems`: the lists a node is browsable in. Only the categories "Core Nodes", "AI" and "HITL" place a
 * node (in their subcategories); a node in none of them goes to "*", the panel's "Action in an app" list. Other
 * categories (Marketing, Utility, …) do not affect the panel.
 */
function browseLists(codex) {
	const placed = ['Core Nodes', 'AI', 'HITL'].flatMap((c) =>
		(codex?.categories ?? []).includes(c) ? (codex?.subcategories?.[c] ?? []) : [],
	);
	return placed.length > 0 ? placed : ['*'];
}

/**
 * Lists a node with a main input and output is reachable in, from "What happens next?": "Action in an app" (*), the
 * AI panel (Agents, Chains), AI → Other AI Nodes → Miscellaneous, and the core lists. "Root Nodes" and "Tools" are no
 * browsable list of their own for such a node; the other AI subcategories list sub-nodes by connection type.
 */
const BROWSABLE = ['*', 'Agents', 'Chains', 'Miscellaneous', 'Helpers', 'Data Transformation', 'Flow', 'Files', 'Human in the Loop'];

/** The nodes' descriptions with the codex n8n's package loader attaches (it drops a codex it cannot read). */
async function loadAsN8nDoes() {
	const loader = new PackageDirectoryLoader(ROOT);
	await loader.loadAll();
	expect(loader.loadedNodes.map((n) => n.name)).toEqual(['hailuo', 'hailuoTrigger']);
	return { node: loader.nodeTypes.hailuo.type.description, trigger: loader.nodeTypes.hailuoTrigger.type.description };
}

let description;
let codex;
let trigger;
beforeAll(async () => {
	const loaded = await loadAsN8nDoes();
	description = loaded.node;
	codex = description.codex;
	trigger = loaded.trigger;
});

test('the Hailuo Trigger\'s codex is read too: searchable, its aliases, listed as a trigger', () => {
	const file = JSON.parse(readFileSync(path.join(ROOT, 'dist/nodes/HailuoTrigger/HailuoTrigger.node.json'), 'utf8'));
	expect(file.node).toBe('n8n-nodes-hailuo.hailuoTrigger');
	expect(trigger.codex.alias).toEqual(file.alias);
	expect(hiddenFromSearch(trigger.codex)).toBe(false);
	expect(trigger.group).toEqual(['trigger']);
	expect(trigger.codex.alias).toEqual(expect.arrayContaining(['hailuo', 'fal webhook']));
});

test('the rules flag the codex shape of issue 13 and pass the one of n8n\'s own MiniMax node', () => {
	const issue13 = { categories: ['AI', 'Marketing'], subcategories: { AI: ['Miscellaneous'] } };
	expect(hiddenFromSearch(issue13)).toBe(true);
	const miniMax = { categories: ['AI'], subcategories: { AI: ['Agents', 'Miscellaneous', 'Root Nodes'] } };
	expect(hiddenFromSearch(miniMax)).toBe(false);
	expect(browseLists({ categories: ['Marketing'] })).toEqual(['*']);
	expect(browseLists(miniMax)).toEqual(['Agents', 'Miscellaneous', 'Root Nodes']);
});

test('n8n\'s loader reads the codex file that the build ships', () => {
	const file = JSON.parse(readFileSync(path.join(ROOT, 'dist/nodes/Hailuo/Hailuo.node.json'), 'utf8'));
	expect(file.node).toBe('n8n-nodes-hailuo.hailuo');
	expect(codex).toBeDefined();
	expect(codex.categories).toEqual(file.categories);
	expect(codex.subcategories).toEqual(file.subcategories);
	expect(codex.alias).toEqual(file.alias);
});

test('the nodes panel search does not hide the node', () => {
	expect(hiddenFromSearch(codex)).toBe(false);
});

test('the node is listed in a category when browsing the nodes panel', () => {
	const lists = browseLists(codex);
	expect(lists.filter((l) => BROWSABLE.includes(l))).not.toEqual([]);
	// n8n derives the AI Agent tool from usableAsTool; a node that calls itself a tool loses its place among root nodes.
	expect(codex.subcategories?.AI ?? []).not.toContain('Tools');
	expect(description.usableAsTool).toBe(true);
});

// The search itself is the editor's: test/browser/nodes-panel.js types each term into the real nodes panel.
test.each(SEARCH_TERMS)('an alias holds the search "%s", as n8n\'s loader reads the codex', (term) => {
	const aliases = (codex.alias ?? []).map((a) => a.toLowerCase());
	expect(aliases.some((a) => a.includes(term.toLowerCase()))).toBe(true);
});
