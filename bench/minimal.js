// @ts-check
'use strict';

/**
 * The bare minimum of round trips a fal video job needs, written by hand with plain fetch, for the fast-job row of
 * `npm run bench`: the image URL checked (a ranged GET of its first bytes, as the node checks it), the submit, the
 * job's status stream read until COMPLETED (a client already listening when the job ends: no request after fal's
 * time), the result, and the video streamed to a file. Nothing else: no retries, no checks, no timeouts. The items of
 * a batch all at once, as the node runs them; the batch ends when every video is on disk. The video goes through
 * node:http straight into a file stream: fetch's web stream turned into a Node stream took 1.3 to 1.8 times the CPU
 * (285–373 ms against 199–242 ms for 20 videos of 4 MB at once, warm, on the 2-core bench machine), and the minimum
 * should be the cheapest way.
 */

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { pipeline } = require('node:stream/promises');

/**
 * @typedef {object} MinimalOptions
 * @property {string} baseUrl   the emulator's origin
 * @property {string} apiKey
 * @property {string} outDir
 * @property {string} endpoint
 * @property {Record<string, unknown>} input  the fields besides the prompt and the image
 */

/** @param {Response} res @param {string} what */
async function json(res, what) {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  return await res.json();
}

/** Reads the status stream until its COMPLETED event; then lets go of it. @param {string} url @param {Record<string, string>} headers */
async function untilCompleted(url, headers) {
  const res = await fetch(`${url}/stream?logs=0`, { headers: { ...headers, accept: 'text/event-stream' } });
  if (!res.ok || !res.body) throw new Error(`stream: HTTP ${res.status}`);
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of /** @type {AsyncIterable<Uint8Array>} */ (/** @type {unknown} */ (res.body))) {
    text += decoder.decode(chunk, { stream: true });
    if (/"status":\s*"COMPLETED"/.test(text)) return;
  }
  throw new Error('stream: ended before COMPLETED');
}

/**
 * One item: image check, submit, status stream, result, download.
 * @param {MinimalOptions} o @param {{ prompt: string, imageUrl: string }} item @param {string} name
 */
async function minimalItem(o, item, name) {
  const headers = { authorization: `Key ${o.apiKey}`, 'content-type': 'application/json' };
  const image = await fetch(item.imageUrl, { headers: { range: 'bytes=0-262143' } }); // the node's check reads up to 256 KB
  if (!image.ok) throw new Error(`image: HTTP ${image.status}`);
  await image.arrayBuffer();
  const body = JSON.stringify({ prompt: item.prompt, image_url: item.imageUrl, ...o.input });
  const submitted = await json(await fetch(`${o.baseUrl}/${o.endpoint}`, { method: 'POST', headers, body }), 'submit');
  await untilCompleted(submitted.status_url, headers);
  const result = await json(await fetch(submitted.response_url, { headers }), 'result');
  /** @type {http.IncomingMessage} */
  const video = await new Promise((resolve, reject) => http.get(result.video.url, resolve).on('error', reject));
  if (video.statusCode !== 200) throw new Error(`video: HTTP ${video.statusCode}`);
  await pipeline(video, fs.createWriteStream(path.join(o.outDir, name)));
}

/** Every item at once; resolves when every video is on disk. @param {MinimalOptions} o @param {Array<{ prompt: string, imageUrl: string }>} items */
async function minimalBatch(o, items) {
  await Promise.all(items.map((item, i) => minimalItem(o, item, `minimal-${i}.mp4`)));
  return items.length;
}

module.exports = { minimalBatch, minimalItem };
