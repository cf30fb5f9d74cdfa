// Draws an ASL state machine as an SVG graph (model: graph_model.js, positions:
// graph_layout.js) and keeps it live: state statuses and the selection change without a new
// layout. Styles are in graph.css, under .sw-graph. Every name reaches the page through
// textContent or setAttribute, never as markup.
//
// Exported API:
//   renderGraph(container, definition, { onSelect(stateName) }) -> {
//     svg, setStatuses(map), select(stateName | null) }
//
// DOM: <svg class="sw-graph"> holding, in order, group boxes, edges, then nodes:
//   <g class="sw-node sw-group" data-state data-type>   a Parallel/Map box and its header
//   <g class="sw-edge" data-from data-to data-kind>     kind: next | choice | default | catch
//   <g class="sw-node" data-state data-type>            a state (data-status when visited)
//   <g class="sw-terminal" data-terminal="start|end">   the Start/End pseudo-nodes

import { buildGraph } from './graph_model.js';
import { layoutGraph, METRICS } from './graph_layout.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const CORNER_RADIUS = 8;
const ARROW_LENGTH = 8;
const ARROW_HALF_WIDTH = 4;
const NODE_RADIUS = 6;
const RING_GAP = 4;

/**
 * Draws `definition` into `container` (replacing its content) and returns a controller.
 * @param {HTMLElement} container
 * @param {object|string} definition an ASL definition
 * @param {{onSelect?: (stateName: string) => void}} [options]
 * @returns {{svg: SVGSVGElement, setStatuses: (map: Map|object) => void,
 *            select: (stateName: ?string) => void}}
 */
export function renderGraph(container, definition, options = {}) {
  const layout = layoutGraph(buildGraph(definition));
  const svg = svgElement('svg', {
    class: 'sw-graph', width: layout.width, height: layout.height,
    viewBox: `0 0 ${layout.width} ${layout.height}`, role: 'group',
    'aria-label': 'State machine graph',
  });
  const layers = {
    groups: svg.appendChild(svgElement('g', { class: 'sw-groups' })),
    edges: svg.appendChild(svgElement('g', { class: 'sw-edges' })),
    nodes: svg.appendChild(svgElement('g', { class: 'sw-nodes' })),
  };
  const elementsByName = new Map();
  drawGraph(layout, layers, elementsByName);
  container.replaceChildren(svg);

  const badges = new Map();
  const select = (stateName) => {
    for (const [name, elements] of elementsByName) {
      for (const element of elements) element.classList.toggle('selected', name === stateName);
    }
  };
  const choose = (element) => {
    const name = element.getAttribute('data-state');
    select(name);
    if (typeof options.onSelect === 'function') options.onSelect(name);
  };
  svg.addEventListener('click', (event) => {
    const node = event.target.closest?.('.sw-node');
    if (node && svg.contains(node)) choose(node);
  });
  svg.addEventListener('keydown', (event) => {
    const node = event.target.closest?.('.sw-node');
    if (!node || (event.key !== 'Enter' && event.key !== ' ')) return;
    event.preventDefault();
    choose(node);
  });

  const setStatuses = (map) => {
    const lookup = statusLookup(map);
    for (const [name, elements] of elementsByName) {
      const entry = lookup(name);
      const status = entry && typeof entry.status === 'string' ? entry.status : null;
      const count = entry ? Number(entry.count) : 0;
      for (const element of elements) {
        if (status) element.setAttribute('data-status', status);
        else element.removeAttribute('data-status');
        showCount(element, badges, count > 1 ? count : 0);
      }
    }
  };
  return { svg, setStatuses, select };
}

function statusLookup(map) {
  if (map instanceof Map) return (name) => map.get(name);
  if (map && typeof map === 'object') {
    return (name) => (Object.prototype.hasOwnProperty.call(map, name) ? map[name] : undefined);
  }
  return () => undefined;
}

function svgElement(tag, attributes = {}, text) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) element.setAttribute(key, String(value));
  }
  if (text !== undefined) element.textContent = text;
  return element;
}

function round(value) {
  return Math.round(value * 10) / 10;
}

function drawGraph(graph, layers, elementsByName) {
  for (const node of graph.nodes) {
    if (node.kind === 'start' || node.kind === 'end') {
      layers.nodes.appendChild(drawTerminal(node));
      continue;
    }
    const element = node.branches ? drawGroup(node) : drawState(node);
    (node.branches ? layers.groups : layers.nodes).appendChild(element);
    if (!elementsByName.has(node.name)) elementsByName.set(node.name, []);
    elementsByName.get(node.name).push(element);
    for (const branch of node.branches ?? []) drawGraph(branch, layers, elementsByName);
  }
  for (const edge of graph.edges) {
    if (edge.points.length >= 2) layers.edges.appendChild(drawEdge(edge));
  }
}

function nodeGroup(node, className) {
  const group = svgElement('g', {
    class: className, 'data-state': node.name, 'data-type': node.type, tabindex: 0,
    role: 'button', 'aria-label': `${node.name} (${node.type})`,
  });
  group.appendChild(svgElement('title', {}, `${node.name} (${node.type})`));
  group.appendChild(svgElement('rect', {
    class: 'sw-node-ring', x: round(node.x - RING_GAP), y: round(node.y - RING_GAP),
    width: round(node.width + 2 * RING_GAP), height: round(node.height + 2 * RING_GAP),
    rx: NODE_RADIUS + RING_GAP,
  }));
  group.appendChild(svgElement('rect', {
    class: 'sw-node-box', x: round(node.x), y: round(node.y), width: round(node.width),
    height: round(node.height), rx: NODE_RADIUS,
  }));
  return group;
}

function drawState(node) {
  const group = nodeGroup(node, 'sw-node');
  const centreX = round(node.x + node.width / 2);
  const centreY = node.y + node.height / 2;
  group.appendChild(svgElement('text', {
    class: 'sw-node-name', x: centreX, y: round(centreY - 7), 'text-anchor': 'middle',
    'dominant-baseline': 'central',
  }, node.text));
  group.appendChild(svgElement('text', {
    class: 'sw-node-type', x: centreX, y: round(centreY + 10), 'text-anchor': 'middle',
    'dominant-baseline': 'central',
  }, node.type));
  return group;
}

function drawGroup(node) {
  const group = nodeGroup(node, 'sw-node sw-group');
  const header = METRICS.groupHeader;
  const { x, y, width } = node;
  const r = NODE_RADIUS;
  // The header is the box's top, rounded like it on top and square at the bottom; it goes
  // under the box's border so the border stays whole.
  group.insertBefore(svgElement('path', {
    class: 'sw-group-header',
    d: `M${round(x)},${round(y + header)} V${round(y + r)} Q${round(x)},${round(y)} ` +
       `${round(x + r)},${round(y)} H${round(x + width - r)} Q${round(x + width)},${round(y)} ` +
       `${round(x + width)},${round(y + r)} V${round(y + header)} Z`,
  }), group.querySelector('.sw-node-box'));
  const name = svgElement('text', {
    class: 'sw-group-name', x: round(x + METRICS.groupPadding), y: round(y + header / 2),
    'dominant-baseline': 'central',
  }, node.text);
  name.appendChild(svgElement('tspan', { class: 'sw-node-type', dx: 8 }, node.type));
  group.appendChild(name);
  for (const branch of node.branches) {
    if (!branch.framed) continue;
    group.appendChild(svgElement('rect', {
      class: 'sw-branch-box', x: round(branch.x), y: round(branch.y), width: round(branch.width),
      height: round(branch.height), rx: 4,
    }));
  }
  return group;
}

function drawTerminal(node) {
  const group = svgElement('g', { class: 'sw-terminal', 'data-terminal': node.kind });
  group.appendChild(svgElement('rect', {
    x: round(node.x), y: round(node.y), width: node.width, height: node.height,
    rx: node.height / 2,
  }));
  group.appendChild(svgElement('text', {
    x: round(node.x + node.width / 2), y: round(node.y + node.height / 2),
    'text-anchor': 'middle', 'dominant-baseline': 'central',
  }, node.text));
  return group;
}

// The "×N" badge on a node's top-right corner, made the first time it is needed.
function showCount(element, badges, count) {
  let badge = badges.get(element);
  if (!badge && count === 0) return;
  if (!badge) {
    const box = element.querySelector('.sw-node-box');
    const right = Number(box.getAttribute('x')) + Number(box.getAttribute('width'));
    const top = Number(box.getAttribute('y'));
    badge = svgElement('g', { class: 'sw-badge', transform: `translate(${right},${top})` });
    badge.appendChild(svgElement('rect', { x: -14, y: -9, width: 28, height: 18, rx: 9 }));
    badge.appendChild(svgElement('text', {
      x: 0, y: 0, 'text-anchor': 'middle', 'dominant-baseline': 'central',
    }));
    element.appendChild(badge);
    badges.set(element, badge);
  }
  badge.style.display = count > 0 ? '' : 'none';
  if (count > 0) {
    const text = `×${count}`;
    const width = Math.max(28, text.length * 7 + 8);
    const rect = badge.querySelector('rect');
    rect.setAttribute('x', String(-width / 2));
    rect.setAttribute('width', String(width));
    badge.querySelector('text').textContent = text;
  }
}

function drawEdge(edge) {
  const group = svgElement('g', {
    class: 'sw-edge', 'data-from': edge.fromName, 'data-to': edge.toName, 'data-kind': edge.kind,
  });
  if (edge.title) group.appendChild(svgElement('title', {}, edge.title));
  const { line, arrow } = edgeShapes(edge.points);
  group.appendChild(svgElement('path', { class: 'sw-edge-line', d: line }));
  group.appendChild(svgElement('path', { class: 'sw-edge-arrow', d: arrow }));
  if (edge.labelBox && edge.label) {
    const { x, y, width, height } = edge.labelBox;
    const label = svgElement('g', { class: 'sw-edge-label' });
    label.appendChild(svgElement('rect', {
      x: round(x), y: round(y), width: round(width), height: round(height), rx: height / 2,
    }));
    label.appendChild(svgElement('text', {
      x: round(x + width / 2), y: round(y + height / 2), 'text-anchor': 'middle',
      'dominant-baseline': 'central',
    }, edge.label));
    group.appendChild(label);
  }
  return group;
}

function isHorizontal(from, to) {
  return Math.abs(to.y - from.y) < 0.5;
}

function sign(value) {
  return value < 0 ? -1 : 1;
}

// The direction a segment has at its end: the curves between columns end vertically.
function endDirection(from, to) {
  return isHorizontal(from, to)
    ? { x: sign(to.x - from.x), y: 0 } : { x: 0, y: sign(to.y - from.y) };
}

function edgeShapes(points) {
  const last = points[points.length - 1];
  const direction = endDirection(points[points.length - 2], last);
  // The line stops inside the arrowhead so its square end does not poke out of the tip.
  const shortened = points.slice(0, -1);
  shortened.push({ x: last.x - direction.x * (ARROW_LENGTH - 2),
                   y: last.y - direction.y * (ARROW_LENGTH - 2) });
  const baseX = last.x - direction.x * ARROW_LENGTH;
  const baseY = last.y - direction.y * ARROW_LENGTH;
  // The base runs across the direction: (-y, x) is the direction turned a quarter.
  const across = { x: -direction.y * ARROW_HALF_WIDTH, y: direction.x * ARROW_HALF_WIDTH };
  const arrow = `M${round(last.x)},${round(last.y)} ` +
    `L${round(baseX + across.x)},${round(baseY + across.y)} ` +
    `L${round(baseX - across.x)},${round(baseY - across.y)} Z`;
  return { line: smoothPath(shortened), arrow };
}

// Straight runs stay straight; a change of column becomes an S-curve that leaves and arrives
// vertically; a turn between horizontal and vertical gets a rounded corner.
function smoothPath(points) {
  let path = `M${round(points[0].x)},${round(points[0].y)}`;
  let pen = points[0];
  for (let i = 1; i < points.length; i += 1) {
    const corner = points[i];
    const previous = points[i - 1];
    const next = points[i + 1];
    let entry = corner;
    let exit = corner;
    if (next && isHorizontal(previous, corner) !== isHorizontal(corner, next)) {
      const radius = Math.min(CORNER_RADIUS, distance(previous, corner) / 2, distance(corner, next) / 2);
      const arriving = endDirection(previous, corner);
      const leaving = isHorizontal(corner, next)
        ? { x: sign(next.x - corner.x), y: 0 } : { x: 0, y: sign(next.y - corner.y) };
      entry = { x: corner.x - arriving.x * radius, y: corner.y - arriving.y * radius };
      exit = { x: corner.x + leaving.x * radius, y: corner.y + leaving.y * radius };
    }
    path += segment(pen, entry);
    if (exit !== entry) {
      path += ` Q${round(corner.x)},${round(corner.y)} ${round(exit.x)},${round(exit.y)}`;
    }
    pen = exit;
  }
  return path;
}

function distance(a, b) {
  return Math.max(Math.abs(a.x - b.x), Math.abs(a.y - b.y));
}

function segment(from, to) {
  if (isHorizontal(from, to) || Math.abs(to.x - from.x) < 0.5) {
    return ` L${round(to.x)},${round(to.y)}`;
  }
  const middle = round((from.y + to.y) / 2);
  return ` C${round(from.x)},${middle} ${round(to.x)},${middle} ${round(to.x)},${round(to.y)}`;
}
