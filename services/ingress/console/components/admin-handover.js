// A secret handed from one admin page to the next in this tab's memory only (never storage, never the
// URL): the webhook secret a new account is created with, shown once on the account's page.
const handedOver = new Map();

export function handOverSecret(accountId, secret) {
  handedOver.set(accountId, secret);
}

/** The secret handed over for `accountId`, once: a second call (or a reload) finds nothing. */
export function takeHandedOverSecret(accountId) {
  const secret = handedOver.get(accountId);
  handedOver.delete(accountId);
  return secret;
}
