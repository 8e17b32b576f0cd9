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

export function clearSession() {
  sessionStorage.removeItem(KEY);
  window.dispatchEvent(new Event('imagegate:session'));
}
