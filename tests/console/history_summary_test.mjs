// Unit tests of the console's history reading (api/console/static/js/history_summary.js), on
// event sequences as the engine records them (taken from `stepwise run --history`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HistorySummary, indexStates } from '../../api/console/static/js/history_summary.js';

const definition = {
  StartAt: 'Work',
  States: {
    Work: { Type: 'Task', Resource: 'function:boom', Next: 'Done',
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Recover' }] },
    Recover: { Type: 'Pass', Next: 'Fan' },
    Fan: { Type: 'Map', Next: 'Done',
           ItemProcessor: { StartAt: 'Inner', States: { Inner: { Type: 'Task', Resource: 'f', End: true } } } },
    Done: { Type: 'Succeed' },
  },
};

// Events in the REST API's shape, numbered from 1, a second apart.
function history(...events) {
  return events.map(([type, state_name, details = {}], i) => ({
    id: i + 1, type, state_name, details,
    timestamp: new Date(Date.UTC(2026, 10, 25, 10, 0, i)).toISOString(),
  }));
}

function summarise(events) {
  const summary = new HistorySummary(definition);
  for (const event of events) summary.add(event);
  return summary;
}

const caughtThenMap = history(
  ['ExecutionStarted'],
  ['TaskStateEntered', 'Work', { input: { items: [1, 2] } }],
  ['TaskScheduled'], ['TaskStarted'],
  ['TaskFailed', undefined, { error: 'States.TaskFailed', cause: 'exit 1' }],
  ['TaskScheduled'], ['TaskStarted'],
  ['TaskFailed', undefined, { error: 'States.TaskFailed', cause: 'exit 1 again' }],
  ['PassStateEntered', 'Recover'], ['PassStateExited', 'Recover'],
  ['MapStateEntered', 'Fan'], ['MapStateStarted'],
  ['MapIterationStarted', 'Fan'], ['TaskStateEntered', 'Inner', { input: 1 }],
  ['TaskStateExited', 'Inner', { output: 1 }], ['MapIterationSucceeded', 'Fan'],
  ['MapIterationStarted', 'Fan'], ['TaskStateEntered', 'Inner', { input: 2 }],
  ['TaskStateExited', 'Inner', { output: 2 }], ['MapIterationSucceeded', 'Fan'],
  ['MapStateSucceeded'], ['MapStateExited', 'Fan', { output: [1, 2] }],
  ['SucceedStateEntered', 'Done'], ['SucceedStateExited', 'Done'],
  ['ExecutionSucceeded'],
);

test('a state left through its Catch is caught, with its last error', () => {
  const work = summarise(caughtThenMap).states.get('Work');
  assert.equal(work.status, 'caught');
  assert.deepEqual(work.error, { error: 'States.TaskFailed', cause: 'exit 1 again' });
  assert.deepEqual(work.input, { items: [1, 2] });
  assert.equal(work.spans[0].end - work.spans[0].start, 7000);
});

test('states entered by transitions succeed, and a Map iteration counts each visit', () => {
  const statuses = summarise(caughtThenMap).statuses();
  assert.deepEqual(statuses.get('Recover'), { status: 'succeeded', count: 1 });
  assert.deepEqual(statuses.get('Inner'), { status: 'succeeded', count: 2 });
  assert.deepEqual(statuses.get('Fan'), { status: 'succeeded', count: 1 });
  assert.deepEqual(statuses.get('Done'), { status: 'succeeded', count: 1 });
  assert.equal(summarise(caughtThenMap).states.get('Inner').output, 2);
});

test('a state waiting for its task is running, and the execution is not ended', () => {
  const summary = summarise(caughtThenMap.slice(0, 4));
  assert.deepEqual(summary.statuses().get('Work'), { status: 'running', count: 1 });
  assert.equal(summary.states.get('Work').spans[0].end, null);
  assert.equal(summary.ended, null);
});

test('a failure the state cannot catch fails it when the execution fails', () => {
  const summary = summarise(history(
    ['ExecutionStarted'], ['TaskStateEntered', 'Recover'], ['PassStateExited', 'Recover'],
    ['MapStateEntered', 'Fan'], ['MapIterationStarted', 'Fan'], ['TaskStateEntered', 'Inner'],
    ['TaskScheduled'], ['TaskFailed', undefined, { error: 'Boom', cause: 'bad item' }],
    ['MapIterationFailed', 'Fan'], ['MapStateFailed', 'Fan', { error: 'Boom', cause: 'bad item' }],
    ['ExecutionFailed', undefined, { error: 'Boom', cause: 'bad item' }],
  ));
  assert.equal(summary.states.get('Inner').status, 'failed');
  assert.deepEqual(summary.states.get('Inner').error, { error: 'Boom', cause: 'bad item' });
  assert.equal(summary.states.get('Fan').status, 'failed');
  assert.equal(summary.ended.type, 'ExecutionFailed');
});

test('a stopped execution leaves its running states aborted', () => {
  const summary = summarise(history(
    ['ExecutionStarted'], ['TaskStateEntered', 'Work'], ['TaskScheduled'], ['ExecutionAborted'],
  ));
  assert.equal(summary.states.get('Work').status, 'aborted');
});

test('a Fail state is failed as soon as it is entered', () => {
  const summary = new HistorySummary({ StartAt: 'No', States: { No: { Type: 'Fail' } } });
  summary.add({ id: 1, type: 'ExecutionStarted', timestamp: '2026-11-25T10:00:00Z' });
  summary.add({ id: 2, type: 'FailStateEntered', state_name: 'No',
                timestamp: '2026-11-25T10:00:00Z', details: { error: 'E', cause: 'C' } });
  assert.equal(summary.states.get('No').status, 'failed');
  assert.deepEqual(summary.states.get('No').error, { error: 'E', cause: 'C' });
});

test('an event seen twice (a reconnecting stream) is taken once', () => {
  const summary = summarise([...caughtThenMap.slice(0, 3), ...caughtThenMap.slice(0, 3)]);
  assert.equal(summary.states.get('Work').count, 1);
});

test('nested states are indexed with the group they run in', () => {
  const index = indexStates(definition);
  assert.equal(index.get('Inner').parent, 'Fan');
  assert.equal(index.get('Work').parent, null);
  assert.equal(indexStates({}).size, 0);
});
