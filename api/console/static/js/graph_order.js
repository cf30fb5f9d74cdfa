// Orders the vertices within each layer of a layered graph (see graph_layered.js) to reduce
// edge crossings: barycenter sweeps down and up, keeping the best order seen.
//
// Exported API:
//   orderLayers(layers, settle)   layers: arrays of vertices with `upper`/`lower` neighbour
//                                 lists ({ vertex, weight }); reorders them in place and sets
//                                 each vertex's `pos`; settle() is called after every sweep
//   moveBeside(layers, vertex, anchor)  puts a vertex right next to another of its layer
//   setPositions(layer)

const SWEEPS = 8;

/**
 * Numbers the vertices of a layer in order.
 * @param {object[]} layer
 */
export function setPositions(layer) {
  layer.forEach((vertex, pos) => { vertex.pos = pos; });
}

function barycenter(vertex, side) {
  const neighbours = vertex[side];
  if (neighbours.length === 0) return vertex.pos;
  let sum = 0;
  let weights = 0;
  for (const { vertex: other, weight } of neighbours) {
    sum += other.pos * weight;
    weights += weight;
  }
  return sum / weights;
}

function sortByBarycenter(layer, side) {
  const keyed = layer.map((vertex) => ({ vertex, key: barycenter(vertex, side) }));
  keyed.sort((a, b) => a.key - b.key || a.vertex.pos - b.vertex.pos);
  keyed.forEach(({ vertex }, pos) => { layer[pos] = vertex; });
  setPositions(layer);
}

function countCrossings(layers) {
  let crossings = 0;
  for (const layer of layers) {
    const segments = [];
    for (const vertex of layer) {
      for (const { vertex: lower } of vertex.lower) segments.push([vertex.pos, lower.pos]);
    }
    for (let i = 0; i < segments.length; i += 1) {
      for (let j = i + 1; j < segments.length; j += 1) {
        const [a, b] = segments[i];
        const [c, d] = segments[j];
        if ((a - c) * (b - d) < 0) crossings += 1;
      }
    }
  }
  return crossings;
}

/**
 * Barycenter sweeps down and up, keeping the order with the fewest crossings seen.
 * Deterministic: ties keep the current order.
 * @param {object[][]} layers
 * @param {() => void} settle restores what every order must respect before crossings are counted
 */
export function orderLayers(layers, settle) {
  layers.forEach(setPositions);
  settle();
  let best = layers.map((layer) => [...layer]);
  let fewest = countCrossings(layers);
  for (let sweep = 0; sweep < SWEEPS && fewest > 0; sweep += 1) {
    for (let i = 1; i < layers.length; i += 1) sortByBarycenter(layers[i], 'upper');
    for (let i = layers.length - 2; i >= 0; i -= 1) sortByBarycenter(layers[i], 'lower');
    settle();
    const crossings = countCrossings(layers);
    if (crossings < fewest) {
      fewest = crossings;
      best = layers.map((layer) => [...layer]);
    }
  }
  best.forEach((order, i) => {
    layers[i].splice(0, layers[i].length, ...order);
    setPositions(layers[i]);
  });
}

/**
 * Moves a vertex next to an anchor of the same layer, on the side it was on.
 * @param {object[][]} layers
 * @param {object} dummy
 * @param {object} anchor
 */
export function moveBeside(layers, dummy, anchor) {
  const layer = layers[anchor.layer];
  const onTheLeft = dummy.pos < anchor.pos;
  layer.splice(layer.indexOf(dummy), 1);
  const anchorIndex = layer.indexOf(anchor);
  layer.splice(onTheLeft ? anchorIndex : anchorIndex + 1, 0, dummy);
  setPositions(layer);
}
