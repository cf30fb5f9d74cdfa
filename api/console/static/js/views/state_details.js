// The side panel of an execution's page: the selected state's visits, error, input and output,
// or, with nothing selected, the execution's own input, output and error.
import { h, replaceChildren } from '../dom.js';
import { formatDuration, formatJson, formatTime } from '../format.js';
import { statusBadge } from '../status_badge.js';

function jsonBlock(title, value) {
  return h('div', { class: 'json-block' }, h('h3', {}, title),
           h('pre', { class: 'json', dataset: { field: title.toLowerCase() } }, formatJson(value)));
}

function errorBlock(error, cause) {
  if (!error && !cause) return null;
  return h('div', { class: 'error-block' }, h('h3', {}, 'Error'),
           h('p', {}, h('strong', {}, error ?? ''), cause ? ': ' : '', cause ?? ''));
}

export function stateDetails() {
  const element = h('aside', { class: 'state-panel', 'aria-live': 'polite' });

  function showExecution(execution) {
    replaceChildren(element,
      h('h2', {}, 'Execution'),
      h('p', { class: 'muted' }, 'Click a state in the graph or the timeline to see its input and output.'),
      errorBlock(execution.error, execution.cause),
      jsonBlock('Input', execution.input),
      execution.status === 'SUCCEEDED' ? jsonBlock('Output', execution.output) : null);
  }

  function showState(name, summary, now) {
    const state = summary.states.get(name);
    if (!state) {
      replaceChildren(element, h('h2', { class: 'state-title' }, name),
                      h('p', { class: 'muted' }, 'Not entered (yet) in this execution.'));
      return;
    }
    const last = state.spans[state.spans.length - 1];
    replaceChildren(element,
      h('h2', { class: 'state-title' }, name, ' ', statusBadge(state.status)),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Entered'), h('dd', {}, state.count === 1 ? 'once' : `${state.count} times`),
        h('dt', {}, 'Last entered'), h('dd', {}, formatTime(new Date(last.start).toISOString())),
        h('dt', {}, 'Took'), h('dd', {}, formatDuration((last.end ?? now) - last.start) +
                                         (last.end === null ? ' so far' : ''))),
      state.error ? errorBlock(state.error.error, state.error.cause) : null,
      jsonBlock('Input', state.input),
      state.output !== undefined || state.status === 'succeeded' ? jsonBlock('Output', state.output) : null);
  }
  return { element, showExecution, showState };
}
