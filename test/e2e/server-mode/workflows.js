// @ts-check
'use strict';

/**
 * Workflow builders of the server-mode scenarios (the examples themselves come from examples/ through the runner's
 * `ctx.example(id)`): Manual Trigger → Code (prompts) → Hailuo, chained in order.
 */

const n8n = require('../../../scripts/lib/n8n');

/** The manual trigger's name, from which the editor's "Execute workflow" starts a run. */
const MANUAL = "When clicking 'Execute workflow'";

/**
 * A Hailuo node using a credential (one per emulator: `ctx.credential.main`, or a scenario's own).
 * @param {string} name @param {{ id: string, name: string }} cred @param {Record<string, unknown>} parameters
 * @param {[number, number]} position
 */
function hailuoNode(name, cred, parameters, position) {
  return {
    id: `node-${name.toLowerCase().replace(/\W+/g, '-')}`,
    name,
    type: n8n.NODE_TYPE,
    typeVersion: 1,
    position,
    parameters,
    credentials: { hailuoApi: { id: cred.id, name: cred.name } },
  };
}

const manualTrigger = () => ({
  id: 'node-manual',
  name: MANUAL,
  type: 'n8n-nodes-base.manualTrigger',
  typeVersion: 1,
  position: [0, 0],
  parameters: {},
});

/** @param {string} jsCode */
const codeNode = (jsCode) => ({
  id: 'node-code',
  name: 'Prompts',
  type: 'n8n-nodes-base.code',
  typeVersion: 2,
  position: [220, 0],
  parameters: { jsCode },
});

/** @param {string[]} chainNames node names in order */
function chain(chainNames) {
  /** @type {Record<string, any>} */
  const connections = {};
  for (let i = 0; i < chainNames.length - 1; i++) {
    connections[chainNames[i]] = { main: [[{ node: chainNames[i + 1], type: 'main', index: 0 }]] };
  }
  return connections;
}

/** @param {string} id @param {string} name @param {any[]} nodes */
function workflow(id, name, nodes) {
  return {
    id,
    name,
    nodes,
    connections: chain(nodes.map((n) => n.name)),
    active: false,
    settings: { executionOrder: 'v1' },
    pinData: {},
    tags: [],
  };
}

/** @param {number} count @param {string} imageUrl @param {string} words */
const promptsCode = (count, imageUrl, words) =>
  `return Array.from({ length: ${count} }, (_, i) => ({ json: { prompt: \`${words} \${i + 1} of ${count}, run \${$execution.id}\`, imageUrl: ${JSON.stringify(imageUrl)} } }));`;

/**

/** The emulator's sample first frame. @param {string} origin */
const frame = (origin) => `${origin}/_samples/frame.jpg`;

/** Hailuo Generate's parameters: the prompt and image URL from the item, 6 s, prompt optimizer on; `p` overrides. */
const generate = (/** @type {Record<string, unknown>} */ p) => ({
  operation: 'generate',
  prompt: '={{ $json.prompt }}',
  imageSource: 'url',
  imageUrl: '={{ $json.imageUrl }}',
  duration: '6',
  promptOptimizer: true,
  ...p,
});

/** n8n's HTTP Request node, downloading a file into the binary field `field` (once, whatever its input). */
function httpFile(/** @type {string} */ name, /** @type {string} */ url, /** @type {string} */ field, /** @type {[number, number]} */ position) {
  return {
    id: `node-${name.toLowerCase().replace(/\W+/g, '-')}`,
    name,
    type: 'n8n-nodes-base.httpRequest',
    typeVersion: 4.2,
    position,
    executeOnce: true,
    parameters: { url, options: { response: { response: { responseFormat: 'file', outputPropertyName: field } } } },
  };
}

module.exports = { MANUAL, hailuoNode, manualTrigger, codeNode, chain, workflow, promptsCode, frame, generate, httpFile };
