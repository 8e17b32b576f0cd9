const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/svg+xml': 'svg',
};

/** The file extension of an image's media type (`bin` for one we do not know). */
export function extensionOf(mediaType: string): string {
  return EXTENSIONS[mediaType] ?? 'bin';
}

/** S3 key of image `index` of a job: rewriting it on a retry overwrites the same object. */
export function imageKey(jobId: string, index: number, mediaType: string): string {
  return `jobs/${jobId}/${index}.${extensionOf(mediaType)}`;
}
