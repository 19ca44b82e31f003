// @ts-check
'use strict';

/**
 * The naive pattern people build today in n8n for a fal video (HTTP Request → Wait 5 s → HTTP Request status →
 * IF COMPLETED, else loop → HTTP Request result → HTTP Request video as a file), written with plain fetch and the
 * same fal queue protocol the node speaks: items one after another, a fixed 5 s poll of the status URL, and the
 * MP4 read whole into a Buffer before it is written out (what a "Response Format: File" download does).
 */

const fs = require('node:fs/promises');
const path = require('node:path');

const ENDPOINT = 'fal-ai/minimax/hailuo-2.3/standard/image-to-video';
const POLL_MS = 5_000;

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @typedef {object} NaiveOptions
 * @property {string} baseUrl     the queue origin (the emulator's url)
 * @property {string} apiKey
 * @property {string} outDir      where the videos are written
 * @property {number} [pollMs]    fixed poll interval (5 s)
 * @property {string} [endpoint]  the model's endpoint (default Hailuo 2.3 Standard image to video)
 * @property {Record<string, unknown>} [input]  its fields besides the prompt and the image (default duration "6" and the
 *   prompt optimizer, Hailuo 2.3's)
 */

/** @param {Response} res @param {string} what */
async function json(res, what) {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  return await res.json();
}

/**
 * One item: submit, wait pollMs and read the status until COMPLETED, read the result, download the video whole.
 * @param {NaiveOptions} o
 * @param {{ prompt: string, imageUrl: string }} item
 * @param {string} name  file name of the video
 * @returns {Promise<{ requestId: string, bytes: number }>}
 */
async function naiveItem(o, item, name) {
  const headers = { authorization: `Key ${o.apiKey}`, 'content-type': 'application/json' };
  const submitted = await json(
    await fetch(`${o.baseUrl}/${o.endpoint ?? ENDPOINT}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ prompt: item.prompt, image_url: item.imageUrl, ...(o.input ?? { duration: '6', prompt_optimizer: true }) }),
    }),
    'submit',
  );
  for (;;) {
    await sleep(o.pollMs ?? POLL_MS);
    const status = await json(await fetch(submitted.status_url, { headers }), 'status');
    if (status.status === 'COMPLETED') break;
  }
  const result = await json(await fetch(submitted.response_url, { headers }), 'result');
  const res = await fetch(result.video.url);
  if (!res.ok) throw new Error(`video: HTTP ${res.status}`);
  const video = Buffer.from(await res.arrayBuffer());
  await fs.writeFile(path.join(o.outDir, name), video);
  return { requestId: submitted.request_id, bytes: video.length };
}

/**
 * Items one after another, as a loop in a workflow runs them.
 * @param {NaiveOptions} o
 * @param {Array<{ prompt: string, imageUrl: string }>} items
 */
async function naiveBatch(o, items) {
  const out = [];
  for (const [i, item] of items.entries()) out.push(await naiveItem(o, item, `naive-${i}.mp4`));
  return out;
}

module.exports = { naiveItem, naiveBatch, ENDPOINT, POLL_MS };
