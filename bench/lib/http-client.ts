import { Agent, request } from 'node:http';

/** A keep-alive agent for the load generator (global fetch collapses at high rates, docs/benchmarks.md). */
export function createAgent(maxSockets = 256): Agent {
  return new Agent({ keepAlive: true, maxSockets });
}

/**
 * POSTs `body` as JSON and reads the whole answer; resolves with the status and the bytes received.
 * Rejects only on transport errors.
 */
export function postJson(
  agent: Agent,
  url: URL,
  body: string | Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const call = request(
      url,
      {
        agent,
        method: 'POST',
        // A caller sending another body (multipart) names its type in `headers`.
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
      },
      (response) => {
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes }));
        response.on('error', reject);
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}
