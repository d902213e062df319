import './style.css';
import { ApiError, hub, session } from './api.js';
import { el } from './panel.js';
import { errorBox } from './page.js';
import { overview } from './pages/overview.js';
import { trendsPage } from './pages/trends.js';
import { flowsPage } from './pages/flows.js';
import { feesPage } from './pages/fees.js';
import { profilesPage } from './pages/profiles.js';
import { alertsPage } from './pages/alerts.js';
import { similarPage } from './pages/similar.js';
import { nodesPage } from './pages/nodes.js';

// Pages by route (#/name?query); operators also see the nodes' status.
const PAGES = [
  { route: 'overview', title: 'Overview', render: overview },
  { route: 'trends', title: 'Trends', render: trendsPage },
  { route: 'flows', title: 'Flows', render: flowsPage },
  { route: 'fees', title: 'Fees', render: feesPage },
  { route: 'profiles', title: 'Profiles', render: profilesPage },
  { route: 'alerts', title: 'Alerts', render: alertsPage },
  { route: 'similar', title: 'Similar states', render: similarPage },
  { route: 'nodes', title: 'Node status', render: nodesPage, role: 'operator' },
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
let context = null;

function parseHash() {
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  return { route: path || 'overview', params: new URLSearchParams(query ?? '') };
}

async function render() {
  if (!session.token) return showLogin();
  try {
    context ??= await start();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return showLogin('Your session has ended: sign in again.');
    throw e;
  }
  const { route, params } = parseHash();
  const page = PAGES.find((p) => p.route === route && (!p.role || p.role === context.who.role)) ?? PAGES[0];
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.route === page.route) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${page.title}: VRS-MSRC dashboard`;
  main.replaceChildren(el('h1', {}, page.title));
  main.setAttribute('aria-busy', 'true');
  delete main.dataset.ready;
  try {
    await page.render(main, context, params);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      context = null;
      return showLogin('Your session has ended: sign in again.');
    }
    main.append(errorBox(e));
  } finally {
    main.removeAttribute('aria-busy');
    main.dataset.ready = page.route;
  }
}

async function start() {
  const [me, catalogue] = await Promise.all([hub.whoami(), hub.catalogue()]);
  who.replaceChildren(
    el('span', {}, `${me.account} (${me.role}${me.state ? `, ${me.state}` : ''})`),
    el('button', { type: 'button', id: 'logout' }, 'Sign out'),
  );
  who.querySelector('#logout').addEventListener('click', logout);
  nav.replaceChildren(...PAGES.filter((p) => !p.role || p.role === me.role)
    .map((p) => el('a', { href: `#/${p.route}`, 'data-route': p.route }, p.title)));
  nav.hidden = false;
  return { who: me, catalogue };
}

async function logout() {
  try { await hub.logout(); } catch { /* the session may have ended already */ }
  session.token = null;
  context = null;
  render();
}

function showLogin(message) {
  nav.hidden = true;
  who.replaceChildren();
  const form = el('form', { id: 'login', 'aria-labelledby': 'login-title' },
    el('h1', { id: 'login-title' }, 'Sign in'),
    el('p', {}, 'With your analyst account of this hub.'),
    el('label', { for: 'account' }, 'Account'),
    el('input', { id: 'account', name: 'account', autocomplete: 'username', required: true }),
    el('label', { for: 'password' }, 'Password'),
    el('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    el('button', { type: 'submit' }, 'Sign in'),
    el('p', { id: 'login-error', role: 'alert' }, message ?? ''));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const answer = await hub.login(form.account.value, form.password.value);
      session.token = answer.token;
      context = null;
      render();
    } catch (e) {
      form.querySelector('#login-error').textContent = `Sign-in refused: ${e.message}`;
    }
  });
  main.replaceChildren(form);
  main.dataset.ready = 'login';
  form.account.focus();
}

window.addEventListener('hashchange', () => render().then(() => main.focus()));
render();
