// The console's entry point: a hash router over the views, the navigation bar, and the token
// prompt for servers started with --token. Everything it shows comes from the REST API.
import { ApiError, setToken, token } from './api.js';
import { h, replaceChildren } from './dom.js';
import { renderExecution } from './views/execution_view.js';
import { renderExecutions } from './views/executions_view.js';
import { renderFunctions } from './views/functions_view.js';
import { renderMachine } from './views/machine_view.js';
import { renderMachines } from './views/machines_view.js';

const main = document.getElementById('view');
let cleanup = () => {};
let generation = 0;

// "#/executions/ID?status=RUNNING" -> segments ["executions", "ID"] and its query.
function currentRoute() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = hash.split('?');
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { segments, params: new URLSearchParams(query) };
}

function routeHash(segments, params) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v)).toString();
  return '#/' + segments.map(encodeURIComponent).join('/') + (query ? '?' + query : '');
}

function viewFor(segments) {
  const [first, second] = segments;
  if (!first || first === 'executions') return second ? renderExecution : renderExecutions;
  if (first === 'machines') return second ? renderMachine : renderMachines;
  if (first === 'functions') return renderFunctions;
  return null;
}

function markNavigation(segments) {
  const section = segments[0] ?? 'executions';
  for (const a of document.querySelectorAll('nav.main a')) {
    a.classList.toggle('active', a.dataset.section === section);
  }
}

function tokenForm(message) {
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'current-password',
                             placeholder: 'token', required: true });
  return h('form', { class: 'token-form', onSubmit: (e) => {
    e.preventDefault();
    setToken(input.value.trim());
    render();
  } },
    h('h1', {}, 'This server needs a token'),
    h('p', {}, message),
    h('label', {}, 'Token ', input), h('button', { type: 'submit' }, 'Sign in'));
}

async function render() {
  cleanup();
  cleanup = () => {};
  const mine = ++generation;
  const route = currentRoute();
  markNavigation(route.segments);
  const view = viewFor(route.segments);
  if (!view) {
    replaceChildren(main, h('h1', {}, 'Not found'), h('p', {}, 'There is no page here. ',
                                                      h('a', { href: '#/' }, 'See the executions.')));
    return;
  }
  main.setAttribute('aria-busy', 'true');
  try {
    const stop = await view(main, {
      ...route,
      setParams: (params) => { location.hash = routeHash(route.segments, params); },
    });
    if (mine === generation) cleanup = stop ?? (() => {});
    else stop?.();
  } catch (error) {
    if (mine !== generation) return;
    if (error instanceof ApiError && error.status === 401) {
      replaceChildren(main, tokenForm(token() ?
        'The token you gave was refused. Enter the token the server was started with.' :
        'Enter the token the server was started with (--token or STEPWISE_TOKEN).'));
    } else {
      replaceChildren(main, h('h1', {}, 'Something went wrong'),
                      h('p', { class: 'error-block' }, error.message));
    }
  } finally {
    if (mine === generation) main.removeAttribute('aria-busy');
  }
}

window.addEventListener('hashchange', render);
render();
