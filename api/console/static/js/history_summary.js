// Turns an execution's history events into what the console shows for each state: its status
// (succeeded, failed, running, caught, aborted), how often it was entered, its last input and
// output, its last error, and the time spans it was in. Pure (no DOM): tests run it in Node.
//
// History events name the state they concern only for Entered, Exited and the Parallel/Map
// events; a few rules recover the rest:
// - A normal transition always records the old state's Exited event right before the new
//   state's Entered event. An Entered event after anything else, into a state that a running
//   state's Catch points to, means that state's error was caught.
// - A Task's failure events (TaskFailed, TaskTimedOut, ...) name no state: they belong to the
//   Task state entered most recently that is still running.
// - When a Parallel or Map state ends, whatever still runs inside it was cancelled; when the
//   execution ends, whatever still runs ends with it.

const FAILURE_WITHOUT_STATE = /(Failed|TimedOut)$/;
const GROUP_TYPES = new Set(['Parallel', 'Map']);

/** Every state of a definition, nested ones included: name -> {state, parent group name}. */
export function indexStates(definition) {
  const index = new Map();
  const visit = (machine, parent) => {
    const states = machine && typeof machine.States === 'object' ? machine.States : {};
    for (const [name, state] of Object.entries(states ?? {})) {
      if (!state || typeof state !== 'object') continue;
      if (!index.has(name)) index.set(name, { state, parent });
      for (const branch of Array.isArray(state.Branches) ? state.Branches : []) visit(branch, name);
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor) visit(processor, name);
    }
  };
  visit(definition, null);
  return index;
}

function catchTargets(state) {
  return new Set((Array.isArray(state?.Catch) ? state.Catch : []).map((c) => c?.Next));
}

export class HistorySummary {
  constructor(definition) {
    this.index = indexStates(definition);
    this.states = new Map();  // name -> StateSummary, in order of first entry
    this.previousType = '';
    this.lastEventId = 0;
    this.ended = null;  // the execution's end: {type, time}
  }

  /** The summary of a state, made on first use. */
  summary(name) {
    let summary = this.states.get(name);
    if (!summary) {
      summary = { name, count: 0, open: [], spans: [], input: undefined, output: undefined,
                  error: null, status: null };
      this.states.set(name, summary);
    }
    return summary;
  }

  /** Takes the next event (in id order; an event already taken is ignored). */
  add(event) {
    if (event.id <= this.lastEventId) return;
    this.lastEventId = event.id;
    const type = event.type ?? '';
    const time = Date.parse(event.timestamp);
    const name = event.state_name;
    const details = event.details ?? {};
    if (name && type.endsWith('StateEntered')) this.entered(name, time, details, type);
    else if (name && type.endsWith('StateExited')) this.closeOne(name, time, 'succeeded', details);
    else if (name && (type === 'MapStateFailed' || type === 'ParallelStateFailed')) {
      this.recordError(name, details);
      this.closeOne(name, time, 'failed');
    } else if (name && type === 'MapIterationFailed') {
      this.closeInside(name, time, 'failed', (inner) => inner.error !== null);
    } else if (!name && FAILURE_WITHOUT_STATE.test(type) && !type.startsWith('Execution')) {
      const task = this.latestOpenTask();
      if (task) this.recordError(task.name, details);
    } else if (type.startsWith('Execution') && type !== 'ExecutionStarted' &&
               type !== 'ExecutionRedriven') {
      this.ended = { type, time };
      const status = type === 'ExecutionAborted' ? 'aborted' : 'failed';
      for (const summary of this.states.values()) {
        while (summary.open.length) this.closeOne(summary.name, time, status, undefined);
      }
    }
    this.previousType = type;
  }

  entered(name, time, details, type) {
    if (this.previousType !== '' && !this.previousType.endsWith('StateExited') &&
        !this.previousType.endsWith('Started')) {
      this.catchInto(name, time);
    }
    const summary = this.summary(name);
    summary.count += 1;
    if ('input' in details) summary.input = details.input;
    const span = { start: time, end: null, status: 'running' };
    summary.spans.push(span);
    summary.open.push(span);
    if (type === 'FailStateEntered') {
      summary.error = { error: details.error, cause: details.cause };
      this.closeOne(name, time, 'failed');
    }
    this.refresh(summary);
  }

  // `target` was entered other than by a transition: the running state whose Catch leads
  // there failed and was caught.
  catchInto(target, time) {
    for (const summary of [...this.states.values()].reverse()) {
      if (!summary.open.length) continue;
      if (!catchTargets(this.index.get(summary.name)?.state).has(target)) continue;
      this.closeOne(summary.name, time, 'caught');
      return;
    }
  }

  latestOpenTask() {
    let latest = null;
    for (const summary of this.states.values()) {
      const span = summary.open[summary.open.length - 1];
      if (!span) continue;
      if (this.index.get(summary.name)?.state?.Type !== 'Task') continue;
      if (!latest || span.start >= latest.span.start) latest = { name: summary.name, span };
    }
    return latest;
  }

  recordError(name, details) {
    const error = details.error ?? details.Error;
    const cause = details.cause ?? details.Cause;
    this.summary(name).error = { error: error ?? 'unknown', cause: cause ?? '' };
  }

  closeOne(name, time, status, details) {
    const summary = this.summary(name);
    const span = summary.open.shift();
    if (span) {
      span.end = time;
      span.status = status;
    }
    if (details && 'output' in details) summary.output = details.output;
    if (GROUP_TYPES.has(this.index.get(name)?.state?.Type) && !summary.open.length) {
      this.closeInside(name, time, status === 'succeeded' ? 'aborted' : status, () => true);
    }
    this.refresh(summary);
  }

  // Ends what still runs inside group `group` (directly or deeper) and passes `which`.
  closeInside(group, time, status, which) {
    for (const summary of this.states.values()) {
      if (!summary.open.length || !this.isInside(summary.name, group) || !which(summary)) continue;
      while (summary.open.length) this.closeOne(summary.name, time, status, undefined);
    }
  }

  isInside(name, group) {
    for (let parent = this.index.get(name)?.parent; parent; parent = this.index.get(parent)?.parent) {
      if (parent === group) return true;
    }
    return false;
  }

  // One status for all of a state's visits: running while any visit runs, else the worst.
  refresh(summary) {
    const statuses = new Set(summary.spans.map((span) => span.status));
    for (const status of ['running', 'failed', 'caught', 'aborted', 'succeeded']) {
      if (statuses.has(status)) {
        summary.status = status;
        return;
      }
    }
    summary.status = null;
  }

  /** name -> {status, count}, as the graph's setStatuses takes it. */
  statuses() {
    const result = new Map();
    for (const summary of this.states.values()) {
      if (summary.status) result.set(summary.name, { status: summary.status, count: summary.count });
    }
    return result;
  }
}
