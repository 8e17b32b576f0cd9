import { ApiError } from './api.js';
import { clearSession, readSession } from './session.js';

/**
 * The events of a `text/event-stream` body as `{event, data}` (data parsed as JSON), in order.
 * Comment lines (`: keep-alive`) are skipped; an event is dispatched at its blank line.
 */
export async function* serverSentEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = 'message';
  let data = [];
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end = buffer.search(/\r?\n/);
      while (end !== -1) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(buffer[end] === '\r' ? end + 2 : end + 1);
        if (line === '') {
          if (data.length > 0) yield { event, data: JSON.parse(data.join('\n')) };
          event = 'message';
          data = [];
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon === -1 ? line : line.slice(0, colon);
          const text = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event = text;
          else if (field === 'data') data.push(text);
        }
        end = buffer.search(/\r?\n/);
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * POSTs to the API and reads its answer as a stream of events. EventSource cannot send the
 * Authorization header, so this is fetch and the body's ReadableStream. A refusal (4xx/5xx, JSON)
 * throws ApiError before any event; `headers` of the stream's response are given to `onOpen`.
 */
export async function* postEventStream(path, { body, form, signal, onOpen }) {
  const headers = { Authorization: `Bearer ${readSession()?.token}`, Accept: 'text/event-stream' };
  const init = { method: 'POST', headers, signal };
  if (form !== undefined) init.body = form;
  else {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (!response.ok || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const text = await response.text();
    let parsed = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { error: { message: text.slice(0, 200) } };
    }
    // As api.js does: a 401 means the key no longer works, and the session ends.
    if (response.status === 401) clearSession();
    throw new ApiError(response.status, parsed, response.headers);
  }
  onOpen?.(response.headers);
  yield* serverSentEvents(response.body);
}
