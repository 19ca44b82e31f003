// @ts-check
'use strict';

/**
 * The H3 Max Turbo observations: its price on fal's pricing call (free), and one paid job, the cheapest the node's
 * table offers (5 s at 480P, USD 0.125: text to video, which costs what image to video costs and needs no image).
 * They check what H3 does unlike Hailuo: the owner `minimax` and its own queue app (status, result and cancel under
 * `minimax/h3-max-turbo/requests/{id}`; the same id under `fal-ai/minimax` unknown), `duration` an integer (the
 * string "5" refused), `prompt_expansion_mode` required, a video with sound (read from the MP4's boxes with the
 * package's own parser, dist/fal/mp4-boxes.js and mp4-info.js, as the node reads them while it downloads), and the
 * pricing call's unit price and unit against the table's.
 *
 * Money: the two refusals are sent first, each with the body of the real job but for the one field under test. A
 * refused submit makes no job. Should fal take one anyway (a lax integer, a default for the mode), that submit is the
 * job this row paid for (the same 5 s at 480P): it is followed, and nothing more is submitted. So the row makes at
 * most one job, counted once against the cap and the job limit.
 */

const { performance } = require('node:perf_hooks');
const { PRICING_PATH } = require('../../dist/fal/account');
const { Mp4Boxes } = require('../../dist/fal/mp4-boxes');
const { DEFAULT_ENDPOINT, MODELS, queueAppOf, settingFor } = require('../../dist/nodes/shared/models/table');
const { priceOf, pricePerSecond, secondsOf, videoPrice } = require('../../dist/nodes/shared/models/prices');
const { bodyShape, has, mediaType, shapeOf } = require('./compare');
const { answerShape, detailOf } = require('./observations');
const { follow } = require('./jobs');

/**
 * @typedef {import('./observations').Observation} Observation
 * @typedef {import('./observations').Ctx} Ctx
 * @typedef {import('./side').Side} Side
 * @typedef {import('./side').Answer} Answer
 */

const PROMPT = 'A red kite rising over a windy beach, waves rolling in, gulls calling';
const DURATION_FIELD = 'duration';
const MODE_FIELD = 'prompt_expansion_mode';
/** The fastest mode (balanced adds about a second, quality up to thirty); the price is the same. */
const MODE = 'disabled';

/**
 * The cheapest H3 Max Turbo video in the node's table: each endpoint at its shortest duration and cheapest
 * resolution, the one that needs no image first on a tie. Its input is built from the table's settings (so a wrong
 * field name there shows here, against fal): the shortest duration, that resolution, every other setting's
 * default but the prompt expansion, disabled.
 */
function cheapestH3() {
  const options = MODELS.filter((m) => m.family === 'H3 Max Turbo').flatMap((m) => {
    const duration = settingFor(m, 'duration');
    const resolution = settingFor(m, 'resolution');
    const seconds = duration?.kind === 'integer' ? duration.min : undefined;
    return (resolution?.kind === 'choice' ? resolution.values : [undefined]).map((r) => {
      const settings = Object.fromEntries(m.settings.map((s) => [s.field, s.default]));
      if (duration && seconds !== undefined) settings[duration.field] = seconds;
      if (resolution && r !== undefined) settings[resolution.field] = r;
      if (MODE_FIELD in settings) settings[MODE_FIELD] = MODE;
      return { m, settings, usd: priceOf(m, { settings }) };
    });
  });
  options.sort((a, b) => a.usd - b.usd || Number(a.m.images.first) - Number(b.m.images.first));
  const { m, settings, usd } = options[0];
  return {
    spec: m,
    endpoint: m.endpoint,
    queueApp: queueAppOf(m.endpoint),
    displayName: m.displayName,
    settings,
    seconds: /** @type {number} */ (secondsOf(m, { settings })),
    resolution: String(settings.resolution),
    listUsd: usd,
    /** The table's price per second at the resolution fal's pricing call answers for (`livePriceAt`). */
    listPerSecondAtLive: m.price.per === 'second' ? pricePerSecond(m, m.price.livePriceAt) : undefined,
    livePriceAt: m.price.per === 'second' ? m.price.livePriceAt : undefined,
    /** @type {{ unitPrice: number, unit: string } | undefined} the target's pricing answer */
    livePrice: undefined,
  };
}

/** @typedef {ReturnType<typeof cheapestH3>} H3Model */

/** What is counted for the H3 job: its list price, or fal's live price when higher. @param {H3Model} h3 */
const h3PriceUsd = (h3) => Math.max(h3.listUsd, h3.livePrice ? videoPrice(h3.spec, { settings: h3.settings }, h3.livePrice).usd : 0);

/** fal's 422 detail entries that name a field. @param {Answer} a @param {string} field */
function errorsAt(a, field) {
  const detail = /** @type {any} */ (a.json)?.detail;
  return Array.isArray(detail) ? detail.filter((e) => e && Array.isArray(e.loc) && e.loc.includes(field)) : [];
}

/** A submit meant to be refused, in words: its status and what it said of the field. @param {Answer} a @param {string} field */
function refusal(a, field) {
  const named = errorsAt(a, field);
  return `${a.status} ${named.length ? named.map((e) => `${e.type} at ${e.loc.join('.')}`).join(', ') : `without naming ${field}`}`;
}

/** @param {Answer} a */
const madeJob = (a) => a.status < 300 && typeof (/** @type {any} */ (a.json)?.request_id) === 'string';

/** @type {Observation} */
const h3Pricing = {
  name: 'h3-pricing',
  title: "H3 Max Turbo on the pricing call: its unit price and unit against the table's",
  async run(side, ctx) {
    const h3 = ctx.h3;
    const a = await side.call('GET', side.origins.api + PRICING_PATH, { qs: { endpoint_id: h3.endpoint } });
    const prices = /** @type {any} */ (a.json)?.prices;
    const price = Array.isArray(prices) ? prices.find((p) => p && p.endpoint_id === h3.endpoint) : undefined;
    const list = h3.listPerSecondAtLive;
    /** @type {import('./compare').Shape} */
    const shape = { ...answerShape('', a), 'content-type': mediaType(a.headers.get('content-type')) };
    const notes = [`${a.ms} ms`];
    if (price && typeof price.unit_price === 'number') {
      if (side === ctx.target) h3.livePrice = { unitPrice: price.unit_price, unit: String(price.unit ?? '') };
      const perSecond = /sec/i.test(String(price.unit));
      shape.unit = perSecond ? 'per second (as the table bills H3)' : `per ${price.unit} (the table bills H3 per second)`;
      const same = list !== undefined && Math.round(price.unit_price * 1e6) === Math.round(list * 1e6);
      shape['unit price'] = list === undefined ? 'the table has no price per second'
        : same ? `the table's ${h3.livePriceAt} price per second`
        : price.unit_price < list ? `below the table's ${h3.livePriceAt} price per second (a promotion, or another resolution's)`
        : `above the table's ${h3.livePriceAt} price per second`;
      notes.push(`${price.currency ?? ''} ${price.unit_price} per ${price.unit}; the table: USD ${list} per second at ${h3.livePriceAt}, USD ${h3.listUsd} for ${h3.seconds} s at ${h3.resolution}`);
    } else {
      shape.unit = 'no price for the endpoint';
      notes.push(`"${detailOf(a)}"`);
    }
    return { shape, summary: `${a.status} ${price ? `${price.unit_price} per ${price.unit}` : bodyShape(a)}`, notes };
  },
};

/** @type {Observation} */
const h3Submit = {
  name: 'h3-turbo-submit',
  title: 'H3 Max Turbo: a string duration and no prompt expansion mode refused (free), then the job (paid)',
  paid: (ctx) => ({ usd: h3PriceUsd(ctx.h3), what: `the H3 job (${ctx.h3.displayName}, ${ctx.h3.seconds} s at ${ctx.h3.resolution})` }),
  async run(side, ctx) {
    const h3 = ctx.h3;
    /** @type {Record<string, unknown>} */
    const input = { prompt: PROMPT, ...h3.settings };
    const withoutMode = Object.fromEntries(Object.entries(input).filter(([k]) => k !== MODE_FIELD));
    const tries = [
      { key: `${DURATION_FIELD} "${input[DURATION_FIELD]}" (a string)`, field: DURATION_FIELD, body: { ...input, [DURATION_FIELD]: String(input[DURATION_FIELD]) }, refused: true },
      { key: `no ${MODE_FIELD}`, field: MODE_FIELD, body: withoutMode, refused: true },
      { key: `${DURATION_FIELD} ${input[DURATION_FIELD]} (an integer)`, field: DURATION_FIELD, body: input, refused: false },
    ];
    /** @type {import('./compare').Shape} */
    const shape = {};
    const notes = [];
    /** @type {Answer | undefined} */
    let made;
    const codes = [];
    for (const t of tries) {
      if (made) {
        shape[t.key] = 'not sent: a job was made';
        codes.push('-');
        continue;
      }
      // a submit meant to be refused keeps the row's reservation for the job that follows
      const a = await ctx.submit(side, t.body, { endpoint: h3.endpoint, probe: t.refused });
      codes.push(String(a.status));
      if (madeJob(a)) {
        made = a;
        shape[t.key] = t.refused ? 'accepted: it made the job (followed as this row\'s)' : `${a.status} ${/** @type {any} */ (a.json).status}`;
      } else {
        shape[t.key] = t.refused ? refusal(a, t.field) : `${a.status} ${detailOf(a)}`;
        const said = errorsAt(a, t.field).map((e) => e.msg).join('; ');
        if (a.status >= 300 && a.status < 500) notes.push(`${t.key}: ${a.ms} ms, "${said || detailOf(a)}"`);
        if (a.status >= 500) break; // a job may stand behind a 5xx: nothing more is sent
      }
    }
    const tried = `"5" ${codes[0]}, no mode ${codes[1] ?? '-'}`;
    if (!made) return { shape, summary: `no job (${tried}, integer ${codes[2] ?? '-'})`, notes };
    const j = /** @type {any} */ (made.json);
    const ref = ctx.jobRef(side, j.request_id, h3.queueApp);
    side.state.h3 = { id: j.request_id, ref, submittedAt: performance.now() };
    side.state.h3Follow = follow(side, ctx, ref);
    side.state.h3Follow.catch(() => {}); // awaited by h3-turbo-video, which reports its failure
    Object.assign(shape, answerShape('job ', made));
    for (const k of /** @type {const} */ (['status_url', 'response_url', 'cancel_url'])) {
      const built = { status_url: ref.statusUrl, response_url: ref.responseUrl, cancel_url: ref.cancelUrl }[k];
      shape[k] = j[k] === undefined ? 'absent' : j[k] === built ? `under ${h3.queueApp}, as built from the request id` : 'another URL';
      if (j[k] !== undefined && j[k] !== built) notes.push(`${k}: ${new URL(j[k]).pathname}`);
    }
    notes.push(`submitted to ${h3.endpoint} (${made.ms} ms): ${JSON.stringify(input).length} bytes, list price USD ${h3.listUsd}`);
    return { shape, summary: `${made.status} ${j.status} (${tried})`, notes };
  },
};

/** What the MP4's boxes say, walked with the package's own parser. @param {Buffer} bytes */
function mp4Facts(bytes) {
  const walk = new Mp4Boxes();
  for (let at = 0; at < bytes.length; at += 65536) walk.take(bytes.subarray(at, at + 65536)); // as chunks come
  return { whole: walk.whole(), ...walk.facts() };
}

/** The picture's shape against the aspect ratio asked for. @param {{ width: number | null, height: number | null }} f @param {unknown} asked */
function pictureShape(f, asked) {
  if (!f.width || !f.height) return 'size unsaid';
  const shape = f.width > f.height ? 'landscape' : f.width < f.height ? 'portrait' : 'square';
  if (typeof asked !== 'string') return shape;
  const [w, h] = asked.split(':').map(Number);
  const wanted = w > h ? 'landscape' : w < h ? 'portrait' : 'square';
  return shape === wanted ? `${shape}, as asked (${asked})` : `${shape}, not as asked (${asked})`;
}

/** @type {Observation} */
const h3Video = {
  name: 'h3-turbo-video',
  title: "the H3 job under its queue app (status, result, cancel), its id under fal-ai/minimax, the MP4's sound",
  needs: (side) => (side.state.h3 ? undefined : 'no H3 job: h3-turbo-submit made none'),
  async run(side, ctx) {
    const h3 = ctx.h3;
    const f = await side.state.h3Follow;
    if (!f.completed || !f.result) return { skipped: 'the H3 job did not end' };
    const { ref } = side.state.h3;
    const st = await side.call('GET', ref.statusUrl, { qs: { logs: '0' } });
    const cancel = await side.call('PUT', ref.cancelUrl);
    const other = ctx.jobRef(side, side.state.h3.id, queueAppOf(DEFAULT_ENDPOINT));
    const otherStatus = await side.call('GET', other.statusUrl, { qs: { logs: '0' } });
    const otherResult = await side.call('GET', other.responseUrl);
    const video = /** @type {any} */ (f.result.json)?.video;
    /** @type {import('./compare').Shape} */
    const shape = {
      'status (stream)': f.stream.status ? `${f.stream.status} ${f.stream.end}` : 'none',
      status: `${st.status} ${/** @type {any} */ (st.json)?.status}`,
      ...answerShape('result ', f.result),
      'cancel after the end': `${cancel.status} ${/** @type {any} */ (cancel.json)?.status}`,
      [`under ${queueAppOf(DEFAULT_ENDPOINT)}: status, result`]: `${otherStatus.status} ${bodyShape(otherStatus)}, ${otherResult.status}`,
    };
    const notes = [`the job took ${((f.completedAt - side.state.h3.submittedAt) / 1000).toFixed(1)} s from submit to COMPLETED; result readable ${f.reads.find((/** @type {{ status: number }} */ r) => r.status === 200)?.at ?? '-'} ms after`];
    if (f.result.status === 200 && video && typeof video.url === 'string') {
      const dl = await side.call('GET', video.url, { key: null, timeoutMs: 600_000 });
      const mp4 = mp4Facts(dl.bytes);
      Object.assign(shape, {
        'video http': dl.status,
        'video content-type': mediaType(dl.headers.get('content-type')),
        'file_size in the result': video.file_size === undefined ? 'absent' : video.file_size === dl.bytes.length ? 'the bytes received' : 'another number',
        'MP4 whole (boxes add up, moov)': mp4.whole,
        'audio track': mp4.hasAudio === true ? 'yes (a soun track)' : mp4.hasAudio === false ? 'none' : 'unsaid',
        picture: pictureShape(mp4, h3.settings.aspect_ratio),
        'duration read': typeof mp4.durationSeconds === 'number' ? 'yes' : 'unsaid',
      });
      notes.push(`${dl.bytes.length} bytes in ${dl.ms} ms from ${new URL(video.url).host}: ${mp4.width}x${mp4.height}, ${mp4.durationSeconds} s (asked ${h3.seconds} s), hasAudio ${mp4.hasAudio}; etag ${has(dl.headers, 'etag')}`);
    } else {
      shape.video = 'none in the result';
      notes.push(`result: "${detailOf(f.result)}"`);
    }
    notes.push(`status body ${shapeOf(st.json)}; under ${queueAppOf(DEFAULT_ENDPOINT)}: "${detailOf(otherStatus)}"`);
    return {
      shape,
      summary: `${/** @type {any} */ (st.json)?.status}; result ${f.result.status}; sound ${String(shape['audio track'] ?? '-').split(' ')[0]}; fal-ai ${otherStatus.status}`,
      notes,
    };
  },
};

module.exports = { H3_FREE: [h3Pricing], H3_PAID: [h3Submit, h3Video], cheapestH3, h3PriceUsd };
