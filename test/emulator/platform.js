// @ts-check
'use strict';

/** The platform API (api.fal.ai): `GET /v1/models/pricing` (auth required) and `GET /v1/models` (open). */

const { ENDPOINTS } = require('./schema');
const { sendJson } = require('./http');

/** @typedef {import('./server').Ctx} Ctx */

/** @param {URLSearchParams} q @returns {string[]} */
function endpointIds(q) {
  return q.getAll('endpoint_id').flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
}

/**
 * GET /v1/models/pricing?endpoint_id=a[,b]&endpoint_id=c
 * @param {Ctx} ctx
 */
function handlePricing(ctx) {
  const ids = endpointIds(ctx.url.searchParams);
  if (ids.length < 1 || ids.length > 50) {
    sendJson(ctx.res, 400, { detail: 'Provide between 1 and 50 endpoint_id values' });
    return;
  }
  const prices = ENDPOINTS.filter((e) => ids.includes(e.id)).map((e) => ({ endpoint_id: e.id, ...e.price }));
  if (!prices.length) {
    sendJson(ctx.res, 404, { detail: `No pricing found for: ${ids.join(', ')}` });
    return;
  }
  sendJson(ctx.res, 200, { prices, next_cursor: null, has_more: false });
}

/**
 * GET /v1/models?limit=&endpoint_id= — answers anyone (fal's catalogue has optional auth).
 * @param {Ctx} ctx
 */
function handleModels(ctx) {
  const ids = endpointIds(ctx.url.searchParams);
  const limit = Math.max(1, Math.min(100, Number(ctx.url.searchParams.get('limit')) || 50));
  const all = ENDPOINTS.filter((e) => !ids.length || ids.includes(e.id));
  const models = all.slice(0, limit).map((e) => ({ endpoint_id: e.id, metadata: { ...e.metadata, status: 'active' } }));
  sendJson(ctx.res, 200, { models, next_cursor: null, has_more: all.length > limit });
}

module.exports = { handlePricing, handleModels };
