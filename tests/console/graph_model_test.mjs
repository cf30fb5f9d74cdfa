// Unit tests of the state machine graph model (api/console/static/js/graph_model.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { buildGraph, summarizeRule, describeRule, truncateText, LABEL_MAX_CHARS }
  from '../../api/console/static/js/graph_model.js';
import { conformanceDefinitions } from './conformance_definitions.mjs';

const examplesDir = new URL('../../examples/', import.meta.url);

function example(name) {
  return JSON.parse(fs.readFileSync(new URL(`${name}/workflow.json`, examplesDir), 'utf8'));
}

function nodeNamed(graph, name) {
  return graph.nodes.find((node) => node.name === name);
}

// Edges as 'from>to:kind[:label]' for compact comparison.
function edgeList(graph) {
  return graph.edges.map((edge) =>
    `${edge.fromName}>${edge.toName}:${edge.kind}${edge.label ? `:${edge.label}` : ''}`);
}

function allGraphs(graph, found = []) {
  found.push(graph);
  for (const node of graph.nodes) for (const branch of node.branches ?? []) allGraphs(branch, found);
  return found;
}


test('a sequence gets Start, its states in order, and End', () => {
  const graph = buildGraph(example('hello-world'));
  assert.deepEqual(graph.nodes.map((node) => [node.kind, node.name, node.type]), [
    ['start', 'START', 'Start'], ['state', 'Greet', 'Pass'], ['state', 'Pause', 'Wait'],
    ['state', 'Done', 'Succeed'], ['end', 'END', 'End'],
  ]);
  assert.deepEqual(edgeList(graph),
                   ['START>Greet:next', 'Greet>Pause:next', 'Pause>Done:next', 'Done>END:next']);
  assert.deepEqual(graph.warnings, []);
});

test('edges point at node ids of the same graph', () => {
  const graph = buildGraph(example('order-pipeline'));
  const ids = new Set(graph.nodes.map((node) => node.id));
  for (const edge of graph.edges) {
    assert.ok(ids.has(edge.from) && ids.has(edge.to), JSON.stringify(edge));
    assert.equal(graph.nodes.find((node) => node.id === edge.from).name, edge.fromName);
    assert.equal(graph.nodes.find((node) => node.id === edge.to).name, edge.toName);
  }
});

test('Choice rules, Default and Catch become labelled edges; Fail states go to End', () => {
  const graph = buildGraph(example('order-pipeline'));
  assert.deepEqual(edgeList(graph), [
    'START>Charge:next', 'Charge>Route:next', 'Charge>RecordFailure:catch:States.ALL',
    'Route>ReviewLargeOrder:choice:And(…)', 'Route>Ship:default:Default',
    'ReviewLargeOrder>Ship:next', 'Ship>END:next', 'RecordFailure>END:next',
  ]);
  const andRule = graph.edges.find((edge) => edge.kind === 'choice');
  assert.equal(andRule.title, 'And($.total present, $.total >= 1000)');
});

test('rules are summarised as short expressions', () => {
  assert.equal(summarizeRule({ Variable: '$.x', NumericGreaterThan: 3, Next: 'A' }), '$.x > 3');
  assert.equal(summarizeRule({ Variable: '$.status', StringEquals: 'ok', Next: 'A' }),
               '$.status == "ok"');
  assert.equal(summarizeRule({ Variable: '$.a', NumericLessThanEqualsPath: '$.b' }), '$.a <= $.b');
  assert.equal(summarizeRule({ Variable: '$.t', TimestampGreaterThanEquals: '2024-01-01T00:00:00Z' }),
               '$.t >= "2024-01-01T00:00:00…');
  assert.equal(summarizeRule({ Variable: '$.a', IsPresent: false }), '$.a absent');
  assert.equal(summarizeRule({ Variable: '$.a', IsNull: true }), '$.a is null');
  assert.equal(summarizeRule({ Variable: '$.a', IsNumeric: true }), '$.a is numeric');
  assert.equal(summarizeRule({ Not: { Variable: '$.a', BooleanEquals: true } }), 'Not($.a == true)');
  assert.equal(summarizeRule({ Or: [{ Variable: '$.n', NumericEquals: 1 }] }), 'Or($.n == 1)');
  const long = { And: [{ Variable: '$.alpha', IsPresent: true }, { Variable: '$.beta', IsString: true }] };
  assert.equal(summarizeRule(long), 'And(…)');
  assert.equal(describeRule(long), 'And($.alpha present, $.beta is string)');
  assert.equal(summarizeRule({ Condition: '{% $states.input.ok %}' }), '$states.input.ok');
  assert.equal(summarizeRule({ Condition: "{% $states.input.type = 'Public' %}" }),
               "$states.input.type = 'Publi…");
  assert.equal(summarizeRule(null), '?');
});

test('labels never exceed the limit and end with an ellipsis when cut', () => {
  assert.equal(truncateText('abc', 5), 'abc');
  assert.equal(truncateText('abcdef', 5), 'abcd…');
  const errors = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'];
  const graph = buildGraph({ StartAt: 'T', States: {
    T: { Type: 'Task', Resource: 'r', End: true, Catch: [{ ErrorEquals: errors, Next: 'F' }] },
    F: { Type: 'Fail' },
  } });
  const caught = graph.edges.find((edge) => edge.kind === 'catch');
  assert.equal(Array.from(caught.label).length, LABEL_MAX_CHARS);
  assert.ok(caught.label.endsWith('…'));
  assert.equal(caught.title, `Catch: ${errors.join(', ')}`);
});

test('Choice rules to the same state merge; edges of other kinds between a pair stay apart', () => {
  const graph = buildGraph({ StartAt: 'C', States: {
    C: { Type: 'Choice', Default: 'A', Choices: [
      { Variable: '$.x', NumericEquals: 1, Next: 'A' },
      { Variable: '$.x', NumericEquals: 2, Next: 'A' },
      { Variable: '$.x', NumericEquals: 3, Next: 'B' },
    ] },
    A: { Type: 'Task', Resource: 'r', Next: 'B', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'B' }] },
    B: { Type: 'Succeed' },
  } });
  assert.deepEqual(edgeList(graph), [
    'START>C:next', 'C>A:choice:$.x == 1 | $.x == 2', 'C>B:choice:$.x == 3', 'C>A:default:Default',
    'A>B:next', 'A>B:catch:States.ALL', 'B>END:next',
  ]);
});

test('Parallel branches and Map iterators are nested subgraphs with their own Start and End', () => {
  const graph = buildGraph(example('fan-out'));
  const map = nodeNamed(graph, 'EachItem');
  const parallel = nodeNamed(graph, 'Summarise');
  assert.equal(map.branches.length, 1);
  assert.equal(parallel.branches.length, 2);
  assert.deepEqual(edgeList(map.branches[0]), ['START>Double:next', 'Double>END:next']);
  assert.deepEqual(parallel.branches.map(edgeList), [
    ['START>Count:next', 'Count>END:next'], ['START>First:next', 'First>END:next'],
  ]);
  assert.equal(nodeNamed(graph, 'Double'), undefined, 'nested states stay in their subgraph');
});

test('nesting goes as deep as the definition, legacy Iterator included', () => {
  const leaf = { StartAt: 'Leaf', States: { Leaf: { Type: 'Pass', End: true } } };
  const definition = { StartAt: 'M', States: {
    M: { Type: 'Map', Iterator: { StartAt: 'P', States: {
      P: { Type: 'Parallel', End: true, Branches: [leaf, { StartAt: 'M2', States: {
        M2: { Type: 'Map', ItemProcessor: leaf, End: true } } }] } } }, End: true },
  } };
  const graph = buildGraph(definition);
  const inner = nodeNamed(graph, 'M').branches[0];
  const parallel = nodeNamed(inner, 'P');
  const deepest = nodeNamed(parallel.branches[1], 'M2').branches[0];
  assert.deepEqual(edgeList(deepest), ['START>Leaf:next', 'Leaf>END:next']);
  const ids = allGraphs(graph).flatMap((g) => [...g.nodes.map((n) => n.id), ...g.edges.map((e) => e.id)]);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique across the model');
});

test('the same definition always gives the same model', () => {
  const definition = example('order-pipeline');
  assert.deepEqual(buildGraph(definition), buildGraph(structuredClone(definition)));
});

test('odd definitions do not throw and keep what can be drawn', () => {
  for (const definition of [undefined, null, 42, 'not json', [], {}, { States: null },
                            { StartAt: 'X' }, { StartAt: 'X', States: { X: null } },
                            { StartAt: 'X', States: { X: { Type: 'Parallel', Branches: 'no' } } },
                            { StartAt: 'X', States: { X: { Type: 'Choice', Choices: [1, null] } } }]) {
    const graph = buildGraph(definition);
    assert.equal(graph.nodes[0].kind, 'start');
  }
  const graph = buildGraph({ StartAt: 'A "b" <c> & d', Unknown: true, States: {
    'A "b" <c> & d': { Type: 'Pass', Next: 'Nowhere', Extra: { deep: 1 } },
    Lone: { Type: 'Mystery' },
  } });
  assert.deepEqual(edgeList(graph), ['START>A "b" <c> & d:next']);
  assert.equal(nodeNamed(graph, 'Lone').type, 'Mystery');
  assert.equal(graph.warnings.length, 1);
  assert.match(graph.warnings[0], /Nowhere/);
  assert.deepEqual(edgeList(buildGraph('{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}')),
                   ['START>A:next', 'A>END:next']);
});

test('every conformance definition builds, with edges only to known nodes', () => {
  const definitions = conformanceDefinitions();
  for (const [name, definition] of definitions) {
    const graph = buildGraph(definition);
    for (const sub of allGraphs(graph)) {
      const ids = new Set(sub.nodes.map((node) => node.id));
      for (const edge of sub.edges) assert.ok(ids.has(edge.from) && ids.has(edge.to), name);
      assert.equal(sub.nodes.filter((node) => node.kind === 'start').length, 1, name);
      assert.ok(sub.nodes.filter((node) => node.kind === 'end').length <= 1, name);
    }
  }
});
