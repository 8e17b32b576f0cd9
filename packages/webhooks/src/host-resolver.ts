import { lookup } from 'node:dns/promises';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a host name resolves to. The webhook URL guard takes one so tests can inject DNS. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** Longest a lookup may take before the URL counts as unresolvable (ms). */
const LOOKUP_TIMEOUT_MS = 5_000;

/** The system resolver (getaddrinfo, so /etc/hosts counts, as it would for any client on this host). */
export const systemHostResolver: HostResolver = async (hostname) => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`DNS lookup of ${hostname} timed out`)), LOOKUP_TIMEOUT_MS);
  });
  try {
    const addresses = await Promise.race([lookup(hostname, { all: true, order: 'verbatim' }), timeout]);
    return addresses.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
  } finally {
    clearTimeout(timer);
  }
};
