// The credential lives in this tab only (session storage): it is gone when the tab closes, it is
// never put in a URL, and it travels only in the Authorization header (see api.js).
const KEY = 'imagegate.console.session';

/** @returns {{kind: 'user' | 'admin', token: string} | null} */
export function readSession() {
  try {
    const session = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
    return session && (session.kind === 'user' || session.kind === 'admin') && typeof session.token === 'string'
      ? session
      : null;
  } catch {
    return null;
  }
}

export function saveSession(session) {
  sessionStorage.setItem(KEY, JSON.stringify({ kind: session.kind, token: session.token }));
  window.dispatchEvent(new Event('imagegate:session'));
}

/** Why the last session ended when the API refused its credential (shown on the sign-in page), else undefined. */
let endedBecause;

/** Ends the session; `reason` (an ApiError) when the API refused the credential, nothing when the user signed out. */
export function clearSession(reason) {
  endedBecause = reason;
  sessionStorage.removeItem(KEY);
  window.dispatchEvent(new Event('imagegate:session'));
}

/** The error that ended the last session, once (the sign-in page shows it). */
export function takeEndReason() {
  const reason = endedBecause;
  endedBecause = undefined;
  return reason;
}
