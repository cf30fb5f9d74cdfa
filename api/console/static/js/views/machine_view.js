// One state machine: its graph, how many executions have each status, its executions and its
// versions.
import { getJson } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { formatJson, formatTime } from '../format.js';
import { renderGraph } from '../graph_view.js';
import { statusBadge } from '../status_badge.js';
import { executionsTable } from './executions_table.js';

function countChips(machine, onStatus) {
  return h('div', { class: 'count-chips' },
    Object.entries(machine.execution_counts).map(([status, count]) =>
      h('button', { type: 'button', class: 'chip', onClick: () => onStatus(status) },
        statusBadge(status), ' ', h('strong', {}, machine.counts_capped && count >= 100000 ? `${count}+` : count))));
}

export async function renderMachine(main, { segments, params, setParams }) {
  const name = segments[1];
  const machine = await getJson(['state-machines', name]);
  const graphBox = h('div', { class: 'graph-box' });
  const table = executionsTable({
    filters: Object.fromEntries(params),
    fixedMachine: name,
    onFilters: (filters) => setParams({ ...filters, machine: '' }),
  });
  replaceChildren(main,
    h('header', { class: 'page-head' },
      h('h1', {}, name, ' ', h('span', { class: 'muted' }, `v${machine.version}`)),
      machine.definition.Comment ? h('p', { class: 'comment' }, machine.definition.Comment) : null,
      countChips(machine, (status) => setParams({ ...Object.fromEntries(params), status }))),
    h('section', { class: 'graph-panel wide' }, graphBox),
    h('h2', {}, 'Executions'), table.element,
    h('details', { class: 'definition' }, h('summary', {}, h('h2', {}, 'Definition and versions')),
      h('ul', { class: 'versions' }, machine.versions.map((v) =>
        h('li', {}, `v${v.version}, ${formatTime(v.created_at)}`))),
      h('pre', { class: 'json' }, formatJson(machine.definition))));
  renderGraph(graphBox, machine.definition, { onSelect: () => {} });
  return table.close;
}
