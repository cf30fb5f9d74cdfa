// The coloured status label shared by lists and pages, for executions (RUNNING, ...) and
// states (running, caught, ...).
import { h } from './dom.js';

export function statusBadge(status) {
  const name = String(status ?? 'unknown').toLowerCase();
  return h('span', { class: `badge status-${name}`, dataset: { status: name } },
           name.replace('_', ' '));
}
