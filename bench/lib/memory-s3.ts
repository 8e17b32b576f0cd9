/**
 * A minimal S3 stand-in for benchmarks: objects in memory, path-style, no signature checks, just
 * the operations imagegate's object store uses (bucket head/create/delete, object put/get/head,
 * ListObjectsV2, DeleteObjects). s3rver writes every object to disk and hashes it, and on the
 * 2-core bench machine it saturates below 100 PUTs/s of 1 MiB: the hot-path figures would measure
 * s3rver. This answers a PUT for the cost of receiving its bytes, the way the OpenAI emulator
 * stands in for OpenAI. Not for tests: those run against s3rver, a real S3 implementation.
 * `DELETE /__bench/objects` (no S3 operation) empties every bucket.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StoredObject {
  body: Buffer;
  contentType: string;
  etag: string;
}

/** `DELETE` here empties every bucket (the benchmark's own call, between passes). */
export const CLEAR_PATH = '/__bench/objects';

export interface MemoryS3 {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  close(): Promise<void>;
}

export async function startMemoryS3(): Promise<MemoryS3> {
  const buckets = new Map<string, Map<string, StoredObject>>();
  let etags = 0;

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://s3');
    const [, bucketName = '', ...keyParts] = url.pathname.split('/');
    const key = decodeURIComponent(keyParts.join('/'));
    const bucket = buckets.get(bucketName);
    const method = request.method ?? 'GET';
    void handle().catch((error: unknown) => fail(response, 500, 'InternalError', String(error)));

    async function handle(): Promise<void> {
      // Not S3: the figures drop every object between passes, so a long run's images do not pile up.
      if (url.pathname === CLEAR_PATH && method === 'DELETE') {
        for (const objects of buckets.values()) objects.clear();
        return void response.writeHead(204).end();
      }
      if (key === '') {
        if (method === 'PUT') {
          await drain(request);
          if (!bucket) buckets.set(bucketName, new Map());
          return void response.writeHead(200, { location: `/${bucketName}` }).end();
        }
        if (!bucket) return fail(response, 404, 'NoSuchBucket', bucketName);
        if (method === 'HEAD') return void response.writeHead(200).end();
        if (method === 'DELETE') {
          buckets.delete(bucketName);
          return void response.writeHead(204).end();
        }
        if (method === 'GET' && url.searchParams.get('list-type') === '2') return listObjects(response, bucket, url);
        if (method === 'POST' && url.searchParams.has('delete')) {
          const body = (await readBody(request)).toString();
          for (const match of body.matchAll(/<Key>([^<]*)<\/Key>/g)) bucket.delete(unescapeXml(match[1] ?? ''));
          return xml(response, '<DeleteResult></DeleteResult>');
        }
        return fail(response, 405, 'MethodNotAllowed', method);
      }
      if (!bucket) return fail(response, 404, 'NoSuchBucket', bucketName);
      if (method === 'PUT') {
        const body = await readBody(request);
        const etag = `"${(++etags).toString(16).padStart(32, '0')}"`;
        bucket.set(key, {
          body,
          contentType: request.headers['content-type'] ?? 'application/octet-stream',
          etag,
        });
        return void response.writeHead(200, { etag }).end();
      }
      const object = bucket.get(key);
      if (!object) return fail(response, 404, 'NoSuchKey', key);
      const headers = {
        'content-type': object.contentType,
        'content-length': String(object.body.length),
        etag: object.etag,
        'last-modified': new Date().toUTCString(),
      };
      if (method === 'HEAD') return void response.writeHead(200, headers).end();
      if (method === 'GET') return void response.writeHead(200, headers).end(object.body);
      if (method === 'DELETE') {
        bucket.delete(key);
        return void response.writeHead(204).end();
      }
      return fail(response, 405, 'MethodNotAllowed', method);
    }
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accessKeyId: 'bench',
    secretAccessKey: randomBytes(16).toString('hex'),
    async close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function drain(request: IncomingMessage): Promise<void> {
  for await (const _chunk of request);
}

function listObjects(response: ServerResponse, bucket: Map<string, StoredObject>, url: URL): void {
  const prefix = url.searchParams.get('prefix') ?? '';
  const keys = [...bucket.keys()].filter((key) => key.startsWith(prefix)).sort();
  const contents = keys
    .map((key) => `<Contents><Key>${escapeXml(key)}</Key><Size>${bucket.get(key)?.body.length ?? 0}</Size></Contents>`)
    .join('');
  xml(
    response,
    `<ListBucketResult><Name>bench</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${keys.length}</KeyCount><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`,
  );
}

function xml(response: ServerResponse, body: string, status = 200): void {
  response
    .writeHead(status, { 'content-type': 'application/xml' })
    .end(`<?xml version="1.0" encoding="UTF-8"?>${body}`);
}

function fail(response: ServerResponse, status: number, code: string, message: string): void {
  if (response.headersSent) return void response.destroy();
  xml(response, `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`, status);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function unescapeXml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
