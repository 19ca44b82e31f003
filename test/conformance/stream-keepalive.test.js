// Conformance, the status stream's keep-alive (fal's "Stream request status": "The server sends a comment line every
// 15 seconds to keep the connection open"): comments on an idle stream, fal's client reading past them, and the two
// streams a node must tell apart: one alive but never saying a status (commentsOnly), one dead (silent).
'use strict';

const { startEmulator } = require('../emulator');
const { resolveOptions } = require('../emulator/options');
const { KEEP_ALIVE } = require('../emulator/stream');
const { ENDPOINT, KEY, falClientFor, auth, submitDirect, waitFor, waitEnded } = require('./helpers');

/** Reads a response body as it comes: `state.text` grows, `state.done` once it ends. */
function follow(res) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const state = { text: '', done: false };
  (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ done: true }));
      if (done) {
        state.done = true;
        return;
      }
      state.text += decoder.decode(value, { stream: true });
    }
  })();
  return { state, stop: () => reader.cancel().catch(() => {}) };
}

const COMMENT = KEEP_ALIVE.toString();
const comments = (text) => text.split(COMMENT).length - 1;
const open = (emu, body) => fetch(`${body.status_url}/stream`, { headers: { ...auth(), accept: 'text/event-stream' } });

test('fal\'s figure is the default: a comment every 15 s; 0 turns it off', () => {
  expect(resolveOptions({}).streamKeepAliveMs).toBe(15000);
  expect(resolveOptions({ streamKeepAliveMs: 0 }).streamKeepAliveMs).toBe(0);
  expect(() => resolveOptions({ streamKeepAliveMs: -1 })).toThrow(/streamKeepAliveMs/);
  expect(COMMENT).toMatch(/^: .*\n\n$/); // an SSE comment line, then the blank line
});

describe('an idle stream', () => {
  let emu;
  beforeAll(async () => {
    emu = await startEmulator({ apiKey: KEY, queueMs: 60000, streamKeepAliveMs: 20 });
  });
  afterAll(() => emu.close());

  test('sends comments while nothing changes, then COMPLETED, and ends', async () => {
    const { body } = await submitDirect(emu);
    const s = follow(await open(emu, body));
    await waitFor(() => comments(s.state.text) >= 3, 'three keep-alive comments');
    expect(s.state.text.replaceAll(COMMENT, '')).toBe(''); // nothing but comments while the job waits
    await fetch(body.cancel_url, { method: 'PUT', headers: auth() });
    await waitFor(() => s.state.done, 'the stream to end');
    const events = s.state.text.split('\n\n').filter((f) => f && !f.startsWith(':'));
    expect(events.map((e) => JSON.parse(e.slice('data: '.length)).status)).toEqual(['COMPLETED']);
  });
});

test('fal\'s client reads past the comments: its events are the statuses alone, no error', async () => {
  const emu = await startEmulator({ apiKey: KEY, queueMs: 50, progressMs: 200, streamKeepAliveMs: 5, streamFirstEvent: 'at-once' });
  try {
    const fal = falClientFor(emu);
    const { request_id: id } = await fal.queue.submit(ENDPOINT, { input: { prompt: 'x', image_url: `${emu.url}/_samples/frame.jpg` } });
    const raw = follow(await fetch(`${emu.url}/fal-ai/minimax/requests/${id}/status/stream`, { headers: auth() }));
    const stream = await fal.queue.streamStatus(ENDPOINT, { requestId: id });
    const events = [];
    const errors = [];
    stream.on('data', (d) => events.push(d.status));
    stream.on('error', (e) => errors.push(e));
    const last = await stream.done();
    await waitFor(() => raw.state.done, 'the raw stream to end');
    expect(comments(raw.state.text)).toBeGreaterThan(0); // the comments were there to read past
    expect(last.status).toBe('COMPLETED');
    expect(events.at(-1)).toBe('COMPLETED');
    expect(events.every((s) => ['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED'].includes(s))).toBe(true);
    expect(errors).toEqual([]);
  } finally {
    await emu.close();
  }
});

describe('alive but silent about the status, and dead', () => {
  let emu;
  beforeAll(async () => {
    emu = await startEmulator({ apiKey: KEY, queueMs: 10, progressMs: 200, streamKeepAliveMs: 10 });
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  test('commentsOnly keeps sending comments after the job has ended, never an event; silent sends nothing at all', async () => {
    const { body } = await submitDirect(emu);
    emu.fault([{ route: 'stream', commentsOnly: true }, { route: 'stream', silent: true }]);
    const alive = follow(await open(emu, body));
    const dead = follow(await open(emu, body));
    await waitEnded(emu, body.request_id);
    const atEnd = comments(alive.state.text);
    await waitFor(() => comments(alive.state.text) >= atEnd + 3, 'comments after the job ended');
    expect(alive.state.text.replaceAll(COMMENT, '')).toBe('');
    expect([alive.state.done, dead.state.done, dead.state.text]).toEqual([false, false, '']);
    expect(emu.calls.filter((c) => c.route === 'stream').map((c) => c.fault)).toEqual(['commentsOnly', 'silent']);
    alive.stop();
    dead.stop();
  });

  test('a stalled stream stops its comments too (a stall is silence), while a sound one goes on', async () => {
    const at = await startEmulator({ apiKey: KEY, queueMs: 0, progressMs: 60000, streamKeepAliveMs: 10, streamFirstEvent: 'at-once' });
    try {
      const { body } = await submitDirect(at);
      at.fault({ route: 'stream', stallAfterBytes: 10 });
      const stalled = follow(await open(at, body));
      const sound = follow(await open(at, body));
      await waitFor(() => stalled.state.text.includes('data: '), 'the stalled stream\'s first bytes');
      const cut = stalled.state.text;
      expect(cut).toBe('data: {"st'); // 10 bytes of the first event, sent at once
      const soundAt = comments(sound.state.text);
      await waitFor(() => comments(sound.state.text) >= soundAt + 3, 'the sound stream\'s comments');
      expect(sound.state.text.startsWith('data: {"status"')).toBe(true);
      expect([stalled.state.text, stalled.state.done, sound.state.done]).toEqual([cut, false, false]);
      stalled.stop();
      sound.stop();
    } finally {
      await at.close();
    }
  });
});
