import { useEffect, useState } from './html.js';

/** The path after `#`, e.g. `/jobs/job_123` (the console's pages live in the hash: no server routes). */
export function currentPath() {
  const path = location.hash.replace(/^#/, '');
  return path.startsWith('/') ? path : '/';
}

export function useHashPath() {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const changed = () => setPath(currentPath());
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return path;
}

/** The params of `pattern` (e.g. `/jobs/:id`) in `path`, or null when it does not match. */
export function matchPath(pattern, path) {
  const want = pattern.split('/');
  const have = path.split('?')[0].split('/');
  if (want.length !== have.length) return null;
  const params = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(have[i]);
    else if (want[i] !== have[i]) return null;
  }
  return params;
}

/** A link inside the console. */
export function href(path) {
  return `#${path}`;
}
