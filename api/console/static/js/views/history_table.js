// An execution's history events as a table, appended to as they arrive.
import { h } from '../dom.js';
import { formatTime } from '../format.js';

const SHOWN_EVENTS = 1000;  // the newest; a long history is read through the API or the CLI

function summaryOf(details) {
  if (!details) return '';
  if (details.error || details.cause) return [details.error, details.cause].filter(Boolean).join(': ');
  if (details.resource) return details.resource;
  return '';
}

export function historyTable() {
  const body = h('tbody');
  const note = h('p', { class: 'table-message' });
  const count = h('span', { class: 'muted' }, '');
  let total = 0;
  const element = h('details', { class: 'history', open: true },
    h('summary', {}, h('h2', {}, 'History '), count),
    h('table', { class: 'data compact' },
      h('thead', {}, h('tr', {}, h('th', { class: 'numeric' }, 'Id'), h('th', {}, 'Type'),
                         h('th', {}, 'State'), h('th', {}, 'Time'), h('th', {}, 'Details'))),
      body),
    note);

  function add(event) {
    total += 1;
    count.textContent = `(${total} events)`;
    body.appendChild(h('tr', { class: /Failed|TimedOut|Aborted/.test(event.type) ? 'bad' : null },
      h('td', { class: 'numeric' }, event.id), h('td', {}, event.type),
      h('td', {}, event.state_name ?? ''), h('td', {}, formatTime(event.timestamp)),
      h('td', { class: 'event-details', title: JSON.stringify(event.details ?? {}) },
        summaryOf(event.details))));
    if (body.childElementCount > SHOWN_EVENTS) body.firstElementChild.remove();
  }

  function fail(message) {
    note.textContent = `The history stopped updating: ${message}`;
  }
  return { element, add, fail };
}
