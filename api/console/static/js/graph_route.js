// Edge routes for graph_layered.js, once every vertex has its place: polylines that leave a
// node's bottom and enter the next node's top (each edge on its own port, so two edges between
// the same nodes stay apart), pass straight down through every layer band they cross, and only
// change column in the gaps between bands. Loops (back edges) leave their source sideways,
// climb beside the layers and enter their target sideways; a state going to itself gets a
// small loop on its right.
//
// Exported API:
//   allocatePorts(chains) -> Map(chain -> { start, end })   (ports: vertex, side and offset)
//   portPoint(port) -> {x, y}
//   routeEdges(chains, bands, ports) -> Map(edge id -> { points: [{x, y}], label: {x, y} | null })
//   SELF_LOOP_REACH   (how far a self loop sticks out of its node, for spacing)

export const SELF_LOOP_REACH = 18;
const SELF_LOOP_HALF_HEIGHT = 7;
const PORT_SPACING = 16;
const PORT_MARGIN = 12;
const SIDE_PORT_SPACING = 10;

/**
 * Routes every chain (an edge with its dummy vertices) through the layer bands.
 * @param {object[]} chains from graph_layered.js:
 *   { edge, kind, from, to, dummies, labelVertex, label }
 * @param {{top: number, bottom: number}[]} bands one per layer
 * @param {Map<object, object>} ports from allocatePorts
 * @returns {Map<string, {points: {x: number, y: number}[], label: ?{x: number, y: number}}>}
 */
export function routeEdges(chains, bands, ports) {
  const routes = new Map();
  for (const chain of chains) {
    const port = ports.get(chain);
    const ends = { start: port.start && portPoint(port.start),
                   end: port.end && portPoint(port.end) };
    let points;
    if (chain.kind === 'self') points = selfLoopPoints(chain.from);
    else if (chain.kind === 'back') points = backPoints(chain, ends, bands);
    else points = forwardPoints(chain, ends, bands);
    routes.set(chain.edge.id, { points: withoutRepeats(points), label: labelPosition(chain) });
  }
  return routes;
}

function labelPosition(chain) {
  if (chain.label.width <= 0) return null;
  if (chain.kind === 'self') {
    const { from } = chain;
    return { x: from.x + from.width / 2 + SELF_LOOP_REACH + 4 + chain.label.width / 2, y: from.y };
  }
  return chain.labelVertex ? { x: chain.labelVertex.x, y: chain.labelVertex.y } : null;
}

/**
 * Gives every edge its own port on each end: a side of a vertex and an offset along it,
 * ordered like the vertices the edges come from or go to, so edges sharing a side do not cross
 * as they leave it. Depends only on the order within layers, not on coordinates.
 * @param {object[]} chains
 * @returns {Map<object, {start?: object, end?: object}>} chain -> { start, end }
 */
export function allocatePorts(chains) {
  const sides = new Map();
  const claim = (vertex, side, chain, end, key) => {
    const sideKey = vertex;
    if (!sides.has(sideKey)) sides.set(sideKey, { top: [], bottom: [], left: [], right: [] });
    sides.get(sideKey)[side].push({ chain, end, key, order: sides.get(sideKey)[side].length });
  };
  for (const chain of chains) {
    const { from, to, dummies } = chain;
    if (chain.kind === 'forward') {
      claim(from, 'bottom', chain, 'start', dummies[0].x);
      claim(to, 'top', chain, 'end', dummies[dummies.length - 1].x);
    } else if (chain.kind === 'back') {
      const besideSource = dummies[dummies.length - 1];
      const besideTarget = dummies[0];
      // Edges on a side are stacked by the height they head for: upper ones above.
      claim(from, besideSource.x < from.x ? 'left' : 'right', chain, 'start', besideTarget.y);
      claim(to, besideTarget.x < to.x ? 'left' : 'right', chain, 'end', besideSource.y);
    }
  }
  const ports = new Map(chains.map((chain) => [chain, {}]));
  for (const [vertex, bySide] of sides) {
    for (const [side, claims] of Object.entries(bySide)) {
      claims.sort((a, b) => a.key - b.key || a.order - b.order);
      claims.forEach((claim, i) => {
        const length = side === 'top' || side === 'bottom' ? vertex.width : vertex.height;
        const spacing = side === 'top' || side === 'bottom' ? PORT_SPACING : SIDE_PORT_SPACING;
        ports.get(claim.chain)[claim.end] = {
          vertex, side, offset: spread(i, claims.length, length, spacing),
        };
      });
    }
  }
  return ports;
}

function spread(index, count, length, spacing) {
  if (count <= 1) return 0;
  const span = Math.max(0, Math.min(length - 2 * PORT_MARGIN, (count - 1) * spacing));
  return -span / 2 + (index * span) / (count - 1);
}

/**
 * Where a port is, now that its vertex is placed.
 * @param {{vertex: object, side: string, offset: number}} port
 * @returns {{x: number, y: number}}
 */
export function portPoint({ vertex, side, offset }) {
  const halfWidth = vertex.width / 2;
  const halfHeight = vertex.height / 2;
  if (side === 'top' || side === 'bottom') {
    return { x: vertex.x + offset, y: vertex.y + (side === 'top' ? -halfHeight : halfHeight) };
  }
  return { x: vertex.x + (side === 'left' ? -halfWidth : halfWidth), y: vertex.y + offset };
}

// Down from the source's bottom port, straight through every band on the way (only the gaps
// between bands see the edge change column), into the target's top port.
function forwardPoints(chain, ends, bands) {
  const { from, to, dummies } = chain;
  const { start, end } = ends;
  const points = [start, { x: start.x, y: bands[from.layer].bottom }];
  for (const dummy of dummies) {
    const band = bands[dummy.layer];
    points.push({ x: dummy.x, y: band.top }, { x: dummy.x, y: band.bottom });
  }
  points.push({ x: end.x, y: bands[to.layer].top }, end);
  return points;
}

// Out of the source's side, up through the dummies beside the layers, into the target's side.
function backPoints(chain, ends, bands) {
  const { dummies } = chain;
  const { start, end } = ends;
  const besideSource = dummies[dummies.length - 1];
  const besideTarget = dummies[0];
  const points = [start, { x: besideSource.x, y: start.y },
                  { x: besideSource.x, y: bands[besideSource.layer].top }];
  for (let i = dummies.length - 2; i >= 1; i -= 1) {
    const band = bands[dummies[i].layer];
    points.push({ x: dummies[i].x, y: band.bottom }, { x: dummies[i].x, y: band.top });
  }
  points.push({ x: besideTarget.x, y: bands[besideTarget.layer].bottom },
              { x: besideTarget.x, y: end.y }, end);
  return points;
}

function selfLoopPoints(vertex) {
  const right = vertex.x + vertex.width / 2;
  const top = vertex.y - SELF_LOOP_HALF_HEIGHT;
  const bottom = vertex.y + SELF_LOOP_HALF_HEIGHT;
  return [{ x: right, y: top }, { x: right + SELF_LOOP_REACH, y: top },
          { x: right + SELF_LOOP_REACH, y: bottom }, { x: right, y: bottom }];
}

function withoutRepeats(points) {
  return points.filter((point, i) => i === 0 ||
    Math.abs(point.x - points[i - 1].x) > 0.01 || Math.abs(point.y - points[i - 1].y) > 0.01);
}
