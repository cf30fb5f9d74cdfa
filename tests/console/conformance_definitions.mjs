// The ASL definitions of the shared conformance cases (../shared/conformance, kept outside the
// checkout): real-world shapes for the graph's tests. None when the cases are not there.
import fs from 'node:fs';

const casesDir = new URL('../../../shared/conformance/cases/', import.meta.url);

/** [file name, definition] of every case that has a definition. */
export function conformanceDefinitions() {
  if (!fs.existsSync(casesDir)) return [];
  const definitions = [];
  const visit = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const url = new URL(entry.name + (entry.isDirectory() ? '/' : ''), dir);
      if (entry.isDirectory()) visit(url);
      else if (entry.name.endsWith('.json')) {
        const testCase = JSON.parse(fs.readFileSync(url, 'utf8'));
        if (testCase.definition) definitions.push([entry.name, testCase.definition]);
      }
    }
  };
  visit(casesDir);
  return definitions;
}
