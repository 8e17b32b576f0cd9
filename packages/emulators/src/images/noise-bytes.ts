/**
 * Deterministic pseudo-random bytes (xorshift32). Noise is incompressible, so it reliably inflates
 * encoded images to benchmark sizes, and seeding keeps cached and fresh renders byte-identical.
 * @param length number of bytes.
 * @param seed any integer; 0 is remapped because xorshift would stay at 0 forever.
 */
export function noiseBytes(length: number, seed: number): Buffer {
  const words = new Uint32Array(Math.ceil(length / 4));
  let state = seed >>> 0 || 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    words[i] = state;
  }
  return Buffer.from(words.buffer, 0, length);
}
