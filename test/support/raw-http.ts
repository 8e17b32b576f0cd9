import { Socket } from 'node:net';

/** One HTTP/1.x answer read off a raw connection. */
export interface RawAnswer {
  status: number;
  contentType: string;
  requestId: string | null;
  /** Header names lower-cased. */
  headers: ReadonlyMap<string, string>;
  text: string;
  /** Ms after the connection opened that the answer was complete. */
  atMs: number;
}

/** Every complete `HTTP/1.x NNN` answer in `text` (Content-Length framed), in order. */
export function parseRawAnswers(text: string, atMs = 0): RawAnswer[] {
  const answers: RawAnswer[] = [];
  let rest = text;
  for (;;) {
    const match = /^HTTP\/1\.[01] (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n/.exec(rest);
    if (match === null) return answers;
    const headers = new Map(
      (match[2] ?? '').split('\r\n').map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const;
      }),
    );
    const length = Number(headers.get('content-length') ?? 0);
    const bodyStart = match[0].length;
    if (rest.length < bodyStart + length) return answers;
    answers.push({
      status: Number(match[1]),
      contentType: headers.get('content-type') ?? '',
      requestId: headers.get('x-request-id') ?? null,
      headers,
      text: rest.slice(bodyStart, bodyStart + length),
      atMs,
    });
    rest = rest.slice(bodyStart + length);
  }
}

/** A raw TCP connection to an HTTP server, for what fetch will not do (slow bodies, lies, pipelining). */
export interface RawConnection {
  write(bytes: string | Uint8Array): void;
  /** Ends the sending side (the server sees EOF). */
  endWrites(): void;
  /** The answers complete so far. */
  answers(): RawAnswer[];
  /** Waits until `count` answers are complete, or the connection closes, or `timeoutMs` passes. */
  waitForAnswers(count: number, timeoutMs: number): Promise<RawAnswer[]>;
  /** Resolves with the ms after opening at which the server closed the connection. */
  closed: Promise<number>;
  isClosed(): boolean;
  destroy(): void;
}

export function openRawConnection(url: string): Promise<RawConnection> {
  const { port, hostname } = new URL(url);
  const socket = new Socket();
  const openedAt = Date.now();
  let received = '';
  let parsed: RawAnswer[] = [];
  let closedFlag = false;
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of listeners) listener();
  };
  const closed = new Promise<number>((resolve) => {
    socket.on('close', () => {
      closedFlag = true;
      resolve(Date.now() - openedAt);
      changed();
    });
  });
  socket.on('error', () => {});
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    const now = Date.now() - openedAt;
    const all = parseRawAnswers(received, now);
    parsed = all.map((answer, index) => parsed[index] ?? answer);
    changed();
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(Number(port), hostname, () => {
      resolve({
        write: (bytes) => {
          if (!socket.destroyed) socket.write(bytes);
        },
        endWrites: () => socket.end(),
        answers: () => parsed,
        waitForAnswers: (count, timeoutMs) =>
          new Promise((done) => {
            const check = () => {
              if (parsed.length < count && !closedFlag) return;
              finish();
            };
            const finish = () => {
              clearTimeout(timer);
              listeners.delete(check);
              done(parsed);
            };
            const timer = setTimeout(finish, timeoutMs);
            listeners.add(check);
            check();
          }),
        closed,
        isClosed: () => closedFlag,
        destroy: () => socket.destroy(),
      });
    });
  });
}
