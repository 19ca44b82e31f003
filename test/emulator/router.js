// @ts-check
'use strict';

/**
 * Maps a method and path to a route name and its parameters. Paths are fal's real ones; only the origin differs.
 *
 * @typedef {'submit'|'status'|'stream'|'result'|'cancel'|'initiate'|'upload'|'file'|'cdn'|'pricing'|'models'|'jwks'|'sample'|'admin'|'unknown'} RouteName
 * @typedef {{ route: RouteName, params: Record<string, string> }} RouteMatch
 */

/** First path segments that belong to the other hosts' APIs, never to an app owner. */
const RESERVED = new Set(['v1', 'storage', 'upload', 'files', 'cdn', '_emulator', '_samples', '.well-known']);

/** @param {string} s @returns {string | null} */
function decode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/**
 * @param {string} method @param {string} pathname
 * @returns {RouteMatch}
 */
function matchRoute(method, pathname) {
  const get = method === 'GET' || method === 'HEAD';
  /** @type {RegExpExecArray | null} */
  let m;

  if (pathname.startsWith('/_emulator/')) return { route: 'admin', params: { action: pathname.slice(11) } };

  // the sample image host (not fal)
  if (pathname.startsWith('/_samples/') && get) {
    const name = decode(pathname.slice('/_samples/'.length));
    if (name !== null) return { route: 'sample', params: { name } };
  }

  // fal's public keys for webhook signatures (rest.fal.ai)
  if (pathname === '/.well-known/jwks.json' && get) return { route: 'jwks', params: {} };

  // platform API (api.fal.ai)
  if (pathname === '/v1/models/pricing' && get) return { route: 'pricing', params: {} };
  if (pathname === '/v1/models' && get) return { route: 'models', params: {} };

  // storage (rest.fal.ai)
  if ((m = /^\/storage\/upload\/(initiate|initiate-multipart)\/?$/.exec(pathname)) && method === 'POST') {
    return { route: 'initiate', params: { multipart: m[1] === 'initiate-multipart' ? '1' : '0' } };
  }
  if ((m = /^\/upload\/([A-Za-z0-9_-]+)$/.exec(pathname)) && method === 'PUT') {
    return { route: 'upload', params: { token: m[1] } };
  }
  if ((m = /^\/upload\/([A-Za-z0-9_-]+)\/(\d+)$/.exec(pathname)) && method === 'PUT') {
    return { route: 'upload', params: { token: m[1], part: m[2] } };
  }
  if ((m = /^\/upload\/([A-Za-z0-9_-]+)\/complete$/.exec(pathname)) && method === 'POST') {
    return { route: 'upload', params: { token: m[1], complete: '1' } };
  }
  if ((m = /^\/files\/([A-Za-z0-9_-]+)\/([^/]+)$/.exec(pathname)) && get) {
    const name = decode(m[2]);
    if (name !== null) return { route: 'file', params: { token: m[1], name } };
  }
  if ((m = /^\/cdn\/([^/]+)\/([^/]+)$/.exec(pathname)) && get) {
    const name = decode(m[2]);
    if (name !== null) return { route: 'cdn', params: { id: m[1], name } };
  }

  // queue (queue.fal.run): /{owner}/{alias}/requests/{id}[/status[/stream]|/cancel]
  if ((m = /^\/([^/]+)\/([^/]+)\/requests\/([^/]+)(\/status|\/status\/stream|\/cancel)?\/?$/.exec(pathname))) {
    const params = { owner: m[1], alias: m[2], id: m[3] };
    const tail = m[4] || '';
    if (tail === '' && get) return { route: 'result', params };
    if (tail === '/status' && get) return { route: 'status', params };
    if (tail === '/status/stream' && get) return { route: 'stream', params };
    if (tail === '/cancel' && method === 'PUT') return { route: 'cancel', params };
    return { route: 'unknown', params: {} };
  }
  // submit: POST /{owner}/{alias}[/{path}]
  if ((m = /^\/([^/]+)\/([^/]+)((?:\/[^/]+)*)\/?$/.exec(pathname)) && method === 'POST' && !RESERVED.has(m[1])) {
    const endpoint = `${m[1]}/${m[2]}${m[3] || ''}`;
    return { route: 'submit', params: { owner: m[1], alias: m[2], endpoint } };
  }
  return { route: 'unknown', params: {} };
}

module.exports = { matchRoute };
