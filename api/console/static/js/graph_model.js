// The graph of an Amazon States Language state machine, without any drawing or DOM: which
// boxes exist (states, Start/End pseudo-nodes, Parallel/Map groups holding subgraphs) and
// which arrows join them (Next, Choice rules and Default, Catch), with short labels.
//
// Exported API:
//   buildGraph(definition) -> Graph
//   summarizeRule(rule) -> string     (a Choice rule, at most LABEL_MAX_CHARS characters)
//   describeRule(rule) -> string      (the same rule in full)
//   truncateText(text, maxChars) -> string
//   LABEL_MAX_CHARS
//
// Graph = { nodes: Node[], edges: Edge[], warnings: string[] }  (warnings on the top level only)
// Node  = { id, kind: 'start'|'end'|'state', name, type, branches?: Graph[] }
//         (branches is set on Parallel and Map states: one subgraph per branch / the iterator)
// Edge  = { id, from, to, fromName, toName, kind: 'next'|'choice'|'default'|'catch',
//           label: string, title: string }
// Node and edge ids are unique across the whole model and depend only on the definition.
// fromName/toName are state names, or 'START'/'END' for the pseudo-nodes.

export const LABEL_MAX_CHARS = 28;
const START = 'START';
const END = 'END';
const FIELDS_OF_A_RULE = new Set(['Variable', 'Next', 'Comment', 'Assign', 'Output']);
const OPERATORS = {
  Equals: '==', LessThan: '<', GreaterThan: '>', LessThanEquals: '<=',
  GreaterThanEquals: '>=', Matches: '~',
};
const COMPARISON_KEY = /^(String|Numeric|Boolean|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals|Matches)(Path)?$/;
const TYPE_TESTS = { IsString: 'string', IsNumeric: 'numeric', IsBoolean: 'boolean',
                     IsTimestamp: 'timestamp' };

/**
 * Builds the graph model of an ASL definition. Never throws: anything unexpected (missing
 * States, unknown fields, Next naming no state) is skipped, and noted in `warnings`.
 * @param {object|string} definition a parsed ASL definition (a JSON string is parsed too)
 * @returns {{nodes: object[], edges: object[], warnings: string[]}}
 */
export function buildGraph(definition) {
  const context = { nextNodeId: 0, nextEdgeId: 0, warnings: [] };
  const graph = buildSubgraph(parseIfText(definition), context, '');
  return { ...graph, warnings: context.warnings };
}

function parseIfText(definition) {
  if (typeof definition !== 'string') return definition;
  try {
    return JSON.parse(definition);
  } catch {
    return null;
  }
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function buildSubgraph(definition, context, where) {
  const states = isObject(definition) && isObject(definition.States) ? definition.States : {};
  const nodes = [];
  const idByName = new Map();
  const start = addNode(nodes, context, { kind: 'start', name: START, type: 'Start' });

  for (const [name, state] of Object.entries(states)) {
    const node = addNode(nodes, context, { kind: 'state', name, type: stateType(state) });
    const branches = branchDefinitions(state);
    if (branches) {
      node.branches = branches.map((branch, i) =>
        buildSubgraph(branch, context, `${where}${name}[${i}]/`));
    }
    idByName.set(name, node.id);
  }

  const edges = [];
  const end = { kind: 'end', name: END, type: 'End', id: null };
  const connect = (fromName, fromId, toName, kind, label = '', title = label) => {
    let toId = toName === END ? end.id : idByName.get(toName);
    if (toName === END && toId === null) {
      toId = end.id = `n${context.nextNodeId++}`;
    }
    if (toId === undefined) {
      context.warnings.push(`${where}${fromName}: no state named ${JSON.stringify(toName)}`);
      return;
    }
    edges.push({ id: null, from: fromId, to: toId, fromName, toName, kind, label, title });
  };

  const startAt = isObject(definition) ? definition.StartAt : undefined;
  if (typeof startAt === 'string') connect(START, start.id, startAt, 'next');
  else if (Object.keys(states).length > 0) context.warnings.push(`${where}StartAt is missing`);

  for (const [name, state] of Object.entries(states)) {
    for (const exit of exitsOf(state)) {
      connect(name, idByName.get(name), exit.to, exit.kind, exit.label, exit.title);
    }
  }
  if (end.id !== null) nodes.push(end);
  return { nodes, edges: numberEdges(mergeChoiceDuplicates(edges), context) };
}

function addNode(nodes, context, fields) {
  const node = { id: `n${context.nextNodeId++}`, ...fields };
  nodes.push(node);
  return node;
}

function stateType(state) {
  return isObject(state) && typeof state.Type === 'string' ? state.Type : 'Unknown';
}

// The subgraph definitions nested in a state, or null for a state that is not a group.
function branchDefinitions(state) {
  const type = stateType(state);
  if (type === 'Parallel') {
    return Array.isArray(state.Branches) ? state.Branches : [];
  }
  if (type === 'Map') {
    const processor = isObject(state.ItemProcessor) ? state.ItemProcessor : state.Iterator;
    return isObject(processor) ? [processor] : [];
  }
  return null;
}

// Where a state can go next, in the order a reader expects: rules, default, then errors.
function exitsOf(state) {
  if (!isObject(state)) return [];
  const exits = [];
  const type = stateType(state);
  if (type === 'Choice') {
    for (const rule of Array.isArray(state.Choices) ? state.Choices : []) {
      if (isObject(rule) && typeof rule.Next === 'string') {
        exits.push({ to: rule.Next, kind: 'choice', label: summarizeRule(rule),
                     title: describeRule(rule) });
      }
    }
    if (typeof state.Default === 'string') {
      exits.push({ to: state.Default, kind: 'default', label: 'Default', title: 'Default' });
    }
  } else if (typeof state.Next === 'string') {
    exits.push({ to: state.Next, kind: 'next', label: '', title: '' });
  }
  if (state.End === true || type === 'Succeed' || type === 'Fail') {
    exits.push({ to: END, kind: 'next', label: '', title: '' });
  }
  for (const catcher of Array.isArray(state.Catch) ? state.Catch : []) {
    if (isObject(catcher) && typeof catcher.Next === 'string') {
      const errors = Array.isArray(catcher.ErrorEquals) ? catcher.ErrorEquals.map(String) : [];
      const text = errors.join(', ') || 'Catch';
      exits.push({ to: catcher.Next, kind: 'catch', label: truncateText(text, LABEL_MAX_CHARS),
                   title: `Catch: ${text}` });
    }
  }
  return exits;
}

// Several Choice rules leading to the same state read best as one arrow with all the rules;
// edges of different kinds between the same pair stay apart (the layout separates them).
function mergeChoiceDuplicates(edges) {
  const merged = [];
  const choiceEdgeByPair = new Map();
  for (const edge of edges) {
    const pair = `${edge.from}>${edge.to}`;
    const earlier = edge.kind === 'choice' ? choiceEdgeByPair.get(pair) : undefined;
    if (earlier) {
      earlier.fullLabels.push(edge.title);
      earlier.label = truncateText(earlier.fullLabels.join(' | '), LABEL_MAX_CHARS);
      earlier.title = earlier.fullLabels.join('\n');
      continue;
    }
    const copy = { ...edge, fullLabels: [edge.title] };
    if (edge.kind === 'choice') choiceEdgeByPair.set(pair, copy);
    merged.push(copy);
  }
  return merged.map(({ fullLabels, ...edge }) => edge);
}

function numberEdges(edges, context) {
  for (const edge of edges) edge.id = `e${context.nextEdgeId++}`;
  return edges;
}

/**
 * Cuts text to at most maxChars characters, ending with an ellipsis when cut.
 * @param {string} text
 * @param {number} maxChars
 * @returns {string}
 */
export function truncateText(text, maxChars) {
  const characters = Array.from(String(text));
  if (characters.length <= maxChars) return characters.join('');
  return `${characters.slice(0, Math.max(0, maxChars - 1)).join('')}…`;
}

/**
 * A Choice rule as a short label: `$.x > 3`, `$.status == "ok"`, `And(…)`, or the text of a
 * JSONata Condition; at most LABEL_MAX_CHARS characters.
 * @param {object} rule
 * @returns {string}
 */
export function summarizeRule(rule) {
  const full = describeRule(rule);
  if (Array.from(full).length <= LABEL_MAX_CHARS) return full;
  const combinator = isObject(rule) ? ['And', 'Or', 'Not'].find((key) => key in rule) : null;
  return combinator ? `${combinator}(…)` : truncateText(full, LABEL_MAX_CHARS);
}

/**
 * A Choice rule in full, e.g. `And($.a > 1, $.b present)`.
 * @param {object} rule
 * @returns {string}
 */
export function describeRule(rule) {
  if (!isObject(rule)) return '?';
  if (typeof rule.Condition === 'string') return conditionText(rule.Condition);
  if (rule.Condition !== undefined) return JSON.stringify(rule.Condition) ?? '?';
  for (const combinator of ['And', 'Or']) {
    if (Array.isArray(rule[combinator])) {
      return `${combinator}(${rule[combinator].map(describeRule).join(', ')})`;
    }
  }
  if (rule.Not !== undefined) return `Not(${describeRule(rule.Not)})`;
  return describeComparison(rule);
}

// JSONata conditions are written `{% expression %}`; the braces say nothing to a reader.
function conditionText(condition) {
  const text = condition.trim();
  const inner = text.startsWith('{%') && text.endsWith('%}') ? text.slice(2, -2) : text;
  return inner.replace(/\s+/g, ' ').trim();
}

function describeComparison(rule) {
  const variable = typeof rule.Variable === 'string' ? rule.Variable : '?';
  for (const [key, value] of Object.entries(rule)) {
    if (FIELDS_OF_A_RULE.has(key)) continue;
    const comparison = COMPARISON_KEY.exec(key);
    if (comparison) {
      const operand = comparison[3] ? String(value) : literalText(value);
      return `${variable} ${OPERATORS[comparison[2]]} ${operand}`;
    }
    if (key === 'IsPresent') return `${variable} ${value ? 'present' : 'absent'}`;
    if (key === 'IsNull') return `${variable} ${value ? 'is null' : 'not null'}`;
    if (key in TYPE_TESTS) return `${variable} ${value ? 'is' : 'not'} ${TYPE_TESTS[key]}`;
  }
  return variable;
}

function literalText(value) {
  return JSON.stringify(value) ?? String(value);
}
