/** The preferences of an RFC 7240 `Prefer` header that imagegate honours; others are ignored. */
export interface Preferences {
  respondAsync: boolean;
  /** Seconds the client is willing to wait. */
  waitS?: number | undefined;
}

export function parsePrefer(header: string | string[] | undefined): Preferences {
  const preferences: Preferences = { respondAsync: false };
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  for (const token of values.flatMap((value) => value.split(','))) {
    const [nameAndValue = ''] = token.split(';');
    const [rawName = '', rawValue] = nameAndValue.split('=');
    const name = rawName.trim().toLowerCase();
    const value = rawValue?.trim().replace(/^"(.*)"$/, '$1');
    if (name === 'respond-async') preferences.respondAsync = true;
    if (name === 'wait' && value !== undefined && /^\d{1,6}$/.test(value)) preferences.waitS = Number(value);
  }
  return preferences;
}
