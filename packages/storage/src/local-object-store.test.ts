import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalObjectStore, type LocalObjectStore } from './local-object-store.ts';
import { RangeNotSatisfiableError } from './range-not-satisfiable-error.ts';

const SECRET = 'x'.repeat(32);

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Every file under `dir`, relative, hidden ones included. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

describe('createLocalObjectStore', () => {
  let parent: string;
  let root: string;
  let store: LocalObjectStore;

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'imagegate-local-store-'));
    root = join(parent, 'images');
    store = createLocalObjectStore({ directory: root, publicBaseUrl: 'http://localhost:8080/', urlSecret: SECRET });
    await store.ensureBucket();
  });
  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('reads a file in chunks through one scratch buffer, and opens nothing until the first chunk', async () => {
    const body = randomBytes(200_000);
    await store.putObject('chunks/x.png', body, { contentType: 'image/png' });
    const scratch = Buffer.alloc(65_536);
    const seen: Buffer[] = [];
    for await (const chunk of await store.openChunks('chunks/x.png', scratch)) {
      expect(chunk.buffer).toBe(scratch.buffer); // a view of the scratch buffer, not a new allocation
      seen.push(Buffer.from(chunk));
    }
    expect(seen.map((chunk) => chunk.length)).toEqual([65_536, 65_536, 65_536, 3_392]);
    expect(Buffer.concat(seen).equals(body)).toBe(true);
    const unread = await store.openChunks('chunks/x.png', scratch);
    const descriptors = (await readdir('/proc/self/fd')).length;
    expect(unread).toBeDefined();
    expect((await readdir('/proc/self/fd')).length).toBe(descriptors);
    await expect(store.openChunks('chunks/none.png', scratch)).rejects.toMatchObject({ name: 'ObjectNotFoundError' });
    await expect(store.openChunks('chunks', scratch)).rejects.toMatchObject({ name: 'ObjectNotFoundError' });
    await store.deleteObjects(['chunks/x.png']);
  });

  it('keeps every key inside its directory, however the key is spelled', async () => {
    const keys = [
      '../escape.png',
      '../../etc/passwd',
      'a/../../b.png',
      './dot.png',
      '.hidden',
      '/leading//double-slash/',
      'odd/~!*()\'+=&?#@$,;:[]{}|^`"<>%.png',
      'emoji-🖼️.jpg',
      '.type.a.png',
      '.tmp.0123',
    ];
    for (const [i, key] of keys.entries()) {
      await store.putObject(key, Buffer.from([i]), { contentType: 'image/png' });
    }
    expect(await readdir(parent)).toEqual(['images']);
    for (const [i, key] of keys.entries()) {
      expect((await readAll((await store.getObjectStream(key)).stream)).equals(Buffer.from([i]))).toBe(true);
    }
    expect(await store.listKeys('')).toEqual([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    await store.deleteObjects(keys);
    expect(await store.listKeys('')).toEqual([]);
    // Empty directories go with their last object, as S3 has none.
    expect(await readdir(root)).toEqual([]);
  });

  it('writes files readable by the owner only and leaves no temporary files', async () => {
    await store.putObject('jobs/j/0.png', randomBytes(1000), { contentType: 'image/png' });
    await store.putObject('jobs/j/1.png', Readable.from([randomBytes(10)]), { contentType: 'image/png' });
    expect(((await stat(join(root, 'jobs/j/0.png'))).mode & 0o777).toString(8)).toBe('600');
    expect(((await stat(join(root, 'jobs'))).mode & 0o777).toString(8)).toBe('700');
    expect((await filesUnder(root)).sort()).toEqual([
      'jobs/j/.type.0.png',
      'jobs/j/.type.1.png',
      'jobs/j/0.png',
      'jobs/j/1.png',
    ]);
  });

  it('keeps the old object and no temporary file when an upload fails or is short', async () => {
    await store.putObject('fail/a.png', Buffer.from('old'), { contentType: 'image/png' });
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(store.putObject('fail/a.png', failing, { contentType: 'image/png' })).rejects.toThrow(/went away/);
    await expect(
      store.putObject('fail/a.png', Readable.from([Buffer.from('short')]), {
        contentType: 'image/png',
        contentLength: 9,
      }),
    ).rejects.toThrow(/contentLength/);
    expect((await readAll((await store.getObjectStream('fail/a.png')).stream)).toString()).toBe('old');
    expect((await filesUnder(join(root, 'fail'))).sort()).toEqual(['.type.a.png', 'a.png']);
  });

  it('gives readers the old or the new object during an overwrite, never a mix', async () => {
    const versions = [Buffer.alloc(512 * 1024, 1), Buffer.alloc(512 * 1024, 2)];
    await store.putObject('race/x.bin', versions[0] ?? Buffer.alloc(0), { contentType: 'application/octet-stream' });
    const writes = Array.from({ length: 20 }, (_, i) =>
      store.putObject('race/x.bin', versions[i % 2] ?? Buffer.alloc(0), { contentType: 'application/octet-stream' }),
    );
    const reads = Array.from({ length: 20 }, async () => {
      const got = await readAll((await store.getObjectStream('race/x.bin')).stream);
      return versions.some((version) => version.equals(got));
    });
    await Promise.all(writes);
    expect(await Promise.all(reads)).toEqual(Array(20).fill(true));
  });

  it('lets puts and deletes of neighbouring keys race without losing a put', async () => {
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        await store.putObject(`busy/d/${i}.png`, Buffer.from([i]), { contentType: 'image/png' });
        if (i % 2 === 0) await store.deleteObjects([`busy/d/${i}.png`]);
      }),
    );
    expect((await store.listKeys('busy/')).length).toBe(25);
  });

  it('reads suffix ranges and refuses ranges of an empty object', async () => {
    await store.putObject('r/ten', Buffer.from('0123456789'), { contentType: 'text/plain' });
    const last = await store.getObjectStream('r/ten', { range: { suffixLength: 3 } });
    expect([(await readAll(last.stream)).toString(), last.range]).toEqual(['789', { start: 7, end: 9 }]);
    const more = await store.getObjectStream('r/ten', { range: { suffixLength: 50 } });
    expect((await readAll(more.stream)).toString()).toBe('0123456789');
    await store.putObject('r/empty', Buffer.alloc(0), { contentType: 'text/plain' });
    await expect(store.getObjectStream('r/empty', { range: { start: 0 } })).rejects.toMatchObject({
      size: 0,
      constructor: RangeNotSatisfiableError,
    });
    expect((await store.getObjectStream('r/empty')).contentLength).toBe(0);
  });

  it('signs URLs under PUBLIC_BASE_URL that check out only unchanged and unexpired', () => {
    const now = new Date('2026-01-02T03:04:05Z');
    const url = store.presignGet('jobs/j/0.png', 60, now);
    expect(url.startsWith('http://localhost:8080/v1/images/files/')).toBe(true);
    const token = url.slice(url.lastIndexOf('/') + 1);
    expect(store.checkToken(token, now)).toEqual({
      ok: true,
      key: 'jobs/j/0.png',
      expiresAt: now.getTime() / 1000 + 60,
    });
    expect(store.checkToken(token, new Date(now.getTime() + 60_000))).toEqual({ ok: false, reason: 'expired' });
    const other = createLocalObjectStore({ directory: root, publicBaseUrl: 'http://x', urlSecret: 'y'.repeat(32) });
    expect(other.checkToken(token, now)).toEqual({ ok: false, reason: 'invalid' });
    for (let i = 0; i < token.length; i++) {
      const changed = `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
      expect(store.checkToken(changed, now).ok, changed).toBe(false);
    }
    expect(() => store.presignGet('k', 604_801)).toThrow(/ttlSeconds/);
    expect(() => store.presignGet('', 60)).toThrow(/empty/);
    expect(() => createLocalObjectStore({ directory: root, publicBaseUrl: 'http://x', urlSecret: 'short' })).toThrow(
      /at least 32/,
    );
  });
});
