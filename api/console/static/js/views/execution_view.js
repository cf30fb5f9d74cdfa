// One execution: its graph coloured by what each state did, the selected state's input and
// output, a timeline and the history, all following the execution live until it ends.
import { ApiError, followEvents, getJson } from '../api.js';
import { h, link, replaceChildren } from '../dom.js';
import { executionDuration, formatDuration, formatTime } from '../format.js';
import { renderGraph } from '../graph_view.js';
import { HistorySummary } from '../history_summary.js';
import { statusBadge } from '../status_badge.js';
import { historyTable } from './history_table.js';
import { stateDetails } from './state_details.js';
import { timeline } from './timeline.js';

function header(execution, live) {
  const machine = execution.state_machine;
  return [
    h('h1', { class: 'execution-title' }, execution.name, ' ',
      h('span', { class: 'execution-status' }, statusBadge(execution.status)),
      live ? h('span', { class: 'live-dot', title: 'Updating live' }, 'live') : null),
    h('dl', { class: 'facts inline' },
      h('dt', {}, 'State machine'),
      h('dd', {}, link(`/machines/${encodeURIComponent(machine)}`, machine),
        ` v${execution.state_machine_version}`),
      h('dt', {}, 'Started'), h('dd', {}, formatTime(execution.start_time)),
      h('dt', {}, 'Duration'), h('dd', { class: 'execution-duration' },
                                 formatDuration(executionDuration(execution))),
      execution.parent_execution_id ? [h('dt', {}, 'Started by'), h('dd', {},
        link(`/executions/${encodeURIComponent(execution.parent_execution_id)}`,
             execution.parent_execution_id.split(':').pop()))] : null,
      execution.redrive_count ? [h('dt', {}, 'Redriven'), h('dd', {}, execution.redrive_count)] : null,
      h('dt', {}, 'Id'), h('dd', {}, h('code', {}, execution.execution_id))),
  ];
}

export async function renderExecution(main, { segments }) {
  const id = segments[1];
  let execution = await getJson(['executions', id]);
  // A deleted state machine takes its definitions along; its executions keep their histories.
  let definition = null;
  try {
    definition = (await getJson(['state-machines', execution.state_machine],
                                { version: execution.state_machine_version })).definition;
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
  }
  const summary = new HistorySummary(definition);
  let selected = null;
  let scheduled = false;
  let stream = null;
  let ticker = null;
  let closed = false;

  const head = h('header', { class: 'page-head' });
  const details = stateDetails();
  const graphBox = h('div', { class: 'graph-box' });
  const chart = timeline((name) => select(name));
  const history = historyTable();
  const graph = renderGraph(graphBox, definition, { onSelect: (name) => select(name) });

  function select(name) {
    selected = selected === name ? null : name;
    graph.select(selected);
    redraw();
  }

  function redraw() {
    const now = Date.now();
    const running = execution.status === 'RUNNING';
    replaceChildren(head, header(execution, running && stream !== null));
    graph.setStatuses(summary.statuses());
    const start = Date.parse(execution.start_time);
    const end = execution.stop_time ? Date.parse(execution.stop_time) : now;
    chart.update(summary, start, end);
    if (selected) details.showState(selected, summary, now);
    else details.showExecution(execution);
  }

  // Events come in bursts (a whole history at first): draw once per frame, not per event.
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      if (!closed) redraw();
    });
  }

  async function ended() {
    execution = await getJson(['executions', id]);
    stream = null;
    clearInterval(ticker);
    if (!closed) redraw();
  }

  replaceChildren(main, head,
    h('div', { class: 'execution-layout' }, h('section', { class: 'graph-panel' },
      definition === null ? h('p', { class: 'table-message' },
        'Its state machine was deleted, and its definition with it: the history below is all ' +
        'there is.') : null,
      graphBox),
      details.element),
    chart.element, history.element);
  redraw();
  stream = followEvents(id, {
    onEvent: (event) => {
      summary.add(event);
      history.add(event);
      schedule();
    },
    onEnd: () => ended().catch(() => {}),
    onError: (error) => history.fail(error.message),
  });
  // A running execution's duration and running bars grow even when no event comes.
  if (execution.status === 'RUNNING') ticker = setInterval(schedule, 1000);
  return () => {
    closed = true;
    stream?.close();
    clearInterval(ticker);
  };
}
