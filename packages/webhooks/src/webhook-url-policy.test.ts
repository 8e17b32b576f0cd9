import { describe, expect, it } from 'vitest';
import type { HostResolver } from './host-resolver.ts';
import { webhookUrlEnvSchema } from './webhook-env.ts';
import { checkWebhookUrl, createWebhookUrlPolicy, parseAllowHosts } from './webhook-url-policy.ts';

const dns: Record<string, string[]> = {
  'hooks.example.com': ['93.184.216.34'],
  'internal.example': ['10.1.2.3'],
  'hooks.local': ['10.0.0.9'],
  'split.example': ['93.184.216.34', '192.168.0.7'],
  'v6.example': ['2606:4700:4700::1111'],
  'empty.example': [],
};
const resolveHost: HostResolver = async (hostname) => {
  const addresses = dns[hostname];
  if (addresses === undefined)
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};
const policy = createWebhookUrlPolicy({
  allowHosts: 'receiver.internal:8080, 127.0.0.1:9000, hooks.local, [::1]:7000, any.internal:*',
  resolveHost,
});

describe('checkWebhookUrl', () => {
  it.each([
    'https://hooks.example.com/imagegate',
    'https://v6.example:8443/x?y=1',
    'https://93.184.216.34/hook',
    'http://receiver.internal:8080/hook',
    'http://127.0.0.1:9000/hook',
    'http://hooks.local/hook',
    'https://hooks.local/hook',
    'http://hooks.local:443/hook',
    'http://[::1]:7000/hook',
    'http://any.internal:31337/hook',
  ])('accepts %s', async (url) => {
    await expect(checkWebhookUrl(url, policy)).resolves.toMatchObject({ url: new URL(url) });
  });

  it.each([
    ['plain http to a host not allow-listed', 'http://hooks.example.com/hook', /must use https/],
    ['another scheme', 'ftp://hooks.example.com/hook', /must be an https URL/],
    ['no URL at all', 'not a url', /not a valid absolute URL/],
    ['credentials in the URL', 'https://user:pass@hooks.example.com/', /credentials/],
    ['a loopback literal', 'https://127.0.0.2/', /loopback/],
    ['IPv6 loopback', 'https://[::1]/', /loopback/],
    ['loopback spelled as a number', 'https://2130706434/', /loopback/],
    ['the metadata endpoint', 'https://169.254.169.254/latest/meta-data/', /cloud metadata/],
    ['the metadata endpoint mapped into IPv6', 'https://[::ffff:169.254.169.254]/', /cloud metadata/],
    [
      'a name resolving to 10.x',
      'https://internal.example/hook',
      /private address \('internal.example' resolves to 10.1.2.3\)/,
    ],
    ['a name with one private address among public ones', 'https://split.example/hook', /resolves to 192.168.0.7/],
    ['a name that does not resolve', 'https://nowhere.example/hook', /does not resolve/],
    ['a name with no addresses', 'https://empty.example/hook', /does not resolve/],
    [
      'another port of an allow-listed host:port',
      'http://127.0.0.1:9001/hook',
      /http only to host:port pairs the operator allow-lists; '127.0.0.1:9001' is not one/,
    ],
    ['another port of an allow-listed host:port over https', 'https://127.0.0.1:9001/hook', /loopback address/],
    [
      'a port other than 443/80 of a bare allow-listed host',
      'http://hooks.local:8080/',
      /'hooks.local:8080' is not one/,
    ],
    [
      'a port other than 443/80 of a bare allow-listed host over https',
      'https://hooks.local:8080/',
      /private address \('hooks.local' resolves to 10.0.0.9\)/,
    ],
    ['another port of an allow-listed IPv6 host', 'http://[::1]:7001/', /'\[::1\]:7001' is not one/],
    ['an overlong URL', `https://hooks.example.com/${'a'.repeat(2048)}`, /longer than 2048/],
  ])('refuses %s with a 400 on webhook_url', async (_case, url, message) => {
    const refusal = checkWebhookUrl(url, policy);
    await expect(refusal).rejects.toMatchObject({ status: 400, param: 'webhook_url', type: 'invalid_request_error' });
    await expect(refusal).rejects.toThrow(message);
  });
});

describe('parseAllowHosts', () => {
  it('reads comma- or space-separated host:port entries, lower case; a bare host means 443 and 80 only', () => {
    expect(parseAllowHosts('Receiver.Internal:8080, [::1] 10.0.0.5:*,,::2 [fe80::1]:9')).toEqual(
      new Set([
        'receiver.internal:8080',
        '[::1]:443',
        '[::1]:80',
        '10.0.0.5:*',
        '[::2]:443',
        '[::2]:80',
        '[fe80::1]:9',
      ]),
    );
    expect(parseAllowHosts(undefined)).toEqual(new Set());
    // Spelled as the URL parser spells the hosts it matches against.
    expect(parseAllowHosts('[0:0::1]:8080, 127.1:9000, LOCALHOST')).toEqual(
      new Set(['[::1]:8080', '127.0.0.1:9000', 'localhost:443', 'localhost:80']),
    );
  });

  it.each(['localhost:0', 'localhost:65536', 'localhost:http', 'localhost:', ':8080', '[]:80'])(
    'refuses the entry %s',
    (entry) => {
      expect(() => parseAllowHosts(entry)).toThrow(/WEBHOOK_ALLOW_HOSTS/);
      // The services refuse to start on it.
      expect(webhookUrlEnvSchema.safeParse({ WEBHOOK_ALLOW_HOSTS: `localhost, ${entry}` }).success).toBe(false);
    },
  );
});
