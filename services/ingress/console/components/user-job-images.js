import { html } from '../lib/html.js';

/**
 * A succeeded job's image URLs, freshly presigned by the API: an images body's `data`, or, for a
 * chat job, the images of its chat completion's messages. None before success or once expired.
 */
export function imageUrlsOf(job) {
  const result = job.result;
  if (!result) return [];
  const urls =
    result.object === 'chat.completion'
      ? (result.choices ?? []).flatMap((choice) => (choice.message?.images ?? []).map((image) => image.image_url?.url))
      : (result.data ?? []).map((item) => item.url);
  return urls.filter((url) => typeof url === 'string');
}

/** What the job was asked for, in a line: the prompt (a chat job's is its last user message). */
export function promptOf(job) {
  return typeof job.request?.prompt === 'string' ? job.request.prompt : '';
}

const PLACEHOLDER = { queued: '…', in_progress: '◌', failed: '✕', canceled: '–' };

/** The job's first image, small (with how many there are when more than one); a placeholder saying why there is none. */
export function JobThumb({ job, url, count = 1 }) {
  if (url === undefined) {
    const glyph = job.images_expired_at ? '⌛' : (PLACEHOLDER[job.status] ?? '·');
    return html`<div class=${`thumb thumb-empty status-${job.status}`} aria-hidden="true">${glyph}</div>`;
  }
  return html`<div class="thumb-frame">
    <img class="thumb" src=${url} alt=${`First image of ${job.id}`} loading="lazy" />
    ${count > 1 && html`<span class="thumb-count" title=${`${count} images`}>×${count}</span>`}
  </div>`;
}
