// Conformance, the model reads the image: the runner fetches every image_url for real when a job starts (any host,
// or a data: URI) and fails the job with fal's 422 when it cannot, or when the image is outside the model's limits.
// Also the sample image host (/_samples/...) that serves images of every kind for these cases.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ValidationError } = require('@fal-ai/client');
const { startEmulator } = require('../emulator');
const { sniffImage } = require('../emulator/image');
const { ENDPOINT, KEY, PNG, JPG, falClientFor, auth, goodInput, submitDirect, waitEnded } = require('./helpers');

let emu;
let fal;
beforeAll(async () => {
  emu = await startEmulator({ apiKey: KEY, queueMs: 5, progressMs: 5, imageFetchTimeoutMs: 3000 });
  fal = falClientFor(emu);
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

/** Submits with this image_url, waits for the end, and returns the job and the result's 422 detail (if any). */
async function runWith(imageUrl) {
  const { request_id: id } = await fal.queue.submit(ENDPOINT, { input: goodInput(emu, { image_url: imageUrl }) });
  const job = await waitEnded(emu, id);
  const err = await fal.queue.result(ENDPOINT, { requestId: id }).then(() => null, (e) => e);
  return { id, job, err, detail: err && err.body && err.body.detail && err.body.detail[0] };
}

describe('images the model takes', () => {
  test.each([
    ['frame.jpg', 'the JPEG fixture'],
    ['frame.png', 'the PNG fixture'],
    ['png/301x301.png', 'a short side just over 300 px'],
    ['jpeg/1280x720.jpg', 'a generated JPEG'],
    ['webp/768x1344.webp', 'a lossless WebP'],
  ])('%s (%s) is read by the runner and the job completes', async (name) => {
    const { job, err } = await runWith(`${emu.url}/_samples/${name}`);
    expect(err).toBeNull();
    expect(job).toMatchObject({ status: 'COMPLETED', billed: true });
    const read = emu.calls.filter((c) => c.route === 'sample' && c.runner);
    expect(read).toHaveLength(1);
    expect(read[0]).toMatchObject({ method: 'GET', status: 200, path: `/_samples/${name}` });
    expect(job.inputsReadAt).toBeGreaterThanOrEqual(job.startedAt);
    expect(job.completedAt).toBeGreaterThanOrEqual(job.inputsReadAt);
  });

  test('an aspect ratio of exactly 2:5 and 5:2 passes', async () => {
    expect((await runWith(`${emu.url}/_samples/png/800x2000.png`)).err).toBeNull();
    expect((await runWith(`${emu.url}/_samples/jpeg/2000x800.jpg`)).err).toBeNull();
  });

  test('a data: URI is decoded, not fetched', async () => {
    const { job, err } = await runWith(`data:image/png;base64,${PNG.toString('base64')}`);
    expect(err).toBeNull();
    expect(job.status).toBe('COMPLETED');
    expect(emu.calls.some((c) => c.runner)).toBe(false);
  });

  test('an image uploaded to fal storage is read from its file_url', async () => {
    const url = await fal.storage.upload(new Blob([JPG], { type: 'image/jpeg' }));
    const { job, err } = await runWith(url);
    expect(err).toBeNull();
    expect(job.status).toBe('COMPLETED');
    expect(emu.calls.filter((c) => c.route === 'file' && c.runner).map((c) => c.status)).toEqual([200]);
  });

  test('a redirect to the image is followed', async () => {
    emu.fault({ route: 'sample', status: 302, headers: { location: '/_samples/frame.png' } });
    const { err } = await runWith(`${emu.url}/_samples/moved.png`);
    expect(err).toBeNull();
    expect(emu.calls.filter((c) => c.route === 'sample' && c.runner).map((c) => [c.path, c.status])).toEqual([
      ['/_samples/moved.png', 302],
      ['/_samples/frame.png', 200],
    ]);
  });

  test('a slow image: the job does not complete before the runner has read it', async () => {
    emu.fault({ route: 'sample', delayMs: 300 });
    const { job, err } = await runWith(`${emu.url}/_samples/frame.jpg`);
    expect(err).toBeNull();
    const read = emu.calls.find((c) => c.route === 'sample' && c.runner);
    expect(read.fault).toBe('delay');
    // progressMs is 5, yet the end waits for the image (a lower bound, set by the emulator's own delay)
    expect(job.completedAt - read.at).toBeGreaterThanOrEqual(295);
    expect(job.inputsReadAt).toBeLessThanOrEqual(job.completedAt);
  });
});

describe('images the model refuses: the job fails after queueing with a 422 in fal\'s detail shape', () => {
  test.each([
    ['png/100x100.png', 'image_too_small', /short side must be over 300 px \(got 100x100\)/],
    ['jpeg/300x600.jpg', 'image_too_small', /got 300x600/],
    ['webp/2000x300.webp', 'image_too_small', /got 2000x300/],
    ['png/2001x800.png', 'value_error', /aspect ratio must be between 2:5 and 5:2 \(got 2001x800\)/],
    ['jpeg/400x1001.jpg', 'value_error', /aspect ratio/],
    ['gif/640x480.gif', 'unsupported_image_format', /Unsupported image format: GIF/],
    ['truncated.png', 'image_load_error', /Failed to load the image/],
    ['big/21.png', 'file_too_large', /File size exceeds/],
    ['big/20.png', 'file_too_large', /File size exceeds/],
  ])('%s: %s', async (name, type, msg) => {
    const { id, job, err, detail } = await runWith(`${emu.url}/_samples/${name}`);
    expect(job).toMatchObject({ status: 'COMPLETED', errorType: type, billed: false });
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.status).toBe(422);
    expect(err.requestId).toBe(id);
    expect(detail).toMatchObject({ loc: ['body', 'image_url'], type, input: `${emu.url}/_samples/${name}`, url: `https://docs.fal.ai/errors#${type}` });
    expect(detail.msg).toMatch(msg);
    const status = await fal.queue.status(ENDPOINT, { requestId: id });
    expect(status).toMatchObject({ status: 'COMPLETED', error_type: type });
    expect(emu.stats()).toMatchObject({ failed: 1, completed: 0, billed: 0 });
  });

  test('a PNG just under 20 MB passes the size check', async () => {
    const { err } = await runWith(`${emu.url}/_samples/big/19.99.png`);
    expect(err).toBeNull();
  });

  test('a text file is not an image', async () => {
    const { detail } = await runWith(`data:text/plain,${encodeURIComponent('hello, not an image')}`);
    expect(detail).toMatchObject({ type: 'image_load_error' });
  });

  test.each([
    ['an unknown sample (404)', () => `${emu.url}/_samples/nope.png`, /HTTP 404/],
    ['a missing file on fal storage (404)', () => `${emu.url}/files/nope/missing.png`, /HTTP 404/],
    ['a refused connection', () => 'http://127.0.0.1:1/x.png', /ECONNREFUSED/],
    ['an external host (no network here)', () => 'https://example.invalid/first-frame.jpg', /ENOTFOUND|EAI_AGAIN/],
    ['a malformed data: URI', () => 'data:image/png;base64', /malformed data URI/],
    ['a scheme fal cannot fetch', () => 'ftp://example.invalid/x.png', /unsupported URL scheme/],
  ])('%s: file_download_error', async (what, url, reason) => {
    const { detail } = await runWith(url());
    expect(detail).toMatchObject({ type: 'file_download_error', loc: ['body', 'image_url'] });
    expect(detail.msg).toMatch(/^Failed to download the file/);
    expect(detail.msg).toMatch(reason);
  });

  test('faults on the image host fail the job: a 500, a reset, a cut body', async () => {
    for (const [fault, reason] of [
      [{ status: 500 }, /HTTP 500/],
      [{ reset: true }, /ECONNRESET|socket hang up/],
      [{ cutAfterBytes: 100 }, /closed before the end|aborted|ECONNRESET/],
    ]) {
      emu.reset();
      emu.fault({ route: 'sample', ...fault });
      const { detail } = await runWith(`${emu.url}/_samples/frame.png`);
      expect(detail.type).toBe('file_download_error');
      expect(detail.msg).toMatch(reason);
    }
  });

  test('a stalled image: the runner gives up after imageFetchTimeoutMs and the job fails', async () => {
    const quick = await startEmulator({ queueMs: 0, progressMs: 0, imageFetchTimeoutMs: 300 });
    try {
      quick.fault({ route: 'sample', stallAfterBytes: 50 });
      const { body } = await submitDirect(quick);
      const job = await waitEnded(quick, body.request_id);
      expect(job.errorType).toBe('file_download_error');
      expect(job.error).toMatch(/timed out/);
      expect(quick.calls.find((c) => c.route === 'sample')).toMatchObject({ fault: 'stall', runner: true });
    } finally {
      await quick.close();
    }
  });

  test('the other origin answers 200 {}: fetched, but not an image', async () => {
    const { detail } = await runWith(`${emu.otherUrl}/image.png`);
    expect(detail.type).toBe('image_load_error');
    expect(emu.otherCalls).toEqual([{ method: 'GET', path: '/image.png', authorization: false, at: expect.any(Number) }]);
  });
});

describe('the sample host', () => {
  test('generated images are valid files of the size asked (header sniffing, plus HEAD and Range)', async () => {
    for (const [name, format, type] of [
      ['png/640x360.png', 'png', 'image/png'],
      ['jpeg/641x359.jpg', 'jpeg', 'image/jpeg'],
      ['webp/500x700.webp', 'webp', 'image/webp'],
      ['gif/33x21.gif', 'gif', 'image/gif'],
    ]) {
      const res = await fetch(`${emu.url}/_samples/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('x-fal-request-id')).toBeTruthy();
      const bytes = Buffer.from(await res.arrayBuffer());
      const [w, h] = name.match(/(\d+)x(\d+)/).slice(1).map(Number);
      expect(sniffImage(bytes)).toEqual({ format, width: w, height: h });
      const head = await fetch(`${emu.url}/_samples/${name}`, { method: 'HEAD' });
      expect(head.headers.get('content-length')).toBe(String(bytes.length));
      const part = await fetch(`${emu.url}/_samples/${name}`, { headers: { range: 'bytes=1-3' } });
      expect(part.status).toBe(206);
      expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(1, 4))).toBe(true);
    }
    expect(sniffImage(Buffer.from(await (await fetch(`${emu.url}/_samples/truncated.png`)).arrayBuffer()))).toBeNull();
    expect(Buffer.from(await (await fetch(`${emu.url}/_samples/frame.png`)).arrayBuffer()).equals(PNG)).toBe(true);
  });

  // ffmpeg is not a dependency: where it is installed, it decodes every generated image to the size asked (and checks PNG CRCs)
  const hasFfmpeg = ['ffmpeg', 'ffprobe'].every((tool) => spawnSync(tool, ['-version']).status === 0);
  (hasFfmpeg ? test : test.skip)('ffmpeg decodes the generated images and the big PNG without an error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emu-img-'));
    try {
      for (const name of ['png/640x360.png', 'jpeg/641x359.jpg', 'webp/500x700.webp', 'gif/33x21.gif', 'big/1.png']) {
        const file = path.join(dir, name.replace('/', '-'));
        fs.writeFileSync(file, Buffer.from(await (await fetch(`${emu.url}/_samples/${name}`)).arrayBuffer()));
        const decode = spawnSync('ffmpeg', ['-v', 'error', '-err_detect', 'crccheck', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
        expect([name, decode.status, decode.stderr]).toEqual([name, 0, '']);
        const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file], { encoding: 'utf8' });
        const want = name.startsWith('big/') ? '512,768' : name.match(/(\d+)x(\d+)/).slice(1).join(',');
        expect([name, probe.stdout.trim()]).toEqual([name, want]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('big/<MB>.png is exactly that many MiB, a PNG, and ranges read its end', async () => {
    const url = `${emu.url}/_samples/big/3.5.png`;
    const size = 3.5 * 1024 * 1024;
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(size));
    const bytes = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(bytes.length).toBe(size);
    expect(sniffImage(bytes)).toEqual({ format: 'png', width: 512, height: 768 });
    // a well-formed PNG: chunks tile the file and it ends with IEND
    let pos = 8;
    const types = [];
    while (pos < bytes.length) {
      const len = bytes.readUInt32BE(pos);
      types.push(bytes.toString('latin1', pos + 4, pos + 8));
      pos += 12 + len;
    }
    expect(pos).toBe(bytes.length);
    expect(types).toEqual(['IHDR', 'PLTE', 'IDAT', 'emPd', 'IEND']);
    const tail = await fetch(url, { headers: { range: 'bytes=-12' } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(-12))).toBe(true);
  });

  test('unknown or out-of-range names are 404; the route takes faults', async () => {
    for (const name of ['nope.png', 'png/0x10.png', 'png/10x10.jpg', 'webp/20000x10.webp', 'big/500.png', 'gif/4000x4000.gif']) {
      expect((await fetch(`${emu.url}/_samples/${name}`)).status).toBe(404);
    }
    emu.fault({ route: 'sample', status: 503 });
    expect((await fetch(`${emu.url}/_samples/frame.png`)).status).toBe(503);
    expect((await fetch(`${emu.url}/_samples/frame.png`)).status).toBe(200);
  });

  test('no key is needed and none is recorded', async () => {
    const res = await fetch(`${emu.url}/_samples/frame.jpg`, { headers: auth() });
    expect(Buffer.from(await res.arrayBuffer()).equals(JPG)).toBe(true);
    expect(JSON.stringify(emu.calls)).not.toContain(KEY);
  });
});
