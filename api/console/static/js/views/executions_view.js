// The home page: every execution, newest first, filtered by what the URL's query says.
import { getJson } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { executionsTable } from './executions_table.js';

export async function renderExecutions(main, { params, setParams }) {
  let machines = [];
  try {
    machines = (await getJson(['state-machines'])).state_machines.map((m) => m.name);
  } catch {
    // The filter then offers only "All machines"; the table says what went wrong.
  }
  const table = executionsTable({
    filters: Object.fromEntries(params),
    machines,
    onFilters: (filters) => setParams(filters),
  });
  replaceChildren(main, h('h1', {}, 'Executions'), table.element);
  return table.close;
}
