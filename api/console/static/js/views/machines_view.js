// Every state machine, with its latest version.
import { getJson } from '../api.js';
import { h, link, replaceChildren } from '../dom.js';
import { formatAgo, formatTime } from '../format.js';

export async function renderMachines(main) {
  const { state_machines: machines } = await getJson(['state-machines']);
  const rows = machines.map((machine) => h('tr', {},
    h('td', {}, link(`/machines/${encodeURIComponent(machine.name)}`, machine.name,
                     { class: 'machine-link' })),
    h('td', { class: 'numeric' }, machine.version),
    h('td', { title: formatTime(machine.created_at) }, formatAgo(machine.created_at))));
  replaceChildren(main,
    h('h1', {}, 'State machines'),
    machines.length ?
      h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', { class: 'numeric' }, 'Version'),
                           h('th', {}, 'Updated'))),
        h('tbody', {}, rows)) :
      h('p', { class: 'table-message' },
        'No state machines yet. Create one with ',
        h('code', {}, 'stepwise machine create NAME workflow.json'), '.'));
  return () => {};
}
