/** Replaces each secret in a text; empty secrets are ignored. */
export function secretRedactor(secrets: readonly string[]): (text: string) => string {
  const present = secrets.filter((secret) => secret.length > 0);
  return (text) => present.reduce((scrubbed, secret) => scrubbed.replaceAll(secret, '[redacted]'), text);
}
