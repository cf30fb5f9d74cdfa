// An execution's timeline: a row per state (in the order first entered), a bar per visit,
// coloured by how the visit ended, on one time axis from the execution's start.
import { h, replaceChildren } from '../dom.js';
import { formatDuration } from '../format.js';

const MAX_BARS_PER_ROW = 200;  // a Map of thousands of items would otherwise cost seconds

/** Returns {element, update(summary, startMillis, endMillis)}; `onSelect(name)` on a click. */
export function timeline(onSelect) {
  const rows = h('div', { class: 'timeline-rows' });
  const axis = h('div', { class: 'timeline-axis' });
  const element = h('section', { class: 'timeline' }, h('h2', {}, 'Timeline'), rows, axis);

  function update(summary, start, end) {
    const total = Math.max(end - start, 1);
    const percent = (t) => `${(100 * (t - start) / total).toFixed(3)}%`;
    replaceChildren(rows, [...summary.states.values()].map((state) => {
      const bars = state.spans.slice(-MAX_BARS_PER_ROW).map((span) => {
        const spanEnd = span.end ?? end;
        const bar = h('div', {
          class: `timeline-bar status-${span.status}`,
          title: `${state.name}: ${span.status}, ${formatDuration(spanEnd - span.start)}`,
        });
        bar.style.left = percent(span.start);
        bar.style.width = `max(3px, ${(100 * (spanEnd - span.start) / total).toFixed(3)}%)`;
        return bar;
      });
      return h('div', { class: 'timeline-row', dataset: { state: state.name },
                        onClick: () => onSelect(state.name) },
        h('div', { class: 'timeline-label', title: state.name }, state.name),
        h('div', { class: 'timeline-track' }, bars));
    }));
    replaceChildren(axis, h('span', {}, '0'), h('span', {}, formatDuration(total / 2)),
                    h('span', {}, formatDuration(total)));
  }
  return { element, update };
}
