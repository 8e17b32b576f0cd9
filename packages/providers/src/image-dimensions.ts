/** Pixel dimensions of an encoded image. */
export interface ImageDimensions {
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Width and height from the header of a PNG, JPEG or WebP file, without decoding it; undefined
 * when the bytes are none of these or the header is truncated. Upstreams that size by aspect ratio
 * (BFL Kontext, Ultra) only tell the real dimensions through the image itself.
 */
export function readImageDimensions(bytes: Uint8Array): ImageDimensions | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (PNG_SIGNATURE.every((byte, index) => bytes[index] === byte)) return readPng(bytes, view);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return readJpeg(bytes, view);
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return readWebp(bytes, view);
  return undefined;
}

/** The first chunk must be IHDR: width and height are big-endian u32 right after its type. */
function readPng(bytes: Uint8Array, view: DataView): ImageDimensions | undefined {
  if (bytes.length < 24 || ascii(bytes, 12, 4) !== 'IHDR') return undefined;
  return positive(view.getUint32(16), view.getUint32(20));
}

/** Walks the marker segments to the first start-of-frame (SOF0–SOF15 except DHT, JPG and DAC). */
function readJpeg(bytes: Uint8Array, view: DataView): ImageDimensions | undefined {
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1] ?? 0;
    // Fill bytes before a marker, and markers without a length (TEM, RST0–7).
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return undefined;
    const length = view.getUint16(offset + 2);
    const isStartOfFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isStartOfFrame) {
      if (offset + 9 > bytes.length) return undefined;
      return positive(view.getUint16(offset + 7), view.getUint16(offset + 5));
    }
    offset += 2 + length;
  }
  return undefined;
}

/** The first chunk after `WEBP` is `VP8 ` (lossy), `VP8L` (lossless) or `VP8X` (extended). */
function readWebp(bytes: Uint8Array, view: DataView): ImageDimensions | undefined {
  if (bytes.length < 30) return undefined;
  switch (ascii(bytes, 12, 4)) {
    case 'VP8 ':
      // Frame tag (3 bytes), start code 9d 01 2a, then 14-bit little-endian width and height.
      if (bytes[23] !== 0x9d || bytes[24] !== 0x01 || bytes[25] !== 0x2a) return undefined;
      return positive(view.getUint16(26, true) & 0x3fff, view.getUint16(28, true) & 0x3fff);
    case 'VP8L': {
      // Signature 0x2f, then width − 1 and height − 1 as 14-bit fields, least significant bit first.
      if (bytes[20] !== 0x2f) return undefined;
      const bits = view.getUint32(21, true);
      return positive((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
    }
    case 'VP8X':
      // Flags (4 bytes), then canvas width − 1 and height − 1 as 24-bit little-endian fields.
      return positive(uint24(bytes, 24) + 1, uint24(bytes, 27) + 1);
    default:
      return undefined;
  }
}

function uint24(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8) | ((bytes[offset + 2] ?? 0) << 16);
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

function positive(width: number, height: number): ImageDimensions | undefined {
  return width > 0 && height > 0 ? { width, height } : undefined;
}
