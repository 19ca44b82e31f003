// @ts-check
'use strict';

/**
 * The HTTP server: records every call (as it arrived in emu.raw, redacted in emu.calls), adds latency, checks the key
 * (routes that need one), applies a queued fault, then dispatches by route. A wrong key is a 401 even when a fault is queued, and the fault stays queued.
 * All sockets are tracked so close() can destroy them (SSE streams and stalled bodies included).
 */

const http = require('node:http');
const { randomUUID } = require('node:crypto');
const { matchRoute } = require('./router');
const { readBody, sendJson } = require('./http');
const { checkAuth, redactHeaders } = require('./auth');
const { faultAnswer } = require('./faults');
const { handleSubmit, handleStatus, handleStream, handleResult, handleCancel } = require('./queue-routes');
const { handleInitiate, handleUpload, handleFile } = require('./storage');
const { handleCdn } = require('./cdn');
const { handleSample } = require('./samples');
const { RUNNER_HEADER } = require('./fetch-url');
const { handlePricing, handleModels } = require('./platform');
const { handleAdmin } = require('./admin');
const { recordRequest } = require('./raw');

/** @typedef {import('./router').RouteName} RouteName */
/** @typedef {import('./faults').FaultSpec} FaultSpec */
/** @typedef {import('./index').EmulatorState} EmulatorState */

/**
 * @typedef {object} Call  one HTTP call, as emu.calls records it
 * @property {RouteName} route
 * @property {string} method
 * @property {string} path
 * @property {Record<string, string>} query
 * @property {number} status   0 while unanswered, or when the socket was destroyed without an answer
 * @property {unknown} body    parsed JSON request body, or undefined
 * @property {Record<string, string>} headers  lower-case; Authorization redacted to 'Key ***'
 * @property {number} at       arrival time (ms)
 * @property {'missing' | 'invalid' | 'ok'} [auth]  for routes that need a key
 * @property {'API' | 'ADMIN'} [keyScope]  the scope of the key that was accepted
 * @property {string} [fault]  'status' | 'reset' | 'delay' | 'afterAccept' | 'lateAnswer' | 'cut' | 'stall' | 'silent' | 'commentsOnly' when a fault
 *   hit this call
 * @property {true} [runner]   made by the model's runner reading an input file (not by the client)
 * @property {string} [requestId]  the x-fal-request-id answered
 */

/**
 * @typedef {object} Ctx  what a route handler gets
 * @property {http.IncomingMessage} req
 * @property {http.ServerResponse} res
 * @property {URL} url
 * @property {RouteName} route
 * @property {Record<string, string>} params
 * @property {Call} call
 * @property {Buffer} body
 * @property {unknown} json        parsed JSON body (undefined when empty or not JSON)
 * @property {string} [jsonError]  set when a non-empty body is not valid JSON
 * @property {FaultSpec} [fault]   the fault consumed by this call (body faults: cutAfterBytes, stallAfterBytes, silent)
 * @property {EmulatorState} emu
 * @property {boolean} accepted    submit: a job was created
 * @property {(id: string) => void} setRequestId
 * @property {() => FaultSpec | undefined} takeAcceptFault  submit: consumes a queued afterAccept fault, if first
 */

/** Routes that need `Authorization: Key <apiKey>`. */
const AUTH_ROUTES = new Set(['submit', 'status', 'stream', 'result', 'cancel', 'initiate', 'pricing']);

/** @type {Record<string, (ctx: Ctx) => unknown>} */
const HANDLERS = {
  submit: handleSubmit,
  status: handleStatus,
  stream: handleStream,
  result: handleResult,
  cancel: handleCancel,
  initiate: handleInitiate,
  upload: handleUpload,
  file: handleFile,
  cdn: handleCdn,
  pricing: handlePricing,
  models: handleModels,
  jwks: (ctx) => sendJson(ctx.res, 200, ctx.emu.webhooks.jwks),
  sample: handleSample,
  admin: handleAdmin,
};

/**
 * @param {EmulatorState} emu
 * @returns {{ server: http.Server, sockets: Set<import('node:net').Socket> }}
 */
/** A submit fault that acts once the job exists. @param {FaultSpec} f */
function isAcceptFault(f) {
  return f.afterAccept === true || f.lateAnswerMs !== undefined;
}

function createServer(emu) {
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    handle(emu, req, res).catch((err) => {
      if (!res.headersSent && !res.destroyed) {
        sendJson(res, 500, { detail: `emulator error: ${err instanceof Error ? err.message : String(err)}` });
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return { server, sockets };
}

/**
 * @param {EmulatorState} emu @param {http.IncomingMessage} req @param {http.ServerResponse} res
 */
async function handle(emu, req, res) {
  const method = (req.method || 'GET').toUpperCase();
  const url = new URL(req.url || '/', emu.baseUrl);
  const { route, params } = matchRoute(method, url.pathname);
  /** @type {Call} */
  const call = {
    route,
    method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    status: 0,
    body: undefined,
    headers: redactHeaders(req.headers, [emu.apiKey, emu.options.adminKey]),
    at: Date.now(),
  };
  if (req.headers[RUNNER_HEADER]) call.runner = true;
  recordRequest(emu.raw, req, { origin: 'fal', baseUrl: emu.baseUrl, route, runner: call.runner });
  emu.calls.push(call);
  if (route === 'submit') emu.stats.submits += 1;

  // x-fal-request-id on every answer: the job's id where there is one, else a fresh uuid
  const known = params.id && emu.queue.get(params.id);
  /** @param {string} id */
  const setRequestId = (id) => {
    call.requestId = id;
    if (!res.headersSent) res.setHeader('x-fal-request-id', id);
  };
  setRequestId(known ? params.id : randomUUID());
  const writeHead = res.writeHead;
  res.writeHead = /** @type {typeof res.writeHead} */ (function recordStatus(/** @type {any[]} */ ...args) {
    call.status = args[0];
    return writeHead.apply(res, /** @type {any} */ (args));
  });

  /** @type {Ctx} */
  const ctx = {
    req, res, url, route, params, call, body: Buffer.alloc(0), json: undefined, emu, accepted: false,
    setRequestId,
    takeAcceptFault: () => {
      const f = emu.faults.peek('submit');
      return f && isAcceptFault(f) ? emu.faults.take('submit') : undefined;
    },
  };

  try {
    try {
      ctx.body = await readBody(req);
    } catch (e) {
      const status = /** @type {{ statusCode?: number }} */ (e).statusCode;
      if (status) sendJson(res, status, { detail: 'Request body too large' });
      else res.destroy();
      return;
    }
    if (ctx.body.length && route !== 'upload') {
      try {
        ctx.json = JSON.parse(ctx.body.toString('utf8'));
        call.body = ctx.json;
      } catch (e) {
        ctx.jsonError = e instanceof Error ? e.message : String(e);
      }
    }

    await emu.timers.sleep(emu.options.latencyMs);

    if (AUTH_ROUTES.has(route)) {
      const header = req.headers.authorization;
      const auth = checkAuth(header, { apiKey: emu.apiKey, adminKey: emu.options.adminKey });
      call.auth = auth.ok ? 'ok' : header ? 'invalid' : 'missing';
      if (!auth.ok) {
        // fal's docs do not say that a refused key gets a request id: the stricter reading is that it does not
        res.removeHeader('x-fal-request-id');
        delete call.requestId;
        sendJson(res, 401, { detail: auth.detail });
        return;
      }
      call.keyScope = auth.scope;
      // fal's current pricing page takes any valid key; pricingNeedsAdmin: the API reference's older ADMIN-only reading
      if (route === 'pricing' && emu.options.pricingNeedsAdmin && auth.scope !== 'ADMIN') {
        sendJson(res, 403, { detail: 'This endpoint requires an API key with ADMIN scope' });
        return;
      }
    }

    // faults, once the key is good (afterAccept faults wait for the job to be created: see takeAcceptFault)
    const first = emu.faults.peek(route);
    if (first && !isAcceptFault(first)) {
      const fault = /** @type {FaultSpec} */ (emu.faults.take(route));
      ctx.fault = fault;
      call.fault = 'delay';
      await emu.timers.sleep(fault.delayMs || 0);
      if (fault.reset) {
        call.fault = 'reset';
        res.destroy();
        return;
      }
      if (fault.headers) for (const [k, v] of Object.entries(fault.headers)) res.setHeader(k, v);
      if (fault.status !== undefined) {
        call.fault = 'status';
        const { body, headers } = faultAnswer({ ...fault, status: fault.status }); // fal's error shapes: faults.js
        sendJson(res, fault.status, body, headers);
        return;
      }
      if (fault.cutAfterBytes !== undefined) call.fault = 'cut';
      else if (fault.stallAfterBytes !== undefined) call.fault = 'stall';
      else if (fault.silent) call.fault = 'silent';
      else if (fault.commentsOnly) call.fault = 'commentsOnly';
    }

    const handler = HANDLERS[route];
    if (!handler) {
      sendJson(res, 404, { detail: 'Not Found' });
      return;
    }
    await handler(ctx);
  } finally {
    if (route === 'submit' && !ctx.accepted) emu.stats.rejected += 1;
  }
}

module.exports = { createServer, AUTH_ROUTES };
