// @ts-check
'use strict';

/**
 * Control endpoints for tests that run the emulator in another process (no auth):
 * POST /_emulator/faults (a fault spec or an array), GET /_emulator/faults, DELETE /_emulator/faults,
 * GET /_emulator/stats, POST /_emulator/reset, GET /_emulator/calls, GET /_emulator/jobs, GET /_emulator/webhooks
 * (every delivery attempt), GET /_emulator/other-calls (what the other origin got), POST /_emulator/sign
 * ({ request_id, body, timestamp? }: the signature headers the emulator's webhooks would carry, to forge deliveries),
 * POST /_emulator/expire ({ request_id }: the ended job's result past its retention; { request_id, file: true }: its
 * video file past its lifecycle), GET|POST /_emulator/clock ({ advance_ms }: move the emulator's clock forward;
 * answers { offset_ms }).
 */

const { sendJson } = require('./http');

/** @typedef {import('./server').Ctx} Ctx */

/** @param {Ctx} ctx */
function handleAdmin(ctx) {
  const { emu, res } = ctx;
  const action = ctx.params.action.replace(/\/$/, '');
  const method = ctx.req.method;
  if (action === 'faults' && method === 'POST') {
    if (ctx.json === undefined) {
      sendJson(res, 400, { detail: 'Send a JSON fault spec or an array of them' });
      return;
    }
    try {
      const queued = emu.faults.add(ctx.json);
      sendJson(res, 200, { queued, faults: emu.faults.list() });
    } catch (e) {
      sendJson(res, 400, { detail: e instanceof Error ? e.message : String(e) });
    }
    return;
  }
  if (action === 'faults' && method === 'GET') return sendJson(res, 200, { faults: emu.faults.list() });
  if (action === 'faults' && method === 'DELETE') {
    emu.faults.clear();
    return sendJson(res, 200, { faults: [] });
  }
  if (action === 'stats' && method === 'GET') return sendJson(res, 200, emu.statsView());
  if (action === 'reset' && method === 'POST') {
    emu.reset();
    return sendJson(res, 200, { reset: true });
  }
  if (action === 'calls' && method === 'GET') return sendJson(res, 200, { calls: emu.calls });
  if (action === 'jobs' && method === 'GET') return sendJson(res, 200, { jobs: [...emu.queue.jobs.values()] });
  if (action === 'webhooks' && method === 'GET') return sendJson(res, 200, { webhooks: emu.webhooks.records });
  if (action === 'sign' && method === 'POST') {
    const { request_id: requestId, body, timestamp } = /** @type {any} */ (ctx.json ?? {});
    if (typeof requestId !== 'string' || typeof body !== 'string') return sendJson(res, 400, { detail: 'Send { request_id, body, timestamp? }' });
    return sendJson(res, 200, { headers: emu.webhooks.signatureHeaders(requestId, body, timestamp) });
  }
  if (action === 'other-calls' && method === 'GET') return sendJson(res, 200, { calls: emu.otherCalls });
  if (action === 'expire' && method === 'POST') {
    const { request_id: id, file } = /** @type {any} */ (ctx.json ?? {});
    const job = typeof id === 'string' ? emu.queue.jobs.get(id) : undefined;
    if (!job) return sendJson(res, 404, { detail: `Send { request_id, file? } of a job the emulator has; got ${JSON.stringify(id)}` });
    try {
      if (file === true) emu.retention.expireFile(job);
      else emu.retention.expire(job);
    } catch (e) {
      return sendJson(res, 400, { detail: e instanceof Error ? e.message : String(e) });
    }
    return sendJson(res, 200, { request_id: id, result_expires_at: job.resultExpiresAt ?? null, file_expires_at: job.fileExpiresAt ?? null });
  }
  if (action === 'clock' && (method === 'GET' || method === 'POST')) {
    if (method === 'POST') {
      const ms = /** @type {any} */ (ctx.json ?? {}).advance_ms;
      try {
        emu.retention.advance(ms);
      } catch (e) {
        return sendJson(res, 400, { detail: 'Send { advance_ms: a number >= 0 }' });
      }
    }
    return sendJson(res, 200, { offset_ms: emu.retention.offsetMs, now: emu.retention.now() });
  }
  sendJson(res, 404, { detail: `Unknown emulator admin call: ${method} /_emulator/${action}` });
}

module.exports = { handleAdmin };
