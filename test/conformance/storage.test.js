// Conformance, files: fal storage uploads (initiate + signed PUT, multipart), and the CDN that serves the video:
// Range requests, a resume after a cut, stalls, pacing, and the padded large video.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startEmulator } = require('../emulator');
const {
  ENDPOINT, KEY, PNG, JPG, MP4, falClientFor, jsonHeaders, goodInput, submitDirect, waitEnded, mp4Boxes, readAtLeast,
} = require('./helpers');

describe('fal storage', () => {
  let emu;
  let fal;
  beforeAll(async () => {
    emu = await startEmulator({ apiKey: KEY, queueMs: 10, progressMs: 20 });
    fal = falClientFor(emu);
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  test('storage.upload(Blob) stores the bytes; file_url serves them back; the signed PUT carries no key', async () => {
    const url = await fal.storage.upload(new Blob([PNG], { type: 'image/png' }));
    expect(url.startsWith(`${emu.url}/files/`)).toBe(true);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
    expect(emu.uploads.get(url)).toMatchObject({ contentType: 'image/png' });
    expect(emu.uploads.get(url).bytes.equals(PNG)).toBe(true);

    const initiate = emu.calls.find((c) => c.route === 'initiate');
    expect(initiate.path).toBe('/storage/upload/initiate');
    expect(initiate.query).toEqual({ storage_type: 'fal-cdn-v3' });
    expect(initiate.body).toMatchObject({ content_type: 'image/png' });
    expect(initiate.body.file_name).toMatch(/\.png$/);
    const put = emu.calls.find((c) => c.route === 'upload');
    expect(put.method).toBe('PUT');
    expect(put.headers.authorization).toBeUndefined();
    expect(emu.stats().uploads).toBe(1);
  });

  test('a Blob in the input is uploaded by the client and the job completes with it', async () => {
    const result = await fal.subscribe(ENDPOINT, {
      input: goodInput(emu, { image_url: new Blob([JPG], { type: 'image/jpeg' }) }),
      pollInterval: 20,
    });
    const job = emu.jobs.get(result.requestId);
    expect(job.status).toBe('COMPLETED');
    expect(job.error).toBeUndefined();
    expect(emu.uploads.get(job.input.image_url).bytes.equals(JPG)).toBe(true);
  });

  test('multipart upload (the path fal\'s client takes over 90 MB), driven directly with small parts', async () => {
    const init = await fetch(`${emu.url}/storage/upload/initiate-multipart?storage_type=fal-cdn-v3`, {
      method: 'POST',
      headers: jsonHeaders(),
      body: JSON.stringify({ content_type: 'image/jpeg', file_name: 'big.jpg' }),
    });
    const { upload_url: uploadUrl, file_url: fileUrl } = await init.json();
    const parts = [JPG.subarray(0, 1000), JPG.subarray(1000)];
    const etags = [];
    for (let i = 0; i < parts.length; i += 1) {
      const r = await fetch(`${uploadUrl}/${i + 1}`, { method: 'PUT', body: parts[i] });
      const j = await r.json();
      expect(j.partNumber).toBe(i + 1);
      etags.push(j);
    }
    const done = await fetch(`${uploadUrl}/complete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ parts: etags }) });
    expect(done.status).toBe(200);
    const back = await fetch(fileUrl);
    expect(back.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await back.arrayBuffer()).equals(JPG)).toBe(true);
  });

  test('file faults: cut and stall a stored file\'s body', async () => {
    const url = await fal.storage.upload(new Blob([PNG], { type: 'image/png' }));
    emu.fault({ route: 'file', cutAfterBytes: 100 });
    await expect((await fetch(url)).arrayBuffer()).rejects.toThrow();
    emu.fault({ route: 'file', stallAfterBytes: 100 });
    const ctl = new AbortController();
    const res = await fetch(url, { signal: ctl.signal });
    const { got } = await readAtLeast(res, 100);
    expect(got.equals(PNG.subarray(0, 100))).toBe(true);
    ctl.abort();
    expect(emu.calls.filter((c) => c.route === 'file').map((c) => c.fault)).toEqual(['cut', 'stall']);
  });
});

describe('the CDN', () => {
  let emu;
  let video;
  let id;
  beforeAll(async () => {
    emu = await startEmulator({ queueMs: 0, progressMs: 0 });
    const { body } = await submitDirect(emu);
    id = body.request_id;
    await waitEnded(emu, id);
    video = `${emu.url}/cdn/${id}/output.mp4`;
  });
  afterAll(() => emu.close());
  beforeEach(() => {
    emu.calls.length = 0; // keeps the finished job
  });

  test('the result video is a real MP4: the fixture, ftyp first and moov before mdat (faststart)', async () => {
    const before = emu.stats().downloads;
    const res = await fetch(video);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('x-fal-request-id')).toBe(id);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.equals(MP4)).toBe(true);
    const types = mp4Boxes(bytes).map((b) => b.type);
    expect(types[0]).toBe('ftyp');
    expect(types.indexOf('moov')).toBeLessThan(types.indexOf('mdat'));
    expect(MP4.length).toBeGreaterThan(50_000); // seconds of moving pictures, not a near-empty file
    expect(MP4.length).toBeLessThan(200_000);
    expect(emu.stats().downloads).toBe(before + 1);
  });

  test('Range requests: 206 with Content-Range, 416 past the end, HEAD; unknown files 404', async () => {
    const part = await fetch(video, { headers: { range: 'bytes=4-7' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 4-7/${MP4.length}`);
    expect(part.headers.get('content-length')).toBe('4');
    expect(part.headers.get('x-fal-request-id')).toBe(id);
    expect(Buffer.from(await part.arrayBuffer()).toString('latin1')).toBe('ftyp');
    const suffix = await fetch(video, { headers: { range: 'bytes=-10' } });
    expect(Buffer.from(await suffix.arrayBuffer()).equals(MP4.subarray(MP4.length - 10))).toBe(true);
    const past = await fetch(video, { headers: { range: `bytes=${MP4.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${MP4.length}`);
    const head = await fetch(video, { method: 'HEAD' });
    expect(head.headers.get('accept-ranges')).toBe('bytes');
    expect(head.headers.get('content-length')).toBe(String(MP4.length));
    expect((await fetch(`${emu.url}/cdn/unknown-id/output.mp4`)).status).toBe(404);
  });

  test('a download cut after N bytes, resumed with Range: bytes=N-, gives the exact file; stats count both', async () => {
    const before = emu.stats();
    emu.fault({ route: 'cdn', cutAfterBytes: 1000 });
    const res = await fetch(video);
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBe(MP4.length);
    const reader = res.body.getReader();
    const got = [];
    await expect((async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        got.push(Buffer.from(value));
      }
    })()).rejects.toThrow();
    const head = Buffer.concat(got);
    expect(head.length).toBe(1000);
    const rest = await fetch(video, { headers: { range: `bytes=${head.length}-`, 'if-range': res.headers.get('etag') } });
    expect(rest.status).toBe(206);
    expect(rest.headers.get('content-range')).toBe(`bytes 1000-${MP4.length - 1}/${MP4.length}`);
    expect(Buffer.concat([head, Buffer.from(await rest.arrayBuffer())]).equals(MP4)).toBe(true);
    expect(emu.stats().downloads - before.downloads).toBe(2);
    expect(emu.stats().rangeDownloads - before.rangeDownloads).toBe(1);
    expect(emu.calls.filter((c) => c.route === 'cdn').map((c) => [c.status, c.fault])).toStrictEqual([[200, 'cut'], [206, undefined]]);
  });

  test('a stalled download: N bytes, then nothing, with the socket left open until the client gives up', async () => {
    emu.fault({ route: 'cdn', stallAfterBytes: 2048 });
    const ctl = new AbortController();
    const res = await fetch(video, { signal: ctl.signal });
    const { got, reader } = await readAtLeast(res, 2048);
    expect(got.equals(MP4.subarray(0, 2048))).toBe(true);
    // the next read never completes on its own: it is still pending when the client aborts
    const next = reader.read();
    const outcome = await Promise.race([next.then(() => 'data', () => 'error'), new Promise((r) => setTimeout(() => r('pending'), 200))]);
    expect(outcome).toBe('pending');
    ctl.abort();
    await expect(next).rejects.toThrow();
    expect(emu.calls.find((c) => c.route === 'cdn')).toMatchObject({ status: 200, fault: 'stall' });
  });

  test('a wrong If-Range gets the whole file (200), not a mismatched part', async () => {
    const res = await fetch(video, { headers: { range: 'bytes=100-', 'if-range': '"something-else"' } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(MP4)).toBe(true);
  });
});

describe('cdnBytesPerSec paces downloads', () => {
  test('a paced download is byte-identical and no faster than the rate allows', async () => {
    const emu = await startEmulator({ queueMs: 0, progressMs: 0, videoBytes: 600_000, cdnBytesPerSec: 2_000_000 });
    try {
      const { body } = await submitDirect(emu);
      await waitEnded(emu, body.request_id);
      const t0 = Date.now();
      const res = await fetch(`${emu.url}/cdn/${body.request_id}/output.mp4`);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.length).toBe(600_000);
      expect(bytes.subarray(0, MP4.length).equals(MP4)).toBe(true);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250); // 600 KB at 2 MB/s: 300 ms at least (a lower bound)
    } finally {
      await emu.close();
    }
  });
});

describe('a large video (videoBytes)', () => {
  const SIZE = 5 * 1024 * 1024 + 123;
  let emu;
  beforeAll(async () => {
    emu = await startEmulator({ queueMs: 10, progressMs: 10, videoBytes: SIZE });
  });
  afterAll(() => emu.close());

  test('content-length matches, and the padded stream is a valid MP4 ending in one free box', async () => {
    const fal = falClientFor(emu);
    const { data } = await fal.subscribe(ENDPOINT, { input: goodInput(emu), pollInterval: 10 });
    expect(data.video.file_size).toBe(SIZE);
    const res = await fetch(data.video.url);
    expect(res.headers.get('content-length')).toBe(String(SIZE));
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBe(SIZE);
    expect(bytes.subarray(0, MP4.length).equals(MP4)).toBe(true);
    const boxes = mp4Boxes(bytes);
    const last = boxes[boxes.length - 1];
    expect(last).toEqual({ type: 'free', start: MP4.length, size: SIZE - MP4.length });
    expect(boxes.map((b) => b.type)).toEqual([...mp4Boxes(MP4).map((b) => b.type), 'free']);
    // a range across the fixture/padding boundary
    const cross = await fetch(data.video.url, { headers: { range: `bytes=${MP4.length - 2}-${MP4.length + 9}` } });
    const got = Buffer.from(await cross.arrayBuffer());
    expect(got.equals(bytes.subarray(MP4.length - 2, MP4.length + 10))).toBe(true);
    // resumed from the middle of the padding
    const mid = 3 * 1024 * 1024;
    const rest = await fetch(data.video.url, { headers: { range: `bytes=${mid}-` } });
    expect(rest.status).toBe(206);
    expect(Buffer.from(await rest.arrayBuffer()).equals(bytes.subarray(mid))).toBe(true);
  });

  // ffprobe is not a dependency: where it is installed (apt-get install ffmpeg), it checks the padded file decodes
  const hasFfprobe = spawnSync('ffprobe', ['-version']).status === 0;
  (hasFfprobe ? test : test.skip)('ffprobe reads the padded video: H.264, 432x768, 72 frames, 3 s', async () => {
    const { body } = await submitDirect(emu);
    await waitEnded(emu, body.request_id);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'emu-')), 'padded.mp4');
    fs.writeFileSync(file, Buffer.from(await (await fetch(`${emu.url}/cdn/${body.request_id}/output.mp4`)).arrayBuffer()));
    const probe = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries',
      'stream=codec_name,pix_fmt,width,height,nb_read_frames:format=duration,size', '-of', 'json', file], { encoding: 'utf8' });
    expect(probe.stderr).toBe('');
    const info = JSON.parse(probe.stdout);
    expect(info.streams).toEqual([{ codec_name: 'h264', pix_fmt: 'yuv420p', width: 432, height: 768, nb_read_frames: '72' }]);
    expect(info.format).toEqual({ duration: '3.000000', size: String(SIZE) });
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  test('a videoBytes too small for a free box is refused', async () => {
    await expect(startEmulator({ videoBytes: MP4.length + 3 })).rejects.toThrow(RangeError);
  });
});
