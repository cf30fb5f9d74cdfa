// Unit tests of the state machine graph layout (api/console/static/js/graph_layout.js and the
// layered layout and routing under it): geometric properties on real and synthetic machines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { buildGraph } from '../../api/console/static/js/graph_model.js';
import { layoutGraph, fitText, estimateTextWidth }
  from '../../api/console/static/js/graph_layout.js';
import { conformanceDefinitions } from './conformance_definitions.mjs';

const EPSILON = 0.5;
const examplesDir = new URL('../../examples/', import.meta.url);

function example(name) {
  return JSON.parse(fs.readFileSync(new URL(`${name}/workflow.json`, examplesDir), 'utf8'));
}

const loop = { StartAt: 'Init', States: {
  Init: { Type: 'Pass', Next: 'Work' },
  Work: { Type: 'Task', Resource: 'r', Next: 'Check',
          Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Cleanup' }] },
  Check: { Type: 'Choice', Default: 'Give up', Choices: [
    { Variable: '$.done', BooleanEquals: true, Next: 'Finish' },
    { Variable: '$.attempts', NumericLessThan: 5, Next: 'Wait a bit' }] },
  'Wait a bit': { Type: 'Wait', Seconds: 2, Next: 'Work' },
  Finish: { Type: 'Succeed' },
  'Give up': { Type: 'Fail' },
  Cleanup: { Type: 'Pass', Next: 'Init' },
  Again: { Type: 'Pass', Next: 'Again' },
} };

const deep = { StartAt: 'Outer', States: {
  Outer: { Type: 'Map', Next: 'Done', ItemProcessor: { StartAt: 'Prep', States: {
    Prep: { Type: 'Pass', Next: 'Fan' },
    Fan: { Type: 'Parallel', Next: 'Post', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Oops' }],
           Branches: [
             { StartAt: 'A1', States: { A1: { Type: 'Task', Resource: 'r', Next: 'A2' },
                                        A2: { Type: 'Pass', End: true } } },
             { StartAt: 'Inner', States: { Inner: { Type: 'Map', End: true, Iterator: {
               StartAt: 'Leaf', States: { Leaf: { Type: 'Task', Resource: 'r', End: true } } } } } },
             { StartAt: 'C1', States: { C1: { Type: 'Succeed' } } }] },
    Post: { Type: 'Pass', End: true },
    Oops: { Type: 'Fail' } } } },
  Done: { Type: 'Succeed' },
} };

const fiveRules = { StartAt: 'Load', States: {
  Load: { Type: 'Task', Resource: 'r', Next: 'Route', Catch: [
    { ErrorEquals: ['Lambda.ServiceException', 'Lambda.TooManyRequestsException'], Next: 'Later' },
    { ErrorEquals: ['States.ALL'], Next: 'Failed' }] },
  Route: { Type: 'Choice', Default: 'Other', Choices: [
    { Variable: '$.x', NumericGreaterThan: 3, Next: 'Big' },
    { Variable: '$.status', StringEquals: 'ok', Next: 'Ok' },
    { And: [{ Variable: '$.a', IsPresent: true }, { Variable: '$.b', StringMatches: 'l*' }], Next: 'Logs' },
    { Not: { Variable: '$.type', StringEquals: 'Private' }, Next: 'Public' },
    { Variable: '$.n', NumericEquals: 1, Next: 'Ok' }] },
  Big: { Type: 'Pass', Next: 'Join' }, Ok: { Type: 'Pass', Next: 'Join' },
  Logs: { Type: 'Pass', Next: 'Join' }, Public: { Type: 'Pass', Next: 'Join' },
  Other: { Type: 'Pass', Next: 'Join' }, Join: { Type: 'Pass', End: true },
  Later: { Type: 'Wait', Seconds: 60, Next: 'Load' }, Failed: { Type: 'Fail' },
} };

// A long machine with loops, skips, catches and Parallel states every few steps.
function longMachine(count) {
  const States = {};
  for (let i = 0; i < count; i += 1) {
    const next = `Step${i + 1}`;
    if (i === count - 1) States[`Step${i}`] = { Type: 'Succeed' };
    else if (i % 9 === 4) {
      States[`Step${i}`] = { Type: 'Choice', Default: next, Choices: [
        { Variable: '$.v', NumericGreaterThan: i, Next: `Step${Math.min(count - 1, i + 3)}` },
        { Variable: '$.retry', BooleanEquals: true, Next: `Step${Math.max(0, i - 3)}` }] };
    } else if (i % 13 === 7) {
      States[`Step${i}`] = { Type: 'Parallel', Next: next, Branches: [
        { StartAt: `P${i}a`, States: { [`P${i}a`]: { Type: 'Task', Resource: 'r', End: true } } },
        { StartAt: `P${i}b`, States: { [`P${i}b`]: { Type: 'Pass', End: true } } }] };
    } else {
      const caught = i % 11 === 2 ? { Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Bail' }] } : {};
      States[`Step${i}`] = { Type: 'Task', Resource: 'r', Next: next, ...caught };
    }
  }
  States.Bail = { Type: 'Fail' };
  return { StartAt: 'Step0', States };
}


const samples = () => [
  ['hello-world', example('hello-world')], ['order-pipeline', example('order-pipeline')],
  ['fan-out', example('fan-out')], ['loop', loop], ['deep', deep], ['five rules', fiveRules],
  ['long machine', longMachine(60)],
];

// Every (sub)graph of a layout, with the box it must stay in.
function graphsOf(layout) {
  const found = [{ graph: layout, box: { x: 0, y: 0, width: layout.width, height: layout.height } }];
  const visit = (graph) => {
    for (const node of graph.nodes) {
      for (const branch of node.branches ?? []) {
        found.push({ graph: branch, box: branch, group: node });
        visit(branch);
      }
    }
  };
  visit(layout);
  return found;
}

function overlaps(a, b, margin = 0) {
  return a.x < b.x + b.width + margin && b.x < a.x + a.width + margin &&
    a.y < b.y + b.height + margin && b.y < a.y + a.height + margin;
}

function contains(outer, inner) {
  return inner.x >= outer.x - EPSILON && inner.y >= outer.y - EPSILON &&
    inner.x + inner.width <= outer.x + outer.width + EPSILON &&
    inner.y + inner.height <= outer.y + outer.height + EPSILON;
}

function onBoundary(point, box) {
  const inside = point.x >= box.x - EPSILON && point.x <= box.x + box.width + EPSILON &&
    point.y >= box.y - EPSILON && point.y <= box.y + box.height + EPSILON;
  const onAnEdge = Math.abs(point.x - box.x) < EPSILON || Math.abs(point.x - box.x - box.width) < EPSILON ||
    Math.abs(point.y - box.y) < EPSILON || Math.abs(point.y - box.y - box.height) < EPSILON;
  return inside && onAnEdge;
}

function segmentBox(a, b) {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y),
           width: Math.abs(a.x - b.x), height: Math.abs(a.y - b.y) };
}

function shrunk(box, by) {
  return { x: box.x + by, y: box.y + by, width: box.width - 2 * by, height: box.height - 2 * by };
}

function eachSample(check) {
  for (const [name, definition] of samples()) check(name, layoutGraph(buildGraph(definition)));
}

test('no two nodes of a graph overlap, nor do edge labels, with nodes or each other', () => {
  eachSample((name, layout) => {
    for (const { graph } of graphsOf(layout)) {
      const boxes = [...graph.nodes.map((node) => ({ what: node.name, box: node })),
                     ...graph.edges.filter((edge) => edge.labelBox)
                       .map((edge) => ({ what: `label ${edge.label}`, box: edge.labelBox }))];
      for (let i = 0; i < boxes.length; i += 1) {
        for (let j = i + 1; j < boxes.length; j += 1) {
          assert.ok(!overlaps(boxes[i].box, boxes[j].box),
                    `${name}: ${boxes[i].what} overlaps ${boxes[j].what}`);
        }
      }
    }
  });
});

test('every edge starts on its source box and ends on its target box', () => {
  eachSample((name, layout) => {
    for (const { graph } of graphsOf(layout)) {
      const byId = new Map(graph.nodes.map((node) => [node.id, node]));
      for (const edge of graph.edges) {
        assert.ok(edge.points.length >= 2, `${name}: ${edge.fromName}>${edge.toName} has a route`);
        assert.ok(onBoundary(edge.points[0], byId.get(edge.from)), `${name}: ${edge.fromName} start`);
        assert.ok(onBoundary(edge.points.at(-1), byId.get(edge.to)), `${name}: ${edge.toName} end`);
      }
    }
  });
});

test('edge routes go around the nodes they do not join', () => {
  eachSample((name, layout) => {
    for (const { graph } of graphsOf(layout)) {
      for (const edge of graph.edges) {
        for (const node of graph.nodes) {
          if (node.id === edge.from || node.id === edge.to) continue;
          for (let i = 0; i + 1 < edge.points.length; i += 1) {
            const segment = segmentBox(edge.points[i], edge.points[i + 1]);
            assert.ok(!overlaps(segment, shrunk(node, 1)),
                      `${name}: ${edge.fromName}>${edge.toName} crosses ${node.name}`);
          }
        }
      }
    }
  });
});

test('nested graphs stay inside their branch boxes, branches inside their group, side by side', () => {
  eachSample((name, layout) => {
    for (const { graph, box, group } of graphsOf(layout)) {
      for (const node of graph.nodes) assert.ok(contains(box, node), `${name}: ${node.name} outside`);
      for (const edge of graph.edges) {
        for (const point of edge.points) {
          assert.ok(contains(box, { ...point, width: 0, height: 0 }), `${name}: ${edge.fromName} route`);
        }
      }
      if (group) assert.ok(contains(group, box), `${name}: a branch of ${group.name} sticks out`);
    }
    for (const { graph } of graphsOf(layout)) {
      for (const node of graph.nodes.filter((n) => n.type === 'Parallel')) {
        node.branches.forEach((branch, i) => {
          assert.ok(branch.framed);
          if (i === 0) return;
          const previous = node.branches[i - 1];
          assert.equal(branch.y, previous.y, `${name}: branches of ${node.name} on one row`);
          assert.ok(branch.x >= previous.x + previous.width, `${name}: branches of ${node.name} apart`);
        });
      }
    }
  });
});

test('nesting is reflected in the layout, to any depth', () => {
  const layout = layoutGraph(buildGraph(deep));
  const outer = layout.nodes.find((node) => node.name === 'Outer');
  const fan = outer.branches[0].nodes.find((node) => node.name === 'Fan');
  const inner = fan.branches[1].nodes.find((node) => node.name === 'Inner');
  const leaf = inner.branches[0].nodes.find((node) => node.name === 'Leaf');
  assert.equal(fan.branches.length, 3);
  assert.ok(contains(inner, leaf) && contains(fan, inner) && contains(outer, fan));
  assert.equal(outer.branches[0].framed, false, 'a Map iterator has no sub-box');
});

test('Start is on top, End at the bottom, and edges without loops point down', () => {
  for (const name of ['hello-world', 'order-pipeline', 'fan-out']) {
    const layout = layoutGraph(buildGraph(example(name)));
    for (const { graph } of graphsOf(layout)) {
      const start = graph.nodes.find((node) => node.kind === 'start');
      const end = graph.nodes.find((node) => node.kind === 'end');
      const byId = new Map(graph.nodes.map((node) => [node.id, node]));
      for (const node of graph.nodes) {
        if (node !== start) assert.ok(node.y > start.y + start.height, `${name}: ${node.name} below Start`);
        if (node !== end) assert.ok(node.y + node.height < end.y, `${name}: ${node.name} above End`);
      }
      for (const edge of graph.edges) {
        const from = byId.get(edge.from);
        const to = byId.get(edge.to);
        assert.ok(from.y + from.height <= to.y, `${name}: ${edge.fromName}>${edge.toName} points down`);
        assert.ok(edge.points.every((p, i) => i === 0 || p.y >= edge.points[i - 1].y - EPSILON));
      }
    }
  }
});

test('a loop goes back up beside the nodes, leaving and entering them sideways', () => {
  const layout = layoutGraph(buildGraph(loop));
  const byName = new Map(layout.nodes.map((node) => [node.name, node]));
  const back = layout.edges.find((edge) => edge.fromName === 'Wait a bit' && edge.toName === 'Work');
  const [first, last] = [back.points[0], back.points.at(-1)];
  const source = byName.get('Wait a bit');
  const target = byName.get('Work');
  assert.ok(target.y < source.y, 'the loop target is above its source');
  for (const [point, node] of [[first, source], [last, target]]) {
    const sideways = Math.abs(point.x - node.x) < EPSILON || Math.abs(point.x - node.x - node.width) < EPSILON;
    assert.ok(sideways, 'loops attach to the sides');
  }
  const self = layout.edges.find((edge) => edge.fromName === 'Again' && edge.toName === 'Again');
  assert.ok(self.points.length >= 3, 'a state going to itself has a visible loop');
  assert.ok(self.points.some((p) => p.x > byName.get('Again').x + byName.get('Again').width + 5));
});

test('two edges between the same nodes take different routes', () => {
  const layout = layoutGraph(buildGraph({ StartAt: 'A', States: {
    A: { Type: 'Task', Resource: 'r', Next: 'B', Catch: [{ ErrorEquals: ['X'], Next: 'B' }] },
    B: { Type: 'Succeed' } } }));
  const [next, caught] = layout.edges.filter((edge) => edge.fromName === 'A');
  assert.equal(next.kind, 'next');
  assert.equal(caught.kind, 'catch');
  assert.notEqual(next.points[0].x, caught.points[0].x);
  assert.notEqual(next.points.at(-1).x, caught.points.at(-1).x);
});

test('the layout is deterministic and fits its canvas', () => {
  eachSample((name, layout) => {
    const again = layoutGraph(buildGraph(samples().find(([n]) => n === name)[1]));
    assert.deepEqual(again, layout, `${name}: same input, same output`);
    for (const { graph } of graphsOf(layout)) {
      for (const node of graph.nodes) {
        assert.ok(contains({ x: 0, y: 0, width: layout.width, height: layout.height }, node));
        assert.ok(Number.isFinite(node.x + node.y + node.width + node.height), `${name}: finite`);
      }
    }
  });
});

test('sixty states lay out quickly', () => {
  const started = performance.now();
  const layout = layoutGraph(buildGraph(longMachine(60)));
  assert.ok(performance.now() - started < 2000);
  assert.equal(layout.nodes.filter((node) => node.kind === 'state').length, 61);
});

test('odd and empty definitions lay out without throwing', () => {
  for (const definition of [null, {}, { States: {} }, { StartAt: 'A', States: { A: { Type: 'Map' } } },
                            { StartAt: 'A', States: { A: { Type: 'Parallel', Branches: [{}, null] } } },
                            { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'gone' } } }]) {
    const layout = layoutGraph(buildGraph(definition));
    assert.ok(layout.width > 0 && layout.height > 0);
  }
});

test('every conformance definition lays out with its edges attached', () => {
  for (const [name, definition] of conformanceDefinitions()) {
    const layout = layoutGraph(buildGraph(definition));
    for (const { graph } of graphsOf(layout)) {
      const byId = new Map(graph.nodes.map((node) => [node.id, node]));
      for (const edge of graph.edges) {
        assert.ok(onBoundary(edge.points[0], byId.get(edge.from)), name);
        assert.ok(onBoundary(edge.points.at(-1), byId.get(edge.to)), name);
      }
    }
  }
});

test('names too long for a box are cut to fit, with an ellipsis', () => {
  const name = 'A very very long state name that goes on and on forever';
  const layout = layoutGraph(buildGraph({ StartAt: name, States: { [name]: { Type: 'Pass', End: true } } }));
  const node = layout.nodes.find((n) => n.name === name);
  assert.ok(node.text.endsWith('…') && node.text.length < name.length);
  assert.ok(estimateTextWidth(node.text, 13, true) <= node.width);
  assert.equal(fitText('short', 100, 13), 'short');
});
