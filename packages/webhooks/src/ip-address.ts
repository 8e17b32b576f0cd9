import { isIPv4, isIPv6 } from 'node:net';

/** The four bytes of a dotted IPv4 address, or undefined when `address` is not one. */
export function ipv4Bytes(address: string): number[] | undefined {
  if (!isIPv4(address)) return undefined;
  return address.split('.').map(Number);
}

/** The sixteen bytes of an IPv6 address (zone id and dotted IPv4 tail allowed), or undefined. */
export function ipv6Bytes(address: string): number[] | undefined {
  if (!isIPv6(address)) return undefined;
  let text = address.split('%')[0] ?? '';
  const lastColon = text.lastIndexOf(':');
  const dotted = ipv4Bytes(text.slice(lastColon + 1));
  if (dotted) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted;
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = tail === undefined ? headGroups : [...headGroups, ...zeros, ...tailGroups];
  return groups.flatMap((group) => {
    const value = Number.parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}

const startsWith = (bytes: number[], prefix: number[]): boolean => prefix.every((byte, index) => bytes[index] === byte);
const dottedFrom = (bytes: number[]): string => bytes.join('.');

/**
 * The IPv4 address an IPv6 address carries and that a packet to it may end up at: IPv4-mapped
 * (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) and 6to4
 * (`2002:AABB:CCDD::`). Judge `::` and `::1` as IPv6 first: in this form they would read as 0.0.0.0/0.0.0.1.
 */
export function embeddedIpv4(bytes: number[]): string | undefined {
  const zeros = (count: number) => Array<number>(count).fill(0);
  if (startsWith(bytes, [...zeros(10), 0xff, 0xff])) return dottedFrom(bytes.slice(12));
  if (startsWith(bytes, [0x00, 0x64, 0xff, 0x9b, ...zeros(8)])) return dottedFrom(bytes.slice(12));
  if (startsWith(bytes, [0x20, 0x02])) return dottedFrom(bytes.slice(2, 6));
  if (startsWith(bytes, zeros(12))) return dottedFrom(bytes.slice(12));
  return undefined;
}
