// Positions for a graph model from graph_model.js, without any DOM: sizes every box from its
// text (estimated, since there is no browser to measure with), lays out each (sub)graph in
// layers with graph_layered.js, and nests the subgraphs of Parallel and Map states in their
// group boxes, innermost first. All coordinates in the result are absolute, in SVG pixels.
//
// Exported API:
//   layoutGraph(model) -> Layout
//   estimateTextWidth(text, fontSize, bold?) -> number
//   fitText(text, maxWidth, fontSize, bold?) -> string   (cut with an ellipsis to fit)
//   METRICS   (sizes shared with the view: fonts, header height, ...)
//
// Layout     = { width, height, nodes: LaidNode[], edges: LaidEdge[] }
// LaidNode   = model node + { x, y, width, height, text, branches?: LaidBranch[] }
//              (x, y: top-left corner; text: the name as it fits in the box)
// LaidBranch = { x, y, width, height, framed, nodes: LaidNode[], edges: LaidEdge[] }
//              (framed: drawn as a faint sub-box, for Parallel branches)
// LaidEdge   = model edge + { points: [{x, y}], labelBox: {x, y, width, height} | null }

import { layeredLayout } from './graph_layered.js';

export const METRICS = Object.freeze({
  margin: 16,
  nameFont: 13,
  typeFont: 11,
  labelFont: 11,
  stateHeight: 44,
  stateMinWidth: 120,
  stateMaxWidth: 220,
  statePadding: 14,
  terminalWidth: 56,
  terminalHeight: 24,
  labelHeight: 18,
  labelPadding: 6,
  groupHeader: 30,
  groupPadding: 12,
  branchPadding: 12,
  branchGap: 12,
  emptyGroupWidth: 160,
  emptyGroupHeight: 40,
});

// Rough advance widths, in ems, of a system sans-serif font.
const NARROW = /[ijl.,:;'|!`()[\]{}\s]/;
const WIDE = /[MWmw@%&]/;
const UPPER = /[A-Z0-9$#_?<>=+~*^/\\-]/;

/**
 * Estimates the width of a line of text in the console's system sans-serif font.
 * @param {string} text
 * @param {number} fontSize in pixels
 * @param {boolean} [bold]
 * @returns {number}
 */
export function estimateTextWidth(text, fontSize, bold = false) {
  let ems = 0;
  for (const character of String(text)) {
    if (NARROW.test(character)) ems += 0.3;
    else if (WIDE.test(character)) ems += 0.85;
    else if (UPPER.test(character)) ems += 0.66;
    else if (character.charCodeAt(0) > 0x2e7f) ems += 1;
    else ems += 0.54;
  }
  return ems * fontSize * (bold ? 1.07 : 1);
}

/**
 * Cuts text with an ellipsis so that its estimated width is at most maxWidth.
 * @param {string} text
 * @param {number} maxWidth
 * @param {number} fontSize
 * @param {boolean} [bold]
 * @returns {string}
 */
export function fitText(text, maxWidth, fontSize, bold = false) {
  const characters = Array.from(String(text));
  if (estimateTextWidth(text, fontSize, bold) <= maxWidth) return characters.join('');
  const cut = (kept) => `${characters.slice(0, kept).join('')}…`;
  let kept = characters.length;
  while (kept > 0 && estimateTextWidth(cut(kept), fontSize, bold) > maxWidth) kept -= 1;
  return cut(kept);
}

/**
 * Lays out a graph model (see graph_model.js). Deterministic; never throws on a model made by
 * buildGraph.
 * @param {{nodes: object[], edges: object[]}} model
 * @returns {{width: number, height: number, nodes: object[], edges: object[]}}
 */
export function layoutGraph(model) {
  const graph = layoutSubgraph(model ?? { nodes: [], edges: [] });
  translateGraph(graph, METRICS.margin, METRICS.margin);
  return {
    width: Math.ceil(graph.width + 2 * METRICS.margin),
    height: Math.ceil(graph.height + 2 * METRICS.margin),
    nodes: graph.nodes,
    edges: graph.edges,
  };
}

// A subgraph laid out with its top-left corner at (0, 0).
function layoutSubgraph(model) {
  const nodes = (model.nodes ?? []).map(sizeNode);
  const edges = (model.edges ?? []).map((edge) => ({ ...edge, ...labelSize(edge.label) }));
  const first = nodes.find((node) => node.kind === 'start');
  const last = nodes.find((node) => node.kind === 'end');
  const placed = layeredLayout(nodes, edges, { firstId: first?.id, lastId: last?.id });
  for (const node of nodes) {
    const centre = placed.nodes.get(node.id);
    node.x = centre.x - node.width / 2;
    node.y = centre.y - node.height / 2;
    for (const branch of node.branches ?? []) translateBranch(branch, node.x, node.y);
  }
  const laidEdges = edges.map(({ labelWidth, labelHeight, ...edge }) => {
    const route = placed.edges.get(edge.id) ?? { points: [], label: null };
    const labelBox = route.label && labelWidth > 0
      ? { x: route.label.x - labelWidth / 2, y: route.label.y - labelHeight / 2,
          width: labelWidth, height: labelHeight }
      : null;
    return { ...edge, points: route.points, labelBox };
  });
  return { width: placed.width, height: placed.height, nodes, edges: laidEdges };
}

function labelSize(label) {
  if (!label) return { labelWidth: 0, labelHeight: 0 };
  const width = estimateTextWidth(label, METRICS.labelFont) + 2 * METRICS.labelPadding;
  return { labelWidth: Math.ceil(width), labelHeight: METRICS.labelHeight };
}

function sizeNode(node) {
  if (node.kind === 'start' || node.kind === 'end') {
    return { ...node, text: node.kind === 'start' ? 'Start' : 'End',
             width: METRICS.terminalWidth, height: METRICS.terminalHeight };
  }
  if (node.branches) return sizeGroup(node);
  const { nameFont, typeFont, statePadding, stateMinWidth, stateMaxWidth } = METRICS;
  const wanted = Math.max(estimateTextWidth(node.name, nameFont, true),
                          estimateTextWidth(node.type, typeFont)) + 2 * statePadding;
  const width = Math.ceil(Math.min(stateMaxWidth, Math.max(stateMinWidth, wanted)));
  return { ...node, width, height: METRICS.stateHeight,
           text: fitText(node.name, width - 2 * statePadding, nameFont, true) };
}

// A group is as big as its branches side by side under a header; branch positions are kept
// relative to the group's corner until the group itself is placed.
function sizeGroup(node) {
  const { groupHeader, groupPadding, branchPadding, branchGap, nameFont, typeFont } = METRICS;
  const framed = node.type === 'Parallel';
  const inset = framed ? branchPadding : branchPadding / 2;
  const branches = node.branches.map((branchModel) => {
    const graph = layoutSubgraph(branchModel);
    return { x: 0, y: 0, width: graph.width + 2 * inset, height: graph.height + 2 * inset,
             framed, nodes: graph.nodes, edges: graph.edges, inset };
  });
  const branchesWidth = branches.reduce((sum, branch) => sum + branch.width, 0) +
    branchGap * Math.max(0, branches.length - 1);
  const branchesHeight = Math.max(0, ...branches.map((branch) => branch.height));
  const headerWidth = estimateTextWidth(node.name, nameFont, true) +
    estimateTextWidth(node.type, typeFont) + 3 * groupPadding;
  const width = Math.ceil(Math.max(branchesWidth + 2 * groupPadding, headerWidth,
                                   METRICS.emptyGroupWidth));
  const height = Math.ceil(groupHeader + Math.max(branchesHeight, METRICS.emptyGroupHeight) +
                           groupPadding);
  let x = (width - branchesWidth) / 2;
  for (const branch of branches) {
    // Every branch box is as tall as the tallest, its content hanging from the top.
    const contentShift = { x: x + inset, y: groupHeader + inset };
    translateGraph(branch, contentShift.x, contentShift.y);
    branch.x = x;
    branch.y = groupHeader;
    branch.height = branchesHeight;
    delete branch.inset;
    x += branch.width + branchGap;
  }
  const text = fitText(node.name, width - 2 * groupPadding - estimateTextWidth(node.type, typeFont),
                       nameFont, true);
  return { ...node, width, height, text, branches };
}

function translateBranch(branch, dx, dy) {
  branch.x += dx;
  branch.y += dy;
  translateGraph(branch, dx, dy);
}

// Moves the nodes and edges of a graph (not its own box) by (dx, dy), nested groups included.
function translateGraph(graph, dx, dy) {
  for (const node of graph.nodes) {
    if (node.x === undefined) continue;
    node.x += dx;
    node.y += dy;
    for (const branch of node.branches ?? []) translateBranch(branch, dx, dy);
  }
  for (const edge of graph.edges) {
    if (!edge.points) continue;
    edge.points = edge.points.map((point) => ({ x: point.x + dx, y: point.y + dy }));
    if (edge.labelBox) {
      edge.labelBox = { ...edge.labelBox, x: edge.labelBox.x + dx, y: edge.labelBox.y + dy };
    }
  }
}
