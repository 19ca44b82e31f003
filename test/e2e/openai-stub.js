// @ts-check
'use strict';

/**
 * A local OpenAI-compatible chat model for n8n's OpenAI Chat Model node (a credential whose Base URL is this stub's
 * `/v1`), scripted to drive an AI Agent through one tool: test tooling, plain node:http on 127.0.0.1.
 *
 * POST /v1/chat/completions: while the conversation's last message is not a tool's answer, it answers with a call to
 * the offered tool whose name matches `tool` (`calls` calls in one message, default 1), its arguments `args` (every
 * other property of the tool's schema gets a fixed string); once the tool's answer (or error) is the last message, it
 * answers a final text that quotes the tool's answers. It answers in JSON, or as server-sent chunks when the request
 * asks `stream: true` (with a usage chunk when `stream_options.include_usage`). GET /v1/models lists one model.
 * Anything else: 404. Every request is recorded (`requests`: method, path, body, what was answered; never a header
 * value).
 */

const http = require('node:http');

const MODEL = 'stub-chat-model';

/**
 * @typedef {{ at: number, method: string, path: string, body: any, authorized: boolean, answer: string,
 *   toolCalls?: { id: string, name: string, arguments: any }[] }} StubRequest
 */

/**
 * @param {{ tool?: RegExp, args?: Record<string, unknown>, calls?: number, finalText?: string }} [o]
 */
async function startOpenAiStub({ tool = /hailuo/i, args = {}, calls = 1, finalText = 'The tool answered:' } = {}) {
  /** @type {StubRequest[]} */
  const requests = [];
  let callSeq = 0;
  const script = { tool, args, calls, finalText };

  const server = http.createServer((req, res) => {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const url = new URL(req.url || '/', 'http://127.0.0.1');
      /** @type {StubRequest} */
      const record = { at: Date.now(), method: req.method || '', path: url.pathname, body, authorized: !!req.headers.authorization, answer: '' };
      requests.push(record);
      try {
        route(record, res);
      } catch (e) {
        record.answer = `500 ${e instanceof Error ? e.message : String(e)}`;
        json(res, 500, { error: { message: record.answer, type: 'stub_error' } });
      }
    });
  });

  /** @param {StubRequest} record @param {http.ServerResponse} res */
  function route(record, res) {
    const p = record.path.replace(/\/+$/, '');
    if (record.method === 'GET' && p === '/v1/models') {
      record.answer = 'models';
      return json(res, 200, { object: 'list', data: [{ id: MODEL, object: 'model', created: 0, owned_by: 'stub' }] });
    }
    if (record.method === 'POST' && p === '/v1/chat/completions') return completion(record, res);
    record.answer = '404';
    return json(res, 404, { error: { message: `the stub has no ${record.method} ${record.path}`, type: 'invalid_request_error' } });
  }

  /** @param {StubRequest} record @param {http.ServerResponse} res */
  function completion(record, res) {
    const body = record.body || {};
    const messages = Array.isArray(body.messages) ? body.messages : [];
    const last = messages[messages.length - 1];
    /** @type {any} */
    let message;
    let finish;
    if (last && last.role === 'tool') {
      // The tool's answers since the last assistant message, quoted in the final answer.
      const answers = [];
      for (let i = messages.length - 1; i >= 0 && messages[i].role === 'tool'; i--) answers.unshift(contentText(messages[i].content));
      message = { role: 'assistant', content: `${script.finalText} ${answers.join(' | ')}` };
      finish = 'stop';
      record.answer = 'final';
    } else {
      const offered = (Array.isArray(body.tools) ? body.tools : []).map((t) => t.function || t).filter((f) => f && f.name);
      const fn = offered.find((f) => script.tool.test(f.name));
      if (!fn) {
        message = { role: 'assistant', content: `no tool matching ${script.tool} among: ${offered.map((f) => f.name).join(', ')}` };
        finish = 'stop';
        record.answer = 'no-tool';
      } else {
        const props = Object.keys(fn.parameters?.properties || {});
        const callArgs = Object.fromEntries(props.map((k) => [k, k in script.args ? script.args[k] : `fixed ${k}`]));
        for (const [k, v] of Object.entries(script.args)) if (!(k in callArgs)) callArgs[k] = v;
        const toolCalls = Array.from({ length: script.calls }, () => ({
          id: `call_stub_${++callSeq}`,
          type: 'function',
          function: { name: fn.name, arguments: JSON.stringify(callArgs) },
        }));
        message = { role: 'assistant', content: null, tool_calls: toolCalls };
        finish = 'tool_calls';
        record.answer = 'tool-call';
        record.toolCalls = toolCalls.map((c) => ({ id: c.id, name: c.function.name, arguments: callArgs }));
      }
    }
    const id = `chatcmpl-stub-${requests.length}`;
    const created = Math.floor(Date.now() / 1000);
    const model = String(body.model || MODEL);
    const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
    if (body.stream !== true) {
      return json(res, 200, { id, object: 'chat.completion', created, model, choices: [{ index: 0, message, logprobs: null, finish_reason: finish }], usage });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (/** @type {any[]} */ choices, /** @type {any} */ extra = {}) =>
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...extra })}\n\n`);
    if (message.tool_calls) {
      send([{ index: 0, delta: { role: 'assistant', content: null }, finish_reason: null }]);
      message.tool_calls.forEach((/** @type {any} */ c, /** @type {number} */ index) => {
        send([{ index: 0, delta: { tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.function.name, arguments: '' } }] }, finish_reason: null }]);
        send([{ index: 0, delta: { tool_calls: [{ index, function: { arguments: c.function.arguments } }] }, finish_reason: null }]);
      });
    } else {
      send([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
      send([{ index: 0, delta: { content: message.content }, finish_reason: null }]);
    }
    send([{ index: 0, delta: {}, finish_reason: finish }]);
    if (body.stream_options?.include_usage) send([], { usage });
    res.end('data: [DONE]\n\n');
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(undefined));
  });
  // Never what keeps the test's process alive.
  server.unref();
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const origin = `http://127.0.0.1:${address.port}`;
  return {
    origin,
    /** What an OpenAI credential's Base URL is set to. */
    baseUrl: `${origin}/v1`,
    model: MODEL,
    requests,
    /** The chat completions asked, in order. */
    completions: () => requests.filter((r) => r.path.replace(/\/+$/, '') === '/v1/chat/completions'),
    /** Changes the script (tool, args, calls, finalText) for the next requests. @param {Partial<typeof script>} s */
    set: (s) => Object.assign(script, s),
    reset: () => {
      requests.length = 0;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}

/** A message's content as text (a string, or OpenAI's list of parts). @param {unknown} content */
function contentText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p === 'string' ? p : p?.text ?? '')).join('');
  return JSON.stringify(content ?? '');
}

/** @param {http.ServerResponse} res @param {number} status @param {unknown} body */
function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

module.exports = { startOpenAiStub };
