// A simplified Sugiyama layout for one directed graph of boxes, top to bottom, knowing nothing
// of ASL: it breaks cycles with a depth-first search, puts nodes in layers by their longest
// path from the first node, threads long edges through dummy nodes, orders each layer with
// barycenter sweeps, and places nodes horizontally by least squares under separation
// constraints. Edge routes are computed by graph_route.js.
//
// Exported API:
//   layeredLayout(nodes, edges, options) -> { width, height, nodes: Map, edges: Map }
//     nodes:   [{ id, width, height, padRight? }]   (padRight: room kept free on the right)
//     edges:   [{ id, from, to, labelWidth?, labelHeight? }]
//     options: { firstId?, lastId? }  (the node kept alone on top / at the very bottom)
//     result:  node id -> { x, y } (centre); edge id -> { points: [{x, y}], label: {x, y} | null }
//
// Layers alternate: even layers hold the real nodes, odd layers only dummies, which carry the
// edge labels, so labels take part in ordering and spacing and never sit on top of a node.
// Ordering within layers is in graph_order.js, edge routing in graph_route.js.

import { allocatePorts, portPoint, routeEdges, SELF_LOOP_REACH } from './graph_route.js';
import { moveBeside, orderLayers } from './graph_order.js';

const LAYER_GAP = 22;
const MAX_LAYER_GAP = 60;
// How much taller a gap grows per pixel an edge moves sideways in it, so curves stay gentle.
const GAP_PER_SHIFT = 0.25;
const PLACEMENT_ROUNDS = 10;
const BALANCING_ROUNDS = 12;
const LARGEST_JOG_REMOVED = 80;
const NODE_GAP = 28;
const DUMMY_GAP = 10;
const DUMMY_NODE_GAP = 16;
const SELF_LOOP = 'self';
const BACK = 'back';
const FORWARD = 'forward';

/**
 * Lays out a directed graph in layers, top to bottom. Deterministic: the same input (in the
 * same order) always gives the same output. Edges naming unknown nodes are ignored.
 * @param {{id: string, width: number, height: number, padRight?: number}[]} nodes
 * @param {{id: string, from: string, to: string, labelWidth?: number, labelHeight?: number}[]} edges
 * @param {{firstId?: string, lastId?: string}} [options]
 * @returns {{width: number, height: number, nodes: Map<string, {x: number, y: number}>,
 *            edges: Map<string, {points: {x: number, y: number}[], label: ?{x: number, y: number}}>}}
 */
export function layeredLayout(nodes, edges, options = {}) {
  const graph = indexGraph(nodes, edges);
  const backEdges = findBackEdges(graph, options.firstId);
  const ranks = assignRanks(graph, backEdges, options);
  const layered = buildLayers(graph, ranks, backEdges);
  orderLayers(layered.layers, () => keepSideDummiesBesideTheirNodes(layered));
  assignX(layered.layers);
  const ports = allocatePorts(layered.chains);
  removeSmallJogs(layered, ports);
  straightenChains(layered, ports);
  const bands = assignY(layered.layers, gapHeights(layered, ports));
  const routes = routeEdges(layered.chains, bands, ports);
  return normalize(graph, layered, routes);
}

function indexGraph(nodes, edges) {
  const indexById = new Map(nodes.map((node, i) => [node.id, i]));
  const validEdges = edges
    .filter((edge) => indexById.has(edge.from) && indexById.has(edge.to))
    .map((edge) => ({ ...edge, source: indexById.get(edge.from), target: indexById.get(edge.to) }));
  const outgoing = nodes.map(() => []);
  for (const edge of validEdges) outgoing[edge.source].push(edge);
  return { nodes, edges: validEdges, indexById, outgoing };
}

// An edge is a back edge when it closes a cycle of the depth-first search from the first node;
// drawing those upwards leaves every other edge pointing down.
function findBackEdges(graph, firstId) {
  const NEW = 0;
  const ON_STACK = 1;
  const DONE = 2;
  const state = graph.nodes.map(() => NEW);
  const back = new Set();
  const visit = (index) => {
    state[index] = ON_STACK;
    for (const edge of graph.outgoing[index]) {
      if (state[edge.target] === ON_STACK) back.add(edge);
      else if (state[edge.target] === NEW) visit(edge.target);
    }
    state[index] = DONE;
  };
  const first = graph.indexById.get(firstId);
  if (first !== undefined) visit(first);
  graph.nodes.forEach((_, index) => { if (state[index] === NEW) visit(index); });
  return back;
}

// Longest path from the sources over forward edges; the last node goes below everything.
function assignRanks(graph, backEdges, options) {
  const count = graph.nodes.length;
  const first = graph.indexById.get(options.firstId);
  const last = graph.indexById.get(options.lastId);
  const rank = new Array(count).fill(first === undefined ? 0 : 1);
  if (first !== undefined) rank[first] = 0;
  const pending = new Array(count).fill(0);
  const forward = graph.edges.filter((edge) => !backEdges.has(edge) && edge.source !== edge.target);
  for (const edge of forward) pending[edge.target] += 1;
  const ready = [];
  graph.nodes.forEach((_, index) => { if (pending[index] === 0) ready.push(index); });
  while (ready.length > 0) {
    const index = ready.shift();
    for (const edge of graph.outgoing[index]) {
      if (backEdges.has(edge) || edge.source === edge.target) continue;
      rank[edge.target] = Math.max(rank[edge.target], rank[index] + 1);
      pending[edge.target] -= 1;
      if (pending[edge.target] === 0) ready.push(edge.target);
    }
  }
  if (last !== undefined) {
    const deepest = Math.max(0, ...rank.filter((_, index) => index !== last));
    rank[last] = Math.max(rank[last], deepest + 1);
  }
  return rank;
}

function makeVertex(layers, layer, fields) {
  const vertex = { layer, width: 0, height: 0, padRight: 0, x: 0, y: 0, pos: 0,
                   upper: [], lower: [], real: false, ...fields };
  layers[layer].push(vertex);
  return vertex;
}

function link(upper, lower) {
  const weight = upper.real || lower.real ? (upper.real && lower.real ? 1 : 2) : 8;
  upper.lower.push({ vertex: lower, weight });
  lower.upper.push({ vertex: upper, weight });
}

// One vertex per node on layer 2 * rank, and a chain of dummies for every edge: forward edges
// get one dummy per layer crossed, back edges one per layer from their target's layer to
// their source's layer, running beside both (their loop goes around the side).
function buildLayers(graph, ranks, backEdges) {
  const layerCount = 2 * Math.max(0, ...ranks) + 1;
  const layers = Array.from({ length: layerCount }, () => []);
  const vertices = graph.nodes.map((node, index) => makeVertex(layers, 2 * ranks[index], {
    real: true, node, width: node.width, height: node.height, padRight: node.padRight ?? 0,
  }));
  const chains = graph.edges.map((edge) => {
    const from = vertices[edge.source];
    const to = vertices[edge.target];
    const label = { width: edge.labelWidth ?? 0, height: edge.labelHeight ?? 0 };
    if (edge.source === edge.target) {
      const reach = SELF_LOOP_REACH + (label.width > 0 ? label.width + 8 : 4);
      from.padRight = Math.max(from.padRight, reach);
      return { edge, kind: SELF_LOOP, from, to, dummies: [], label };
    }
    const backwards = backEdges.has(edge);
    const dummies = [];
    const [top, bottom] = backwards ? [to.layer, from.layer] : [from.layer + 1, to.layer - 1];
    for (let layer = top; layer <= bottom; layer += 1) {
      dummies.push(makeVertex(layers, layer, { edgeId: edge.id }));
    }
    const path = backwards ? dummies : [from, ...dummies, to];
    for (let i = 0; i + 1 < path.length; i += 1) link(path[i], path[i + 1]);
    // Labels sit just below the source of a forward edge, just above the source of a back one.
    const labelVertex = backwards ? dummies[dummies.length - 2] : dummies[0];
    if (labelVertex) Object.assign(labelVertex, label);
    return { edge, kind: backwards ? BACK : FORWARD, from, to, dummies, labelVertex, label };
  });
  return { layers, vertices, chains };
}

// A loop leaves its source sideways and enters its target sideways, so the dummies on those
// two layers must be the source's and target's immediate neighbours.
function keepSideDummiesBesideTheirNodes(layered) {
  for (const chain of layered.chains) {
    if (chain.kind !== BACK) continue;
    moveBeside(layered.layers, chain.dummies[chain.dummies.length - 1], chain.from);
    moveBeside(layered.layers, chain.dummies[0], chain.to);
  }
}

function separation(left, right) {
  const gap = left.real && right.real ? NODE_GAP
    : (left.real || right.real ? DUMMY_NODE_GAP : DUMMY_GAP);
  return left.width / 2 + left.padRight + gap + right.width / 2;
}

// Horizontal placement: each vertex wants to sit at the weighted mean of its neighbours on the
// given sides; within a layer the wishes are met as closely as possible (least squares) while
// keeping the order and the separations. The constrained problem is an isotonic regression on
// x minus each vertex's minimum offset, solved exactly by pooling adjacent violators.
function placeLayer(layer, sides) {
  const offsets = [0];
  for (let i = 1; i < layer.length; i += 1) {
    offsets.push(offsets[i - 1] + separation(layer[i - 1], layer[i]));
  }
  const blocks = [];
  layer.forEach((vertex, i) => {
    const wish = wishedX(vertex, sides);
    let block = { first: i, last: i, weight: wish.weight,
                  sum: wish.weight * (wish.x - offsets[i]) };
    while (blocks.length > 0) {
      const previous = blocks[blocks.length - 1];
      if (previous.sum / previous.weight <= block.sum / block.weight) break;
      blocks.pop();
      block = { first: previous.first, last: block.last, weight: previous.weight + block.weight,
                sum: previous.sum + block.sum };
    }
    blocks.push(block);
  });
  for (const block of blocks) {
    const shift = block.sum / block.weight;
    for (let i = block.first; i <= block.last; i += 1) layer[i].x = shift + offsets[i];
  }
}

function wishedX(vertex, sides) {
  let sum = 0;
  let weight = 0;
  for (const side of sides) {
    for (const { vertex: other, weight: linkWeight } of vertex[side]) {
      sum += other.x * linkWeight;
      weight += linkWeight;
    }
  }
  // A vertex without neighbours there stays where it is, giving way easily.
  return weight > 0 ? { x: sum / weight, weight } : { x: vertex.x, weight: 0.01 };
}

function assignX(layers) {
  for (const layer of layers) {
    let x = 0;
    layer.forEach((vertex, i) => {
      if (i > 0) x += separation(layer[i - 1], vertex);
      vertex.x = x;
    });
  }
  const both = ['upper', 'lower'];
  for (let round = 0; round < PLACEMENT_ROUNDS; round += 1) {
    for (let i = 1; i < layers.length; i += 1) placeLayer(layers[i], ['upper']);
    for (let i = layers.length - 2; i >= 0; i -= 1) placeLayer(layers[i], ['lower']);
  }
  for (let round = 0; round < BALANCING_ROUNDS; round += 1) {
    for (let i = 0; i < layers.length; i += 1) placeLayer(layers[i], both);
    for (let i = layers.length - 1; i >= 0; i -= 1) placeLayer(layers[i], both);
  }
}

// Balancing between neighbours leaves a sequence of states slightly zigzagging. Going down, a
// node whose incoming edge arrives a little off its source's port is moved in line with it,
// when its neighbours leave room and the source has no other way down (a fan-out stays
// centred on its source).
function removeSmallJogs(layered, ports) {
  const exitsDown = new Map();
  for (const chain of layered.chains) {
    if (chain.kind === FORWARD) exitsDown.set(chain.from, (exitsDown.get(chain.from) ?? 0) + 1);
  }
  for (const layer of layered.layers) {
    for (const vertex of layer) {
      if (!vertex.real) continue;
      let best = null;
      for (const chain of layered.chains) {
        const simpleStep = chain.kind === FORWARD && exitsDown.get(chain.from) === 1;
        if (!simpleStep || chain.to !== vertex) continue;
        const port = ports.get(chain);
        const wanted = portPoint(port.start).x - port.end.offset;
        const jog = Math.abs(wanted - vertex.x);
        if (jog < LARGEST_JOG_REMOVED && (!best || jog < best.jog)) best = { jog, wanted };
      }
      const room = roomFor(layer, vertex);
      if (best && best.wanted >= room.low && best.wanted <= room.high) vertex.x = best.wanted;
    }
  }
}

// Least squares leaves long edges slightly bent. Each chain is cut into as few runs as
// possible whose dummies can all share one x without crowding a neighbour, and each run is
// made straight, preferably in line with the run before it (or the source port).
function straightenChains(layered, ports) {
  for (const chain of layered.chains) {
    if (chain.dummies.length === 0) continue;
    const forward = chain.kind === FORWARD;
    // Dummies in the order the edge passes them, from its source.
    const dummies = forward ? chain.dummies : [...chain.dummies].reverse();
    let preferred = forward ? portPoint(ports.get(chain).start).x : outermostX(chain);
    const finalX = forward ? portPoint(ports.get(chain).end).x : preferred;
    let run = [];
    let range = { low: -Infinity, high: Infinity };
    const closeRun = (isLast) => {
      const wanted = isLast && finalX >= range.low && finalX <= range.high ? finalX : preferred;
      preferred = Math.min(range.high, Math.max(range.low, wanted));
      for (const dummy of run) dummy.x = preferred;
    };
    for (const dummy of dummies) {
      const room = roomFor(layered.layers[dummy.layer], dummy);
      const narrowed = { low: Math.max(range.low, room.low),
                         high: Math.min(range.high, room.high) };
      if (narrowed.low > narrowed.high + 0.01) {
        closeRun(false);
        run = [];
        range = room;
      } else {
        range = narrowed;
      }
      run.push(dummy);
    }
    closeRun(true);
  }
}

// The column of a loop's dummies farthest out on the side it leaves its source from.
function outermostX(chain) {
  const columns = chain.dummies.map((dummy) => dummy.x);
  const onTheRight = chain.dummies[chain.dummies.length - 1].x > chain.from.x;
  return onTheRight ? Math.max(...columns) : Math.min(...columns);
}

// The range of x a vertex can take between its neighbours, keeping the separations.
function roomFor(layer, vertex) {
  const left = layer[vertex.pos - 1];
  const right = layer[vertex.pos + 1];
  return {
    low: left ? left.x + separation(left, vertex) : -Infinity,
    high: right ? right.x - separation(vertex, right) : Infinity,
  };
}

// The gap below each layer: taller where some edge has far to go sideways within it.
function gapHeights(layered, ports) {
  const widestShift = layered.layers.map(() => 0);
  const note = (layer, fromX, toX) => {
    widestShift[layer] = Math.max(widestShift[layer], Math.abs(toX - fromX));
  };
  for (const chain of layered.chains) {
    if (chain.kind === FORWARD) {
      const columns = [portPoint(ports.get(chain).start).x,
                       ...chain.dummies.map((dummy) => dummy.x), portPoint(ports.get(chain).end).x];
      for (let i = 0; i + 1 < columns.length; i += 1) {
        note(chain.from.layer + i, columns[i], columns[i + 1]);
      }
    } else if (chain.kind === BACK) {
      const { dummies } = chain;
      for (let i = 0; i + 1 < dummies.length; i += 1) {
        note(dummies[i].layer, dummies[i].x, dummies[i + 1].x);
      }
    }
  }
  return widestShift.map((shift) =>
    Math.min(MAX_LAYER_GAP, Math.max(LAYER_GAP, Math.round(shift * GAP_PER_SHIFT))));
}

// Each layer is a horizontal band as tall as its tallest vertex; returns the bands.
function assignY(layers, gaps) {
  const bands = [];
  let top = 0;
  layers.forEach((layer, i) => {
    const height = Math.max(0, ...layer.map((vertex) => vertex.height));
    bands.push({ top, bottom: top + height });
    for (const vertex of layer) vertex.y = top + height / 2;
    top += height + gaps[i];
  });
  return bands;
}

// Moves everything so the drawing starts at (0, 0) and measures it.
function normalize(graph, layered, routes) {
  let minX = Infinity;
  let maxX = -Infinity;
  let maxY = 0;
  for (const layer of layered.layers) {
    for (const vertex of layer) {
      minX = Math.min(minX, vertex.x - vertex.width / 2);
      maxX = Math.max(maxX, vertex.x + vertex.width / 2 + vertex.padRight);
      maxY = Math.max(maxY, vertex.y + vertex.height / 2);
    }
  }
  for (const route of routes.values()) {
    for (const point of route.points) {
      minX = Math.min(minX, point.x);
      maxX = Math.max(maxX, point.x);
    }
  }
  if (!Number.isFinite(minX)) return { width: 0, height: 0, nodes: new Map(), edges: new Map() };
  const nodes = new Map(graph.nodes.map((node, index) => {
    const vertex = layered.vertices[index];
    return [node.id, { x: vertex.x - minX, y: vertex.y }];
  }));
  const edges = new Map();
  for (const [id, route] of routes) {
    edges.set(id, {
      points: route.points.map((point) => ({ x: point.x - minX, y: point.y })),
      label: route.label ? { x: route.label.x - minX, y: route.label.y } : null,
    });
  }
  return { width: maxX - minX, height: maxY, nodes, edges };
}
