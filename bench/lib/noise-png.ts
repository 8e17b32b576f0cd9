import { randomFillSync } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

/**
 * A valid RGB PNG of about `bytes` bytes: random pixels do not compress, so the file is as large as
 * its pixel data. Written by hand (signature, IHDR, one IDAT, IEND) so the load generator needs no
 * image library.
 */
export function noisePng(bytes: number): Buffer {
  const edge = Math.max(16, Math.floor(Math.sqrt(bytes / 3)));
  const rows = Buffer.alloc(edge * (1 + edge * 3));
  randomFillSync(rows);
  for (let y = 0; y < edge; y++) rows[y * (1 + edge * 3)] = 0; // filter type None on every row
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(edge, 0);
  header.writeUInt32BE(edge, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 1 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A multipart/form-data body with one PNG part `image` and text fields, and its content type. */
export function multipartEdit(image: Buffer, fields: Record<string, string>): { body: Buffer; contentType: string } {
  const boundary = `bench-${Date.now().toString(36)}`;
  const parts: Buffer[] = [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="in.png"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    image,
    Buffer.from('\r\n'),
  ];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
