import { crc32 } from 'node:zlib';
import type { ImageSpec } from './image-spec.ts';
import { imageSpecKey } from './image-spec.ts';
import { noiseBytes } from './noise-bytes.ts';

/**
 * Pads an encoded image with seeded noise inside chunks/segments that every decoder skips, until
 * it is at least `spec.minBytes` long. Pixels are untouched, so the result is still a valid image
 * of the requested size; this reaches sizes (e.g. 8 MiB at 1024×1024) that pixel noise cannot.
 */
export function padEncodedImage(encoded: Buffer, spec: ImageSpec): Buffer {
  const missing = spec.minBytes - encoded.length;
  if (missing <= 0) return encoded;
  const noise = noiseBytes(missing, seedOf(spec));
  switch (spec.format) {
    case 'png':
      return padPng(encoded, noise);
    case 'jpeg':
      return padJpeg(encoded, noise);
    case 'webp':
      return padWebp(encoded, noise, spec);
  }
}

function seedOf(spec: ImageSpec): number {
  const key = imageSpecKey(spec);
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function slices(noise: Buffer, size: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < noise.length; offset += size) parts.push(noise.subarray(offset, offset + size));
  return parts;
}

/** libpng rejects ancillary chunks above ~8 MB by default, so stay far below that per chunk. */
const PNG_CHUNK_BYTES = 256 * 1024;
/** Private, ancillary, safe-to-copy chunk type ("n" ancillary, "p" private, "A" reserved, "d" safe). */
const PNG_PAD_TYPE = Buffer.from('npAd', 'latin1');

function padPng(encoded: Buffer, noise: Buffer): Buffer {
  const iendAt = encoded.length - 12;
  if (encoded.toString('latin1', iendAt + 4, iendAt + 8) !== 'IEND') throw new Error('PNG without trailing IEND');
  const parts: Buffer[] = [encoded.subarray(0, iendAt)];
  for (const data of slices(noise, PNG_CHUNK_BYTES)) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(data, crc32(PNG_PAD_TYPE)));
    parts.push(length, PNG_PAD_TYPE, data, crc);
  }
  parts.push(encoded.subarray(iendAt));
  return Buffer.concat(parts);
}

/** A JPEG segment length counts its own two bytes and tops out at 0xffff. */
const JPEG_SEGMENT_BYTES = 0xffff - 2;

function padJpeg(encoded: Buffer, noise: Buffer): Buffer {
  if (encoded[0] !== 0xff || encoded[1] !== 0xd8) throw new Error('JPEG without SOI marker');
  // Keep a JFIF APP0 segment directly after SOI, where strict readers look for it.
  let insertAt = 2;
  if (encoded[2] === 0xff && encoded[3] === 0xe0) insertAt = 4 + encoded.readUInt16BE(4);
  const parts: Buffer[] = [encoded.subarray(0, insertAt)];
  for (const data of slices(noise, JPEG_SEGMENT_BYTES)) {
    // APP15: reserved for applications, so no reader interprets it (unlike COM, which tools print).
    const header = Buffer.from([0xff, 0xef, 0, 0]);
    header.writeUInt16BE(data.length + 2, 2);
    parts.push(header, data);
  }
  parts.push(encoded.subarray(insertAt));
  return Buffer.concat(parts);
}

const WEBP_CHUNK_BYTES = 1024 * 1024;
const WEBP_ALPHA_FLAG = 0x10;

/** Unknown chunks are only legal in the extended (VP8X) layout, so simple files are upgraded first. */
function padWebp(encoded: Buffer, noise: Buffer, spec: ImageSpec): Buffer {
  if (encoded.toString('latin1', 0, 4) !== 'RIFF' || encoded.toString('latin1', 8, 12) !== 'WEBP') {
    throw new Error('WebP without RIFF/WEBP header');
  }
  const body = encoded.subarray(12);
  const parts: Buffer[] = [Buffer.from('RIFF????WEBP', 'latin1')];
  if (body.toString('latin1', 0, 4) !== 'VP8X') {
    const vp8x = Buffer.alloc(18);
    vp8x.write('VP8X', 0, 'latin1');
    vp8x.writeUInt32LE(10, 4);
    vp8x.writeUInt8(spec.transparent ? WEBP_ALPHA_FLAG : 0, 8);
    vp8x.writeUIntLE(spec.width - 1, 12, 3);
    vp8x.writeUIntLE(spec.height - 1, 15, 3);
    parts.push(vp8x);
  }
  parts.push(body);
  for (const data of slices(noise, WEBP_CHUNK_BYTES)) {
    const header = Buffer.alloc(8);
    header.write('EMPD', 0, 'latin1');
    header.writeUInt32LE(data.length, 4);
    parts.push(header, data);
    if (data.length % 2 === 1) parts.push(Buffer.alloc(1));
  }
  const out = Buffer.concat(parts);
  out.writeUInt32LE(out.length - 8, 4);
  return out;
}
