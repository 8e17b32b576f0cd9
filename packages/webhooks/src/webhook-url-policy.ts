import { isIP } from 'node:net';
import { InvalidRequestError } from '@imagegate/core';
import { forbiddenAddressKind } from './forbidden-addresses.ts';
import { type HostResolver, type ResolvedAddress, systemHostResolver } from './host-resolver.ts';

/** A webhook URL the guard refuses: a 400 on `webhook_url` at submission, a failed attempt at delivery. */
export class WebhookUrlRefusedError extends InvalidRequestError {
  constructor(message: string) {
    super(message, { param: 'webhook_url', code: 'invalid_value' });
  }
}

/** Where webhooks may go (the SSRF guard's settings). */
export interface WebhookUrlPolicy {
  /**
   * The `host:port` pairs trusted by the operator (`WEBHOOK_ALLOW_HOSTS`), as `allowListKey` spells
   * them: they may use plain http and resolve to private addresses. Only those ports: trusting
   * `localhost` must not open the admin API or anything else listening beside the receiver.
   */
  allowHosts: ReadonlySet<string>;
  /** How host names become addresses (default: the system resolver). */
  resolveHost: HostResolver;
}

export interface WebhookTarget {
  url: URL;
  /** The host as it is matched and resolved: lower case, IPv6 without brackets. */
  host: string;
  /** The port connected to (the scheme's default when the URL names none). */
  port: number;
  allowListed: boolean;
}

/** Longest webhook URL accepted (characters). */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Ports a bare host in `WEBHOOK_ALLOW_HOSTS` stands for: https's and http's defaults. */
const BARE_HOST_PORTS = [443, 80] as const;

/** How an allow-listed pair is held: `host:port`, IPv6 in brackets, `*` for every port. */
export function allowListKey(host: string, port: number | '*'): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** One `WEBHOOK_ALLOW_HOSTS` entry as its keys; throws on an entry that names no valid port. */
function allowListEntryKeys(entry: string): string[] {
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(entry);
  const colons = entry.split(':').length - 1;
  // A bare IPv6 address (two colons or more) cannot carry a port: brackets are needed for that.
  const [written, port] = bracketed
    ? [bracketed[1] ?? '', bracketed[2]]
    : colons === 1
      ? [entry.slice(0, entry.indexOf(':')), entry.slice(entry.indexOf(':') + 1)]
      : [entry, undefined];
  const host = canonicalHost(written);
  if (host === undefined) throw new Error(`WEBHOOK_ALLOW_HOSTS: '${entry}' names no valid host.`);
  if (port === undefined) return BARE_HOST_PORTS.map((bare) => allowListKey(host, bare));
  if (port === '*') return [allowListKey(host, '*')];
  const number = /^\d{1,5}$/.test(port) ? Number(port) : 0;
  if (number < 1 || number > 65_535) {
    throw new Error(`WEBHOOK_ALLOW_HOSTS: '${entry}' has no valid port (1-65535, or * for every port).`);
  }
  return [allowListKey(host, number)];
}

/** A host as the URL parser spells it (so `[0::1]` and `::1`, `127.1` and `127.0.0.1` match), or undefined. */
function canonicalHost(written: string): string | undefined {
  if (written === '') return undefined;
  try {
    const { hostname } = new URL(`http://${written.includes(':') ? `[${written}]` : written}/`);
    return hostname.replace(/^\[(.*)\]$/, '$1') || undefined;
  } catch {
    return undefined;
  }
}

/**
 * `WEBHOOK_ALLOW_HOSTS` (comma- or space-separated `host:port` entries) as a policy's
 * `allowHosts`. A bare host means ports 443 and 80 only; `host:*` trusts every port of the host.
 */
export function parseAllowHosts(value: string | undefined): Set<string> {
  return new Set(
    (value ?? '')
      .split(/[\s,]+/)
      .map((entry) => entry.trim().toLowerCase())
      .filter(Boolean)
      .flatMap(allowListEntryKeys),
  );
}

/** Whether the operator trusts `host` on `port`. */
export function isAllowListed(policy: WebhookUrlPolicy, host: string, port: number): boolean {
  return policy.allowHosts.has(allowListKey(host, port)) || policy.allowHosts.has(allowListKey(host, '*'));
}

export function createWebhookUrlPolicy(options: { allowHosts?: string; resolveHost?: HostResolver }): WebhookUrlPolicy {
  return {
    allowHosts: parseAllowHosts(options.allowHosts),
    resolveHost: options.resolveHost ?? systemHostResolver,
  };
}

/** Checks what can be checked without DNS: a well-formed https URL (http only for allow-listed hosts). */
export function parseWebhookUrl(raw: string, policy: WebhookUrlPolicy): WebhookTarget {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) {
    throw new WebhookUrlRefusedError(`webhook_url is longer than ${MAX_WEBHOOK_URL_LENGTH} characters.`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlRefusedError('webhook_url is not a valid absolute URL.');
  }
  // The WHATWG parser already turned forms like http://2130706433/ into 127.0.0.1.
  const host = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? (url.protocol === 'http:' ? 80 : 443) : Number(url.port);
  const allowListed = isAllowListed(policy, host, port);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowListed)) {
    throw new WebhookUrlRefusedError(
      url.protocol === 'http:'
        ? `webhook_url must use https (http only to host:port pairs the operator allow-lists; '${allowListKey(host, port)}' is not one).`
        : 'webhook_url must be an https URL.',
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new WebhookUrlRefusedError('webhook_url must not carry credentials.');
  }
  return { url, host, port, allowListed };
}

/** The refusal for a forbidden address, or undefined when the address may receive webhooks. */
export function refuseAddress(target: WebhookTarget, address: string): WebhookUrlRefusedError | undefined {
  if (target.allowListed) return undefined;
  const kind = forbiddenAddressKind(address);
  if (kind === undefined) return undefined;
  const via = target.host === address ? '' : ` ('${target.host}' resolves to ${address})`;
  return new WebhookUrlRefusedError(`webhook_url points to a ${kind} address${via}; webhooks only go to public hosts.`);
}

/**
 * The addresses the target's host may be reached at. Every address must be public: with DNS
 * round-robin, a host that resolves to one public and one private address could land on either.
 */
export async function resolveWebhookAddresses(
  target: WebhookTarget,
  policy: WebhookUrlPolicy,
): Promise<ResolvedAddress[]> {
  const family = isIP(target.host);
  let addresses: ResolvedAddress[];
  if (family !== 0) {
    addresses = [{ address: target.host, family: family === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await policy.resolveHost(target.host);
    } catch {
      throw new WebhookUrlRefusedError(`webhook_url's host '${target.host}' does not resolve.`);
    }
    if (addresses.length === 0)
      throw new WebhookUrlRefusedError(`webhook_url's host '${target.host}' does not resolve.`);
  }
  for (const { address } of addresses) {
    const refusal = refuseAddress(target, address);
    if (refusal) throw refusal;
  }
  return addresses;
}

/** The whole check done at submission: syntax, scheme, and where the host resolves now. */
export async function checkWebhookUrl(raw: string, policy: WebhookUrlPolicy): Promise<WebhookTarget> {
  const target = parseWebhookUrl(raw, policy);
  if (!target.allowListed) await resolveWebhookAddresses(target, policy);
  return target;
}
