import { BlockList } from 'node:net';
import { embeddedIpv4, ipv4Bytes, ipv6Bytes } from './ip-address.ts';

/** Why an address is no place to send a webhook. */
export type ForbiddenAddressKind =
  | 'cloud metadata'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'multicast'
  | 'unspecified'
  | 'reserved';

type Range = [address: string, prefix: number];

/** Checked in order, so the metadata endpoints are named as such rather than as link-local. */
const RANGES: [ForbiddenAddressKind, ipv4: Range[], ipv6: Range[]][] = [
  [
    'cloud metadata',
    // AWS/GCP/Azure/OCI, AWS ECS task metadata, Alibaba, Oracle Cloud Classic; AWS over IPv6.
    [
      ['169.254.169.254', 32],
      ['169.254.170.2', 32],
      ['100.100.100.200', 32],
      ['192.0.0.192', 32],
    ],
    [['fd00:ec2::254', 128]],
  ],
  ['unspecified', [['0.0.0.0', 8]], [['::', 128]]],
  ['loopback', [['127.0.0.0', 8]], [['::1', 128]]],
  [
    'private',
    [
      ['10.0.0.0', 8],
      ['172.16.0.0', 12],
      ['192.168.0.0', 16],
      ['100.64.0.0', 10], // carrier-grade NAT: private to the provider's network
    ],
    [
      ['fc00::', 7],
      ['fec0::', 10], // deprecated site-local
      ['64:ff9b:1::', 48], // local-use NAT64
    ],
  ],
  ['link-local', [['169.254.0.0', 16]], [['fe80::', 10]]],
  ['multicast', [['224.0.0.0', 4]], [['ff00::', 8]]],
  [
    'reserved',
    [
      ['240.0.0.0', 4], // includes the broadcast address
      ['192.0.0.0', 24],
      ['192.0.2.0', 24],
      ['198.18.0.0', 15],
      ['198.51.100.0', 24],
      ['203.0.113.0', 24],
    ],
    [
      ['100::', 64], // discard
      ['2001::', 32], // Teredo: tunnels to an obfuscated IPv4 address
      ['2001:db8::', 32],
    ],
  ],
];

const BLOCK_LISTS: [ForbiddenAddressKind, BlockList][] = RANGES.map(([kind, ipv4, ipv6]) => {
  const list = new BlockList();
  for (const [address, prefix] of ipv4) list.addSubnet(address, prefix, 'ipv4');
  for (const [address, prefix] of ipv6) list.addSubnet(address, prefix, 'ipv6');
  return [kind, list];
});

/**
 * Why `address` (an IP literal) must not receive a webhook, or undefined when it is a public
 * address. An IPv6 address that carries an IPv4 address (mapped, NAT64, 6to4) is judged by both.
 * Anything that is not an IP address at all is refused as reserved.
 */
export function forbiddenAddressKind(address: string): ForbiddenAddressKind | undefined {
  if (ipv4Bytes(address)) return kindOf(address, 'ipv4');
  const bytes = ipv6Bytes(address);
  if (bytes === undefined) return 'reserved';
  const bare = address.split('%')[0] ?? address;
  const own = kindOf(bare, 'ipv6');
  if (own !== undefined) return own;
  const carried = embeddedIpv4(bytes);
  return carried === undefined ? undefined : kindOf(carried, 'ipv4');
}

function kindOf(address: string, family: 'ipv4' | 'ipv6'): ForbiddenAddressKind | undefined {
  return BLOCK_LISTS.find(([, list]) => list.check(address, family))?.[0];
}
