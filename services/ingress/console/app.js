import { html, render, useEffect, useState } from './lib/html.js';
import { href, matchPath, useHashPath } from './lib/router.js';
import { clearSession, readSession } from './lib/session.js';
import { AdminAccountPage } from './pages/admin-account.js';
import { AdminAccountsPage } from './pages/admin-accounts.js';
import { AdminMarginPage } from './pages/admin-margin.js';
import { AdminProvidersPage } from './pages/admin-providers.js';
import { JobPage } from './pages/job.js';
import { JobsPage } from './pages/jobs.js';
import { LivePage } from './pages/live.js';
import { OverviewPage } from './pages/overview.js';
import { PlaygroundPage } from './pages/playground.js';
import { SignInPage } from './pages/sign-in.js';

/** Each view's pages; `nav` names the ones in the sidebar (the others are reached by links). */
const PAGES = {
  user: [
    { path: '/', nav: 'Overview', Page: OverviewPage },
    { path: '/playground', nav: 'Playground', Page: PlaygroundPage },
    { path: '/jobs', nav: 'Jobs', Page: JobsPage },
    { path: '/live', nav: 'Running', Page: LivePage },
    { path: '/jobs/:id', Page: JobPage },
  ],
  admin: [
    { path: '/admin/accounts', nav: 'Accounts', Page: AdminAccountsPage },
    { path: '/admin/providers', nav: 'Providers', Page: AdminProvidersPage },
    { path: '/admin/margin', nav: 'Margin', Page: AdminMarginPage },
    { path: '/admin/accounts/:id', Page: AdminAccountPage },
  ],
};

function useSession() {
  const [session, setSession] = useState(readSession());
  useEffect(() => {
    const changed = () => setSession(readSession());
    window.addEventListener('imagegate:session', changed);
    return () => window.removeEventListener('imagegate:session', changed);
  }, []);
  return session;
}

function Shell({ session, path, children }) {
  const pages = PAGES[session.kind].filter((page) => page.nav !== undefined);
  const active = (page) => (page.path === '/' ? path === '/' : path === page.path || path.startsWith(`${page.path}/`));
  return html`<div class="shell">
    <aside class="sidebar">
      <a class="brand" href=${href(pages[0].path)}>imagegate</a>
      <div class="view-kind">${session.kind === 'admin' ? 'Admin' : 'Account'}</div>
      <nav>
        ${pages.map((page) => html`<a href=${href(page.path)} class=${active(page) ? 'active' : ''}>${page.nav}</a>`)}
      </nav>
      <button type="button" class="sign-out" onClick=${() => clearSession()}>Sign out</button>
    </aside>
    <main class="content">${children}</main>
  </div>`;
}

function App() {
  const session = useSession();
  const path = useHashPath();
  if (session === null) return html`<${SignInPage} />`;
  for (const { path: pattern, Page } of PAGES[session.kind]) {
    const params = matchPath(pattern, path);
    if (params !== null) {
      return html`<${Shell} session=${session} path=${path}><${Page} params=${params} session=${session} /><//>`;
    }
  }
  // An unknown page (or the other view's page): the view's first page.
  location.hash = href(PAGES[session.kind][0].path);
  return null;
}

const root = document.getElementById('app');
// Preact renders beside what is already there: the boot message goes first.
root.replaceChildren();
render(html`<${App} />`, root);
