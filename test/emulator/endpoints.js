// @ts-check
'use strict';

/**
 * The endpoints the emulator knows, one row per fal endpoint, written from fal's own pages and from what public
 * sources observed of fal (test/emulator/models-read.md: each row's fields, price, source and what is assumed).
 * Written apart from the node's model table on purpose: a wrong row there is caught here, not copied.
 * schema.js expands each row (fields → input schema, prices → the pricing call and the bill).
 */

/** @typedef {import('./schema').EndpointRow} EndpointRow */

/** H3 Max and Turbo: what every row of theirs shares (models-read.md, "H3 Max"). */
const H3 = Object.freeze({
  promptMaxChars: 50000,
  durationRange: /** @type {[number, number]} */ ([5, 15]),
  resolutions: ['480P', '768P', '1080P'],
  // assumed (stricter reading): no source shows fal's default for either, and both set the price
  required: ['duration', 'resolution'],
  aspectRatios: ['16:9', '9:16', '1:1'],
  defaultAspectRatio: '16:9',
  // the pricing call answered H3 Max's and Turbo's 480P price per second (a public snapshot, October 2026)
  pricedAt: '480P',
  video: /** @type {'audio'} */ ('audio'),
});
const MAX_PRICES = Object.freeze({ '480P': 0.05, '768P': 0.08, '1080P': 0.16 });
const TURBO_PRICES = Object.freeze({ '480P': 0.025, '768P': 0.04, '1080P': 0.08 });

/** @type {EndpointRow[]} */
const ROWS = [
  {
    id: 'fal-ai/minimax/hailuo-2.3/standard/image-to-video',
    title: 'MiniMax Hailuo 2.3 Standard Image to Video',
    category: 'image-to-video',
    fields: ['prompt', 'image_url', 'duration', 'prompt_optimizer'],
    durations: ['6', '10'],
    prices: { 6: 0.28, 10: 0.56 },
  },
  // The rest of the Hailuo 2.3 family, read from each endpoint's page on fal (llms.txt), November 2026.
  {
    id: 'fal-ai/minimax/hailuo-2.3/standard/text-to-video',
    title: 'MiniMax Hailuo 2.3 Standard Text to Video',
    category: 'text-to-video',
    fields: ['prompt', 'duration', 'prompt_optimizer'],
    durations: ['6', '10'],
    prices: { 6: 0.28, 10: 0.56 },
  },
  {
    id: 'fal-ai/minimax/hailuo-2.3/pro/image-to-video',
    title: 'MiniMax Hailuo 2.3 Pro Image to Video',
    category: 'image-to-video',
    fields: ['prompt', 'image_url', 'prompt_optimizer'],
    prices: { video: 0.49 },
  },
  {
    id: 'fal-ai/minimax/hailuo-2.3/pro/text-to-video',
    title: 'MiniMax Hailuo 2.3 Pro Text to Video',
    category: 'text-to-video',
    fields: ['prompt', 'prompt_optimizer'],
    prices: { video: 0.49 },
  },
  {
    id: 'fal-ai/minimax/hailuo-2.3-fast/standard/image-to-video',
    title: 'MiniMax Hailuo 2.3 Fast Image to Video',
    category: 'image-to-video',
    fields: ['prompt', 'image_url', 'duration', 'prompt_optimizer'],
    durations: ['6', '10'],
    prices: { 6: 0.19, 10: 0.32 },
  },
  {
    id: 'fal-ai/minimax/hailuo-2.3-fast/pro/image-to-video',
    title: 'MiniMax Hailuo 2.3 Fast Pro Image to Video',
    category: 'image-to-video',
    fields: ['prompt', 'image_url', 'prompt_optimizer'],
    prices: { video: 0.33 },
  },
  // Hailuo 02 Standard image to video: fal's page (llms.txt, December 2026). "$0.045/sec" at 768P, "roughly
  // $0.017/sec" at 512P. 10 s is allowed at both (the page's only duration limit is for 1080p).
  {
    id: 'fal-ai/minimax/hailuo-02/standard/image-to-video',
    title: 'MiniMax Hailuo 02 [Standard] (Image to Video)',
    category: 'image-to-video',
    fields: ['prompt', 'image_url', 'duration', 'prompt_optimizer', 'resolution', 'end_image_url'],
    durations: ['6', '10'],
    resolutions: ['512P', '768P'],
    defaultResolution: '768P',
    pricesPerSecond: { '768P': 0.045, '512P': 0.017 },
    // fal's schema takes end_image_url at 512P; MiniMax's API makes first-and-last-frame videos at 768P and 1080P
    // only (fal's page is silent). Never kinder than fal: the job fails when it starts, as MiniMax would refuse it.
    // `input` has the schema's defaults filled in.
    runnerCheck: (input) =>
      input.end_image_url !== undefined && input.resolution === '512P'
        ? { field: 'end_image_url', type: 'value_error', msg: 'A last frame (end_image_url) is not supported at 512P resolution' }
        : null,
  },
  // The rest of Hailuo 02: fields from fal's own client (@fal-ai/client 1.10.1, types/endpoints.d.ts, generated from
  // fal's schemas) and fal's API page (Fast); prices per second from public sources quoting fal (no fal page read).
  {
    id: 'fal-ai/minimax/hailuo-02/standard/text-to-video',
    title: 'MiniMax Hailuo 02 [Standard] (Text to Video)',
    category: 'text-to-video',
    fields: ['prompt', 'duration', 'prompt_optimizer'],
    durations: ['6', '10'],
    pricesPerSecond: { video: 0.045 }, // 768P, the only resolution
  },
  {
    id: 'fal-ai/minimax/hailuo-02/pro/image-to-video',
    title: 'MiniMax Hailuo 02 [Pro] (Image to Video)',
    category: 'image-to-video',
    fields: ['prompt', 'image_url', 'prompt_optimizer', 'end_image_url'],
    pricesPerSecond: { video: 0.08 }, // 1080P
    fixedSeconds: 6, // no duration field: MiniMax makes 1080P videos of 6 s only ("6 s = $0.48")
  },
  {
    id: 'fal-ai/minimax/hailuo-02/pro/text-to-video',
    title: 'MiniMax Hailuo 02 [Pro] (Text to Video)',
    category: 'text-to-video',
    fields: ['prompt', 'prompt_optimizer'],
    pricesPerSecond: { video: 0.08 },
    fixedSeconds: 6,
  },
  {
    id: 'fal-ai/minimax/hailuo-02-fast/image-to-video',
    title: 'MiniMax Hailuo 02 Fast (Image to Video)',
    category: 'image-to-video',
    fields: ['prompt', 'image_url', 'duration', 'prompt_optimizer'],
    durations: ['6', '10'],
    pricesPerSecond: { video: 0.017 }, // 512P
  },
  // H3 Max and H3 Max Turbo, published under the owner `minimax` (queue app `minimax/h3-max`, `minimax/h3-max-turbo`).
  // Turbo has no reference-to-video: no row, so its submit answers 404 as any endpoint fal does not have.
  {
    id: 'minimax/h3-max/image-to-video',
    title: 'MiniMax H3 Max Image to Video',
    category: 'image-to-video',
    fields: ['prompt', 'image_url', 'end_image_url', 'duration', 'resolution', 'prompt_expansion_mode'],
    ...H3,
    pricesPerSecond: MAX_PRICES,
  },
  {
    id: 'minimax/h3-max/text-to-video',
    title: 'MiniMax H3 Max Text to Video',
    category: 'text-to-video',
    fields: ['prompt', 'duration', 'resolution', 'aspect_ratio', 'prompt_expansion_mode'],
    ...H3,
    pricesPerSecond: MAX_PRICES,
  },
  {
    id: 'minimax/h3-max/reference-to-video',
    title: 'MiniMax H3 Max Reference to Video',
    category: 'image-to-video', // assumed: fal's catalogue category for reference-to-video is not known
    fields: ['prompt', 'reference_image_urls', 'duration', 'resolution', 'prompt_expansion_mode'],
    ...H3,
    referenceImages: { min: 1, max: 9 },
    pricesPerSecond: MAX_PRICES,
    // fal's page: reference tokens beyond the 4,096 included cost USD 0.02 per 1,000 (a square image is 1,024)
    referenceTokens: { included: 4096, usdPer1000: 0.02 },
  },
  {
    id: 'minimax/h3-max-turbo/image-to-video',
    title: 'MiniMax H3 Max Turbo Image to Video',
    category: 'image-to-video',
    fields: ['prompt', 'image_url', 'end_image_url', 'duration', 'resolution', 'prompt_expansion_mode'],
    ...H3,
    pricesPerSecond: TURBO_PRICES,
  },
  {
    id: 'minimax/h3-max-turbo/text-to-video',
    title: 'MiniMax H3 Max Turbo Text to Video',
    category: 'text-to-video',
    fields: ['prompt', 'duration', 'resolution', 'aspect_ratio', 'prompt_expansion_mode'],
    ...H3,
    pricesPerSecond: TURBO_PRICES,
  },
];

module.exports = { ROWS };
