// The web console in a real browser: Debian's headless Chromium, driven by playwright-core,
// against a real `stepwise server` (RocksDB in a temp dir) with real executions. Asserts the
// graph, the live status of a running execution as it moves on, a caught failure, the state
// panel, and the executions list; saves a screenshot ($STEPWISE_SCREENSHOT).
//
// Run by CTest (tests/CMakeLists.txt); by hand:
//   STEPWISE_BINARY=build/cli/stepwise node tests/console/browser_test.mjs
// Needs `npm ci` in tests/console (./scripts/test does it) and /usr/bin/chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  throw new Error('playwright-core is missing: run `npm ci --prefix tests/console` ' +
                  '(./scripts/test does it)');
}

const binary = process.env.STEPWISE_BINARY ?? 'build/cli/stepwise';
const browserPath = process.env.STEPWISE_CHROMIUM ?? '/usr/bin/chromium';
const screenshot = process.env.STEPWISE_SCREENSHOT ?? join(tmpdir(), 'stepwise-console.png');
const TIMEOUT = 20_000;

// A shop: a Task whose failure a Catch turns into a refund, then a Parallel of two branches.
const definition = {
  Comment: 'Charge, then pack and label in parallel; a declined card is refunded.',
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Result: { ready: true }, ResultPath: '$.prepared', Next: 'Charge' },
    Charge: {
      Type: 'Task', Resource: 'function:charge', ResultPath: '$.charge', Next: 'Ship',
      Catch: [{ ErrorEquals: ['Card.Declined'], ResultPath: '$.error', Next: 'Refund' }],
    },
    Ship: {
      Type: 'Parallel', Next: 'Done',
      Branches: [
        { StartAt: 'Pack', States: { Pack: { Type: 'Pass', End: true } } },
        { StartAt: 'Label', States: { Label: { Type: 'Pass', End: true } } },
      ],
    },
    Done: { Type: 'Succeed' },
    Refund: { Type: 'Pass', Next: 'Declined' },
    Declined: { Type: 'Fail', Error: 'Order.Declined', Cause: 'the card was declined' },
  },
};

const dataDir = mkdtempSync(join(tmpdir(), 'stepwise-console-'));
let server;
let grpcAddress;
let httpBase;
let browser;
let page;
const pageErrors = [];  // uncaught exceptions in the page: none expected

function cli(...args) {
  return execFileSync(binary, [...args, '--server', grpcAddress], { encoding: 'utf8' });
}

function executionId(name) {
  return `arn:stepwise:states:local:execution:shop:${name}`;
}

// Takes the next task of `charge` and ends it with `verdict(token)`'s arguments.
function completeCharge(verdict) {
  const { task } = JSON.parse(cli('task', 'poll', 'charge', '--wait', '10', '--json'));
  assert.equal(task.stateName, 'Charge');
  const { token } = task;
  cli('task', ...verdict(token));
}

async function startServer() {
  server = spawn(binary, ['server', '--data', dataDir, '--grpc', '127.0.0.1:0',
                          '--http', '127.0.0.1:0', '--no-sync'],
                 { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: server.stdout });
  for await (const line of lines) {
    const match = /listening: grpc (\S+) http (\S+)/.exec(line);
    if (match) {
      [, grpcAddress] = match;
      httpBase = `http://${match[2]}`;
      return;
    }
  }
  throw new Error('the server ended before it said where it listens');
}

async function stateStatus(name) {
  return page.locator(`svg.sw-graph g.sw-node[data-state="${name}"]`).first()
    .getAttribute('data-status');
}

async function expectStatus(name, status) {
  await page.waitForFunction(([n, s]) =>
    document.querySelector(`svg.sw-graph g.sw-node[data-state="${n}"]`)?.dataset.status === s,
  [name, status], { timeout: TIMEOUT });
}

async function expectExecutionStatus(status) {
  await page.locator('.execution-status .badge').filter({ hasText: status })
    .waitFor({ timeout: TIMEOUT });
}

before(async () => {
  await startServer();
  const file = join(dataDir, 'shop.json');
  writeFileSync(file, JSON.stringify(definition));
  cli('machine', 'create', 'shop', file);
  browser = await chromium.launch({
    executablePath: browserPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
});

after(async () => {
  await browser?.close();
  if (server) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

test('a running execution is drawn as a graph and follows its task live to the end', async () => {
  cli('exec', 'start', 'shop', '--name', 'paid', '--input', '{"order": 7}');
  await page.goto(`${httpBase}/#/executions/${encodeURIComponent(executionId('paid'))}`);

  // The graph: every state, the Parallel as a group around its branches, the Catch edge.
  const graph = page.locator('svg.sw-graph');
  await graph.waitFor({ timeout: TIMEOUT });
  for (const name of ['Prepare', 'Charge', 'Ship', 'Pack', 'Label', 'Done', 'Refund', 'Declined']) {
    assert.equal(await graph.locator(`g.sw-node[data-state="${name}"]`).count() >= 1, true, name);
  }
  assert.equal(await graph.locator('g.sw-node[data-state="Ship"]').getAttribute('data-type'),
               'Parallel');
  assert.equal(await graph.locator('g.sw-edge[data-from="Charge"][data-to="Refund"]')
    .getAttribute('data-kind'), 'catch');

  // Live status while the task waits for a worker.
  await expectStatus('Prepare', 'succeeded');
  await expectStatus('Charge', 'running');
  await expectExecutionStatus('running');
  assert.equal(await stateStatus('Done'), null);

  // A worker completes the task: the page moves on by itself (no reload).
  completeCharge((token) => ['succeed', token, '--output', '{"paid": 42}']);
  await expectExecutionStatus('succeeded');
  for (const name of ['Charge', 'Ship', 'Pack', 'Label', 'Done']) await expectStatus(name, 'succeeded');
  assert.equal(await stateStatus('Refund'), null);

  // A click on a state shows what it took and gave.
  await graph.locator('g.sw-node[data-state="Charge"]').first().click();
  const panel = page.locator('.state-panel');
  await panel.locator('.state-title').filter({ hasText: 'Charge' }).waitFor({ timeout: TIMEOUT });
  assert.match(await panel.locator('pre[data-field="output"]').innerText(), /"paid": 42/);
  assert.match(await panel.locator('pre[data-field="input"]').innerText(), /"order": 7/);
  assert.equal(await page.locator('.timeline-row').count() >= 5, true);
  await page.screenshot({ path: screenshot, fullPage: true });
});

test('a caught failure is coloured as caught, and the failed end as failed', async () => {
  cli('exec', 'start', 'shop', '--name', 'declined', '--input', '{"order": 8}');
  await page.goto(`${httpBase}/#/executions/${encodeURIComponent(executionId('declined'))}`);
  await expectStatus('Charge', 'running');
  completeCharge((token) => ['fail', token, '--error', 'Card.Declined', '--cause', 'no funds']);
  await expectExecutionStatus('failed');
  await expectStatus('Charge', 'caught');
  await expectStatus('Refund', 'succeeded');
  await expectStatus('Declined', 'failed');
  assert.equal(await stateStatus('Ship'), null);
});

test('the executions list shows both, and its filter narrows it', async () => {
  await page.goto(`${httpBase}/#/executions`);
  const rows = page.locator('tr.execution-row');
  await rows.filter({ hasText: 'declined' }).waitFor({ timeout: TIMEOUT });
  assert.equal(await rows.count(), 2);
  await page.selectOption('select[name="status"]', 'FAILED');
  await page.waitForFunction(() => document.querySelectorAll('tr.execution-row').length === 1,
                             null, { timeout: TIMEOUT });
  assert.match(await rows.first().innerText(), /declined/);
  assert.match(page.url(), /status=FAILED/);

  // And from the list to the machine's page, with its graph and counts.
  await page.goto(`${httpBase}/#/machines/shop`);
  await page.locator('svg.sw-graph g.sw-node[data-state="Charge"]').waitFor({ timeout: TIMEOUT });
  assert.match(await page.locator('.count-chips').innerText(), /FAILED\s*1/i);
});

test('an execution of a deleted state machine still shows its history', async () => {
  cli('machine', 'delete', 'shop');
  await page.goto(`${httpBase}/#/executions/${encodeURIComponent(executionId('paid'))}`);
  await page.locator('.graph-panel').filter({ hasText: 'was deleted' }).waitFor({ timeout: TIMEOUT });
  await expectExecutionStatus('succeeded');
  assert.equal(await page.locator('details.history tbody tr').count(), 19);
  assert.deepEqual(pageErrors, []);
});
