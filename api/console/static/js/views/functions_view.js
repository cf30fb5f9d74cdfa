// Functions (limits, queues, circuits, counts) and the workers serving them, refreshed live.
import { getJson } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { formatAgo, formatDuration, formatTime } from '../format.js';
import { statusBadge } from '../status_badge.js';

const REFRESH_MILLIS = 3000;

// Durations under a second keep their fraction: "0.42 ms", "12.5 ms".
function formatMillis(millis) {
  if (millis >= 1000) return formatDuration(millis);
  return `${millis < 10 ? millis.toFixed(2) : millis.toFixed(1)} ms`;
}

function functionRow(f) {
  return h('tr', {},
    h('td', {}, f.name, f.registered ? null : h('span', { class: 'muted' }, ' (defaults)')),
    h('td', {}, statusBadge(f.circuit)),
    h('td', { class: 'numeric' }, f.in_flight), h('td', { class: 'numeric' }, f.queued),
    h('td', { class: 'numeric' }, f.succeeded), h('td', { class: 'numeric' }, f.failed),
    h('td', { class: 'numeric' }, f.refused),
    h('td', { class: 'numeric' }, f.cold_starts),
    h('td', { class: 'numeric', title: `p90 ${formatMillis(f.durations.p90_ms)}, ` +
                                       `max ${formatMillis(f.durations.max_ms)}, ` +
                                       `over the last ${f.durations.count}` },
      f.durations.count ? `${formatMillis(f.durations.p50_ms)} / ${formatMillis(f.durations.p99_ms)}` : ''),
    h('td', { class: 'numeric' }, f.limits.max_concurrency),
    h('td', { class: 'numeric' }, `${f.limits.timeout_seconds} s`));
}

function workerRow(w) {
  return h('tr', {},
    h('td', {}, w.name), h('td', {}, w.host), h('td', {}, w.functions.join(', ')),
    h('td', { class: 'numeric' }, w.polls_waiting), h('td', { class: 'numeric' }, w.tasks_received),
    h('td', { title: formatTime(w.last_contact) }, formatAgo(w.last_contact)));
}

function table(headings, rows, empty) {
  if (!rows.length) return h('p', { class: 'table-message' }, empty);
  return h('table', { class: 'data' },
    h('thead', {}, h('tr', {}, headings.map(([text, numeric]) =>
      h('th', { class: numeric ? 'numeric' : null }, text)))),
    h('tbody', {}, rows));
}

export async function renderFunctions(main) {
  let timer = null;
  let closed = false;
  const content = h('div');
  async function load() {
    const [{ functions }, { workers }] =
      await Promise.all([getJson(['functions']), getJson(['workers'])]);
    if (closed) return;
    replaceChildren(content,
      h('h1', {}, 'Functions'),
      table([['Name'], ['Circuit'], ['In flight', 1], ['Queued', 1], ['Succeeded', 1],
             ['Failed', 1], ['Refused', 1], ['Cold starts', 1], ['p50 / p99', 1],
             ['Max concurrency', 1], ['Timeout', 1]],
            functions.map(functionRow), 'No function has been registered or invoked yet.'),
      h('h2', {}, 'Workers'),
      table([['Name'], ['Host'], ['Functions'], ['Polls waiting', 1], ['Tasks received', 1],
             ['Last contact']],
            workers.map(workerRow), 'No worker has polled in the last hour.'));
    timer = setTimeout(() => load().catch(() => {}), REFRESH_MILLIS);
  }
  await load();
  replaceChildren(main, content);
  return () => { closed = true; clearTimeout(timer); };
}
