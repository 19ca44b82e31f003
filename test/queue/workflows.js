// @ts-check
'use strict';

/**
 * The two workflows of the queue-mode test, as `n8n import:workflow` takes them.
 *
 * - Sync: Webhook (POST, answered by the Respond node) → Code (two items with distinct prompts from the request's
 *   `tag`) → Hailuo Generate (both items, the MP4 into binary data) → Respond to Webhook (execution id, request ids,
 *   file names and sizes, binary ids).
 * - Async: Webhook (POST, answered at once) → Hailuo Submit with `fal_webhook` = the Wait node's
 *   `{{ $execution.resumeUrl }}` → Wait (On Webhook Call, POST) → Hailuo Get Result with the request id fal's webhook
 *   body carries.
 */

const n8n = require('../../scripts/lib/n8n');
const { EMULATOR_CREDENTIAL } = require('../../scripts/lib/fal-emulator');

const SYNC_ID = 'hailuoQueueSync1';
const ASYNC_ID = 'hailuoQueueAsync';
const SYNC_PATH = 'hailuo-queue';
const ASYNC_PATH = 'hailuo-queue-async';
const credentials = { hailuoApi: { id: EMULATOR_CREDENTIAL.id, name: EMULATOR_CREDENTIAL.name } };

/** The two prompts an execution of the sync workflow makes from its request's tag. @param {string} tag */
const promptsFor = (tag) => [`${tag}: the camera slowly pushes in`, `${tag}: a slow pan to the left`];

/** @param {string} emulatorOrigin */
function syncWorkflow(emulatorOrigin) {
  return {
    id: SYNC_ID,
    name: 'Queue mode: webhook → Hailuo Generate (2 items) → respond',
    nodes: [
      {
        id: 'a1b2c3d4-0000-4000-8000-000000000011',
        name: 'Webhook',
        type: 'n8n-nodes-base.webhook',
        typeVersion: 2,
        position: [0, 0],
        webhookId: 'a1b2c3d4-0000-4000-8000-0000000000a1',
        parameters: { httpMethod: 'POST', path: SYNC_PATH, responseMode: 'responseNode', options: {} },
      },
      {
        id: 'a1b2c3d4-0000-4000-8000-000000000012',
        name: 'Two Prompts',
        type: 'n8n-nodes-base.code',
        typeVersion: 2,
        position: [220, 0],
        parameters: {
          jsCode: [
            'const tag = String($input.first().json.body.tag);',
            `return [\`\${tag}: the camera slowly pushes in\`, \`\${tag}: a slow pan to the left\`].map((prompt) => ({ json: { prompt } }));`,
          ].join('\n'),
        },
      },
      {
        id: 'a1b2c3d4-0000-4000-8000-000000000013',
        name: 'Hailuo Video',
        type: n8n.NODE_TYPE,
        typeVersion: 1,
        position: [440, 0],
        parameters: {
          operation: 'generate',
          prompt: '={{ $json.prompt }}',
          imageSource: 'url',
          imageUrl: `${emulatorOrigin}/_samples/frame.jpg`,
          duration: '6',
          options: {},
        },
        credentials,
      },
      {
        id: 'a1b2c3d4-0000-4000-8000-000000000014',
        name: 'Respond',
        type: 'n8n-nodes-base.respondToWebhook',
        typeVersion: 1.1,
        position: [660, 0],
        parameters: {
          respondWith: 'json',
          responseBody:
            '={{ JSON.stringify({ executionId: $execution.id, videos: $input.all().map((i) => ({ requestId: i.json.requestId, prompt: i.json.prompt, status: i.json.status, fileName: i.json.fileName, fileSize: i.json.fileSize, binaryId: i.binary && i.binary.data ? i.binary.data.id : null })) }) }}',
          options: {},
        },
      },
    ],
    connections: {
      Webhook: { main: [[{ node: 'Two Prompts', type: 'main', index: 0 }]] },
      'Two Prompts': { main: [[{ node: 'Hailuo Video', type: 'main', index: 0 }]] },
      'Hailuo Video': { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
    },
    active: false,
    settings: { executionOrder: 'v1' },
    pinData: {},
    tags: [],
  };
}

/** @param {string} emulatorOrigin */
function asyncWorkflow(emulatorOrigin) {
  return {
    id: ASYNC_ID,
    name: 'Queue mode: webhook → Hailuo Submit → Wait for fal → Hailuo Get Result',
    nodes: [
      {
        id: 'a1b2c3d4-0000-4000-8000-000000000021',
        name: 'Webhook',
        type: 'n8n-nodes-base.webhook',
        typeVersion: 2,
        position: [0, 0],
        webhookId: 'a1b2c3d4-0000-4000-8000-0000000000a2',
        parameters: { httpMethod: 'POST', path: ASYNC_PATH, responseMode: 'onReceived', options: {} },
      },
      {
        id: 'a1b2c3d4-0000-4000-8000-000000000022',
        name: 'Submit',
        type: n8n.NODE_TYPE,
        typeVersion: 1,
        position: [220, 0],
        parameters: {
          operation: 'submit',
          prompt: '={{ $json.body.prompt }}',
          imageSource: 'url',
          imageUrl: `${emulatorOrigin}/_samples/frame.jpg`,
          duration: '6',
          options: { webhookUrl: '={{ $execution.resumeUrl }}' },
        },
        credentials,
      },
      {
        id: 'a1b2c3d4-0000-4000-8000-000000000023',
        name: 'Wait for fal',
        type: 'n8n-nodes-base.wait',
        typeVersion: 1.1,
        position: [440, 0],
        webhookId: 'a1b2c3d4-0000-4000-8000-0000000000a3',
        parameters: { resume: 'webhook', httpMethod: 'POST', options: {} },
      },
      {
        id: 'a1b2c3d4-0000-4000-8000-000000000024',
        name: 'Get Result',
        type: n8n.NODE_TYPE,
        typeVersion: 1,
        position: [660, 0],
        parameters: { operation: 'getResult', requestId: '={{ $json.body.request_id }}', options: {} },
        credentials,
      },
    ],
    connections: {
      Webhook: { main: [[{ node: 'Submit', type: 'main', index: 0 }]] },
      Submit: { main: [[{ node: 'Wait for fal', type: 'main', index: 0 }]] },
      'Wait for fal': { main: [[{ node: 'Get Result', type: 'main', index: 0 }]] },
    },
    active: false,
    settings: { executionOrder: 'v1' },
    pinData: {},
    tags: [],
  };
}

module.exports = { SYNC_ID, ASYNC_ID, SYNC_PATH, ASYNC_PATH, promptsFor, syncWorkflow, asyncWorkflow };
