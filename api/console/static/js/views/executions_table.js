// A page of executions with filters (machine, status, start time) and paging, refreshed every
// few seconds while it shows the newest page. Used by the executions page and a machine's page.
import { getJson } from '../api.js';
import { h, link, replaceChildren } from '../dom.js';
import { executionDuration, formatAgo, formatDuration, formatTime } from '../format.js';
import { statusBadge } from '../status_badge.js';

const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
const PAGE_SIZE = 25;
const REFRESH_MILLIS = 3000;

// <input type="datetime-local"> speaks local time without a zone; the API wants an instant.
function toInstant(local) {
  if (!local) return '';
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

function toLocalInput(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return shifted.toISOString().slice(0, 16);
}

/**
 * `filters`: {machine, status, started_after, started_before} (strings, may be empty).
 * `fixedMachine`: hides the machine filter. `onFilters(filters)`: the user changed them.
 * Returns {element, close()}.
 */
export function executionsTable({ filters, fixedMachine = null, onFilters, machines = [] }) {
  const body = h('tbody');
  const message = h('p', { class: 'table-message' });
  const pager = h('div', { class: 'pager' });
  const tokens = [''];  // the page token of each page shown so far; the last is this page's
  let timer = null;
  let closed = false;

  const machineSelect = fixedMachine ? null : h('select', { name: 'machine', 'aria-label': 'Machine',
    onChange: () => changed() },
    h('option', { value: '' }, 'All machines'),
    machines.map((name) => h('option', { value: name, selected: name === filters.machine }, name)));
  const statusSelect = h('select', { name: 'status', 'aria-label': 'Status', onChange: () => changed() },
    h('option', { value: '' }, 'Any status'),
    STATUSES.map((s) => h('option', { value: s, selected: s === filters.status }, s.replace('_', ' '))));
  const after = h('input', { type: 'datetime-local', name: 'started_after',
    value: toLocalInput(filters.started_after), onChange: () => changed() });
  const before = h('input', { type: 'datetime-local', name: 'started_before',
    value: toLocalInput(filters.started_before), onChange: () => changed() });

  function changed() {
    onFilters({
      machine: fixedMachine ?? machineSelect.value,
      status: statusSelect.value,
      started_after: toInstant(after.value),
      started_before: toInstant(before.value),
    });
  }

  function row(execution) {
    return h('tr', { class: 'execution-row', dataset: { executionId: execution.execution_id } },
      h('td', {}, statusBadge(execution.status)),
      h('td', {}, link(`/executions/${encodeURIComponent(execution.execution_id)}`, execution.name,
                       { class: 'execution-link' })),
      fixedMachine ? null : h('td', {}, link(`/machines/${encodeURIComponent(execution.state_machine)}`,
                                             execution.state_machine)),
      h('td', { title: formatTime(execution.start_time) }, formatAgo(execution.start_time)),
      h('td', { class: 'numeric' }, formatDuration(executionDuration(execution))),
      h('td', { class: 'error-cell' }, execution.error ?? ''));
  }

  async function load() {
    clearTimeout(timer);
    const page = tokens.length - 1;
    try {
      const answer = await getJson(['executions'], {
        machine: fixedMachine ?? filters.machine, status: filters.status,
        started_after: filters.started_after, started_before: filters.started_before,
        limit: PAGE_SIZE, page_token: tokens[page],
      });
      if (closed) return;
      replaceChildren(body, answer.executions.map(row));
      message.textContent = answer.executions.length ? '' :
        page === 0 ? 'No executions match.' : 'No more executions.';
      replaceChildren(pager,
        h('button', { type: 'button', disabled: page === 0, onClick: () => { tokens.pop(); load(); } },
          '← Newer'),
        h('span', {}, `Page ${page + 1}`),
        h('button', { type: 'button', disabled: !answer.next_page_token,
                      onClick: () => { tokens.push(answer.next_page_token); load(); } }, 'Older →'));
    } catch (error) {
      if (closed) return;
      message.textContent = `Could not load executions: ${error.message}`;
    }
    // Newer executions appear only on the first page: refresh that one alone.
    if (page === 0 && !closed) timer = setTimeout(load, REFRESH_MILLIS);
  }

  const element = h('section', { class: 'executions-table' },
    h('form', { class: 'filters', onSubmit: (e) => e.preventDefault() },
      machineSelect, statusSelect,
      h('label', {}, 'Started after ', after), h('label', {}, 'before ', before)),
    h('table', { class: 'data' },
      h('thead', {}, h('tr', {},
        h('th', {}, 'Status'), h('th', {}, 'Name'), fixedMachine ? null : h('th', {}, 'State machine'),
        h('th', {}, 'Started'), h('th', { class: 'numeric' }, 'Duration'), h('th', {}, 'Error'))),
      body),
    message, pager);
  load();
  return { element, close: () => { closed = true; clearTimeout(timer); } };
}
