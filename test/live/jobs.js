// @ts-check
'use strict';

/**
 * The paid observations: the first job (submitted, followed on the status stream, its result read the moment it
 * ends, its video downloaded, its webhook if asked) and the second (cancelled while still queued). Each paid one is
 * counted against the cap before it submits (live.js). Timings are measured where they happen: the result is read
 * as soon as the stream says COMPLETED, inside `follow`, not when the table reaches the result row.
 */

const { performance } = require('node:perf_hooks');
const { shapeOf, bodyShape, mediaType, has } = require('./compare');
const { detailOf, answerShape } = require('./observations');
const { checkSignature } = require('./webhook');

/**
 * @typedef {import('./observations').Observation} Observation
 * @typedef {import('./observations').Ctx} Ctx
 * @typedef {import('./side').Side} Side
 * @typedef {import('./side').Answer} Answer
 */

const PROMPT = 'A paper boat drifting across a calm pond at sunrise, gentle ripples';
const RESULT_WAIT_MS = 60_000;
const WEBHOOK_WAIT_MS = 180_000;
/** The statuses of a job that has not ended. */
const OPEN = ['IN_QUEUE', 'IN_PROGRESS'];
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));
const secs = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(1)} s`;

/** @param {Side} side @param {Ctx} ctx @param {string} prompt */
const jobInput = (side, ctx, prompt) => ({ prompt, image_url: side.state.imageUrl, duration: ctx.model.duration, prompt_optimizer: true });

/** @param {Side} side */
const needsImage = (side) => (side.state.imageUrl ? undefined : 'no image URL: the upload observation failed');
/** @param {Side} side */
const needsJob = (side) => (side.state.job ? undefined : 'no job: the submit observation did not run or failed');

/**
 * Follows the first job: its status stream from the moment the submit answered, status reads if the stream ends
 * without COMPLETED, then result reads from the moment it ended until one is readable.
 * @param {Side} side @param {Ctx} ctx @param {ReturnType<Ctx['jobRef']>} ref
 */
async function follow(side, ctx, ref) {
  /** @type {number} */
  let completedAt = 0;
  /** @type {Promise<{ reads: { status: number, at: number }[], result: Answer | undefined }> | undefined} */
  let reading;
  const ended = () => {
    completedAt = performance.now();
    reading = readResult(side, ref, completedAt);
    reading.catch(() => {}); // awaited below
  };
  const deadline = Date.now() + ctx.jobTimeoutMs;
  const stream = await side.stream(`${ref.statusUrl}/stream`, { deadlineMs: ctx.jobTimeoutMs, onCompleted: ended });
  let completed = stream.events.map((e) => e.json).find((j) => j && j.status === 'COMPLETED');
  const polled = [];
  while (!completed && Date.now() < deadline) {
    const s = await side.call('GET', ref.statusUrl, { qs: { logs: '0' } });
    polled.push(s.status);
    const j = /** @type {any} */ (s.json);
    if (j && j.status === 'COMPLETED') {
      completed = j;
      ended();
    } else if (!OPEN.includes(j && j.status) && s.status !== 429 && s.status < 500) break; // gone, or a status unknown
    else await sleep(2000);
  }
  const { reads, result } = reading ? await reading : { reads: [], result: undefined };
  return { ref, stream, completed, completedAt, polled, reads, result };
}

/**
 * Reads the result from the moment the job ended until it is readable (or RESULT_WAIT_MS).
 * @param {Side} side @param {ReturnType<Ctx['jobRef']>} ref @param {number} from  performance.now() at the end
 */
async function readResult(side, ref, from) {
  /** @type {{ status: number, at: number }[]} */
  const reads = [];
  /** @type {Answer | undefined} */
  let result;
  while (performance.now() - from < RESULT_WAIT_MS) {
    result = await side.call('GET', ref.responseUrl);
    reads.push({ status: result.status, at: Math.round(performance.now() - from) });
    if (result.status === 200) break;
    await sleep(500);
  }
  return { reads, result };
}

/** @type {Observation} */
const submit = {
  name: 'submit',
  title: 'a submit of the cheapest model and duration, with the uploaded image',
  paid: (ctx) => ({ usd: ctx.priceUsd(), what: `the first job (${ctx.model.displayName}, ${ctx.model.duration} s)` }),
  needs: needsImage,
  async run(side, ctx) {
    const a = await ctx.submit(side, jobInput(side, ctx, PROMPT), { qs: side.webhookUrl ? { fal_webhook: side.webhookUrl } : undefined });
    const j = /** @type {any} */ (a.json) || {};
    const id = typeof j.request_id === 'string' ? j.request_id : undefined;
    /** @type {import('./compare').Shape} */
    const shape = { ...answerShape('', a) };
    if (a.status < 300 && id) {
      const ref = ctx.jobRef(side, id);
      // the status the job had when the stream was asked for (fal's submit answer says IN_QUEUE)
      side.state.job = { id, status: typeof j.status === 'string' ? j.status : 'IN_QUEUE', submittedAt: performance.now() };
      side.state.follow = follow(side, ctx, ref);
      side.state.follow.catch(() => {}); // awaited by the later observations, which report its failure
      shape['x-fal-request-id'] = a.headers.get('x-fal-request-id') === id ? 'the request id' : has(a.headers, 'x-fal-request-id');
      shape.status = String(j.status);
      for (const k of /** @type {const} */ (['status_url', 'response_url', 'cancel_url'])) {
        const built = { status_url: ref.statusUrl, response_url: ref.responseUrl, cancel_url: ref.cancelUrl }[k];
        shape[k] = j[k] === undefined ? 'absent' : j[k] === built ? 'as built from the request id' : 'another URL';
      }
    }
    return {
      shape,
      summary: `${a.status} ${id ? `${j.status}${j.queue_position !== undefined ? `, queue position ${j.queue_position}` : ''}` : detailOf(a)}`,
      notes: [`${a.ms} ms${side.webhookUrl ? '; with fal_webhook' : ''}`],
    };
  },
};

/** @type {Observation} */
const statusStream = {
  name: 'status-stream',
  title: 'the first job on the status stream: every event and its time',
  needs: needsJob,
  async run(side) {
    const { stream: s, completed, polled } = await side.state.follow;
    const events = s.events.filter((e) => e.json);
    const statuses = events.map((e) => String(e.json && e.json.status));
    const sequence = statuses.filter((st, i) => i === 0 || st !== statuses[i - 1]).join('>') || '(none)';
    const first = events[0];
    const last = events.find((e) => e.json && e.json.status === 'COMPLETED');
    const notes = [
      first ? `first event ${statuses[0]} after ${first.at} ms` : 'no event',
      `${events.map((e) => `${e.json && e.json.status} +${secs(e.at)}`).join(', ')}; ${s.comments} comment line${s.comments === 1 ? '' : 's'}`,
    ];
    if (s.closedAfterCompletedMs !== undefined) notes.push(`closed ${s.closedAfterCompletedMs} ms after COMPLETED`);
    if (polled.length) notes.push(`the stream ended without COMPLETED (${s.end}${s.error ? `: ${s.error}` : ''}); ${polled.length} status reads followed`);
    if (!completed) notes.push('the job did not end within the job timeout');
    return {
      shape: {
        http: s.status,
        'content-type': mediaType(s.headers ? s.headers.get('content-type') : null),
        'x-fal-request-id': s.headers ? has(s.headers, 'x-fal-request-id') : 'no',
        'first event': !first ? 'none' : statuses[0] === side.state.job.status ? 'the status at submit (sent at once)' : 'a change',
        sequence,
        end: last ? (s.end === 'closed' ? 'closed after COMPLETED' : `${s.end} after COMPLETED`) : `${s.end} before COMPLETED`,
        'COMPLETED event': last ? shapeOf(last.json) : '(none)',
      },
      summary: `${s.status} ${sequence}`,
      notes,
    };
  },
};

/** @type {Observation} */
const result = {
  name: 'result',
  title: 'the result of the first job, read the moment it ended; then its status',
  needs: needsJob,
  async run(side) {
    const f = await side.state.follow;
    if (!f.completed || !f.result) return { skipped: 'the job did not end' };
    const ok = f.reads.find((/** @type {{ status: number }} */ r) => r.status === 200);
    const readable = !ok ? `not within ${RESULT_WAIT_MS / 1000} s` : f.reads[0].status === 200 ? 'at once' : 'after a wait';
    const video = /** @type {any} */ (f.result.json)?.video;
    if (f.result.status === 200 && video && typeof video.url === 'string') side.state.video = video;
    const st = await side.call('GET', f.ref.statusUrl, { qs: { logs: '0' } });
    return {
      shape: {
        readable,
        'first read': f.reads[0].status,
        ...answerShape('result ', f.result),
        'status read': `${st.status} ${/** @type {any} */ (st.json)?.status}`,
        'status body': bodyShape(st),
      },
      summary: `${f.result.status} ${readable}${video && video.file_size ? `, ${video.file_size} bytes` : ''}`,
      notes: [
        ok ? `readable ${ok.at} ms after COMPLETED was seen (${f.reads.length} read${f.reads.length === 1 ? '' : 's'}: ${f.reads.map((/** @type {{ status: number }} */ r) => r.status).join(' ')})` : `reads: ${f.reads.map((/** @type {{ status: number }} */ r) => r.status).join(' ')}`,
        `the job took ${secs(f.completedAt - side.state.job.submittedAt)} from submit to COMPLETED`,
      ],
    };
  },
};

/** @type {Observation} */
const cdnDownload = {
  name: 'cdn-download',
  title: "the first job's video from the CDN: headers and Range",
  needs: (side) => (side.state.video ? undefined : 'no video: the result observation gave none'),
  async run(side) {
    const video = side.state.video;
    const full = await side.call('GET', video.url, { key: null, timeoutMs: 600_000 });
    const range = await side.call('GET', video.url, { key: null, headers: { range: 'bytes=0-1023' } });
    const length = full.headers.get('content-length');
    const cr = /^bytes 0-1023\/(\d+)$/.exec(range.headers.get('content-range') || '');
    return {
      shape: {
        http: full.status,
        'content-type': mediaType(full.headers.get('content-type')),
        'content-length': length === null ? 'absent' : Number(length) === full.bytes.length ? 'the bytes received' : 'another number',
        'accept-ranges': full.headers.get('accept-ranges') || '(none)',
        etag: has(full.headers, 'etag'),
        'file_size in the result': video.file_size === undefined ? 'absent' : video.file_size === full.bytes.length ? 'the bytes received' : 'another number',
        'MP4 (ftyp first)': full.bytes.toString('latin1', 4, 8) === 'ftyp',
        'Range bytes=0-1023': range.status,
        'content-range': !cr ? range.headers.get('content-range') || '(none)' : Number(cr[1]) === full.bytes.length ? 'bytes 0-1023/<size>' : 'another size',
        'range bytes': range.bytes.length,
      },
      summary: `${full.status} ${mediaType(full.headers.get('content-type'))}, Range ${range.status}`,
      notes: [`${full.bytes.length} bytes in ${full.ms} ms from ${new URL(video.url).host}; last-modified ${has(full.headers, 'last-modified')}, cache-control ${full.headers.get('cache-control') || '(none)'}`],
    };
  },
};

/** @type {Observation} */
const webhook = {
  name: 'webhook',
  title: "the first job's webhook: delivery, body and signature",
  needs: (side) => needsJob(side) || (side.state.receiver ? undefined : 'no receiver'),
  async run(side) {
    const f = await side.state.follow;
    const all = await side.state.receiver.waitFor(side.state.job.id, WEBHOOK_WAIT_MS);
    if (!all.length) return { shape: { delivered: `not within ${WEBHOOK_WAIT_MS / 1000} s` }, summary: 'no delivery' };
    const d = all[0];
    const sig = await checkSignature(d, side.jwksUrl);
    const { payload, ...rest } = d.json || {};
    const resultShape = f.result && f.result.status === 200 ? shapeOf(f.result.json) : undefined;
    return {
      shape: {
        delivered: 'yes',
        method: d.method,
        'content-type': mediaType(d.headers['content-type']),
        'signature headers': sig.headers,
        'x-fal-webhook-request-id': d.headers['x-fal-webhook-request-id'] === side.state.job.id ? 'the request id' : 'another value',
        body: shapeOf(rest),
        'body status': String(rest.status),
        payload: resultShape === undefined ? shapeOf(payload) : shapeOf(payload) === resultShape ? 'the result' : shapeOf(payload),
        signature: sig.signature,
        timestamp: sig.timestamp,
      },
      summary: `${rest.status}, signature ${sig.signature}`,
      notes: [`delivered ${Math.round(d.at - f.completedAt)} ms after COMPLETED was seen; ${all.length} deliver${all.length === 1 ? 'y' : 'ies'}; JWKS ${sig.keys}`],
    };
  },
};

/** @type {Observation} */
const cancelQueued = {
  name: 'cancel-queued',
  title: 'a second submit, cancelled at once while queued: status and result afterwards, billed?',
  paid: (ctx) => ({ usd: ctx.priceUsd(), what: 'the second job (cancelled while queued; counted though fal does not bill it)' }),
  needs: needsImage,
  async run(side, ctx) {
    const a = await ctx.submit(side, jobInput(side, ctx, `${PROMPT} (cancelled while queued)`));
    const id = /** @type {any} */ (a.json)?.request_id;
    if (a.status >= 300 || typeof id !== 'string') {
      return { shape: { submit: a.status, 'submit body': bodyShape(a) }, summary: `submit ${a.status} ${detailOf(a)}` };
    }
    const ref = ctx.jobRef(side, id);
    const t0 = performance.now();
    const c = await side.call('PUT', ref.cancelUrl);
    const s1 = await side.call('GET', ref.statusUrl, { qs: { logs: '0' } });
    let last = s1;
    const seen = [`${s1.status} ${/** @type {any} */ (s1.json)?.status}`];
    const deadline = Date.now() + ctx.jobTimeoutMs;
    // until it ends; a status other than the open ones (or an error answer) ends the wait too, as it is
    while (OPEN.includes(/** @type {any} */ (last.json)?.status) && Date.now() < deadline) {
      await sleep(1000);
      last = await side.call('GET', ref.statusUrl, { qs: { logs: '0' } });
      const s = `${last.status} ${/** @type {any} */ (last.json)?.status}`;
      if (s !== seen[seen.length - 1]) seen.push(s);
    }
    const endedMs = Math.round(performance.now() - t0);
    const r = await side.call('GET', ref.responseUrl);
    const again = await side.call('PUT', ref.cancelUrl);
    const fin = /** @type {any} */ (last.json) || {};
    const made = r.status === 200 && /** @type {any} */ (r.json)?.video;
    return {
      shape: {
        submit: a.status,
        cancel: `${c.status} ${/** @type {any} */ (c.json)?.status}`,
        'status right after': seen[0],
        'final status': `${last.status} ${fin.status}`,
        'final status body': bodyShape(last),
        error_type: fin.error_type === undefined ? '(none)' : String(fin.error_type),
        ...answerShape('result ', r),
        'result x-fal-error-type': has(r.headers, 'x-fal-error-type'),
        'cancel again': `${again.status} ${/** @type {any} */ (again.json)?.status}`,
        'billed (a video made)': made ? 'yes' : 'no',
      },
      summary: `cancel ${c.status}, then ${last.status} ${fin.status}, result ${r.status}`,
      notes: [
        `cancel answered ${c.ms} ms after the submit's answer; statuses: ${seen.join(' → ')}; ended ${secs(endedMs)} after the cancel`,
        `error ${JSON.stringify(fin.error)}; result: "${detailOf(r)}"${made ? '; a video was made: fal bills it' : ''}`,
      ],
    };
  },
};

module.exports = { PAID: [submit, statusStream, result, cdnDownload, webhook, cancelQueued], PROMPT, follow };
