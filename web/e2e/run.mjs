// Browser test of the dashboard and the provisioning console, driving Debian's Chromium with playwright-core.
//
// Against a controller:   AETHER_WEB_E2E_URL=http://127.0.0.1:8080 AETHER_WEB_E2E_API_KEY=... npm run e2e
// Against the mock API:   npm run build && npm run e2e:mock
//
// It signs in, provisions a customer with a service on a plan, watches the subscriber come online without a
// reload, moves it to a faster plan and waits for the new rate, disconnects it, and saves a screenshot of every
// page to e2e-artifacts/. Without AETHER_WEB_E2E_URL (and without --mock) it does nothing and says so.
//
// Settings (environment):
//   AETHER_WEB_E2E_URL           the controller serving the built app at / and GraphQL at /graphql
//   AETHER_WEB_E2E_API_KEY       an operator key
//   AETHER_WEB_E2E_BNG_ID        the test subscriber's identity: BNG, Option 82 remote-id and circuit-id
//   AETHER_WEB_E2E_REMOTE_ID       (defaults: the mock's waiting host)
//   AETHER_WEB_E2E_CIRCUIT_ID
//   AETHER_WEB_E2E_USERNAME      optional RADIUS User-Name instead of the server's default
//   AETHER_WEB_E2E_KICK          optional shell command run once the service exists (e.g. start the host's DHCP client)
//   AETHER_WEB_E2E_ONLINE_TIMEOUT_MS  how long to wait for the subscriber to come online (default 120000)
//   AETHER_WEB_E2E_KEEP=1        leave the customer, service and plans in place afterwards
//   AETHER_WEB_E2E_ARTIFACTS     where the screenshots go (default e2e-artifacts)
//   AETHER_WEB_E2E_MOCK_SESSIONS with --mock: how many subscribers the mock simulates (default 60)
//   CHROMIUM_PATH                default /usr/bin/chromium

import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const webRoot = path.resolve(here, '..');
const artifacts = path.resolve(webRoot, process.env.AETHER_WEB_E2E_ARTIFACTS ?? 'e2e-artifacts');
const mock = process.argv.includes('--mock');

let baseUrl = process.env.AETHER_WEB_E2E_URL?.replace(/\/+$/, '');
if (!baseUrl && !mock) {
  console.log('e2e skipped: AETHER_WEB_E2E_URL is not set (or run npm run e2e:mock).');
  process.exit(0);
}

let server = null;
let apiKey = process.env.AETHER_WEB_E2E_API_KEY ?? '';
let identity = {
  bngId: process.env.AETHER_WEB_E2E_BNG_ID ?? '',
  remoteId: process.env.AETHER_WEB_E2E_REMOTE_ID ?? '',
  circuitId: process.env.AETHER_WEB_E2E_CIRCUIT_ID ?? '',
  username: process.env.AETHER_WEB_E2E_USERNAME ?? '',
};
if (mock) {
  if (!existsSync(path.join(webRoot, 'dist/index.html'))) {
    console.error('e2e: web/dist is not built; run npm run build first.');
    process.exit(1);
  }
  const { startMockServer, E2E_HOST } = await import('./mock-server.mjs');
  apiKey = 'mock-key';
  server = await startMockServer({ apiKey, sessions: Number(process.env.AETHER_WEB_E2E_MOCK_SESSIONS ?? 60) });
  baseUrl = server.url;
  identity = { bngId: E2E_HOST.bngId, remoteId: E2E_HOST.remoteId, circuitId: E2E_HOST.circuitId, username: '' };
  console.log(`e2e: mock controller on ${baseUrl}`);
}
if (!apiKey) {
  console.error('e2e: set AETHER_WEB_E2E_API_KEY to an operator key.');
  process.exit(1);
}
if (!identity.username && !(identity.circuitId && identity.remoteId)) {
  console.error('e2e: set AETHER_WEB_E2E_CIRCUIT_ID and AETHER_WEB_E2E_REMOTE_ID (and AETHER_WEB_E2E_BNG_ID), or AETHER_WEB_E2E_USERNAME.');
  process.exit(1);
}

const onlineTimeout = Number(process.env.AETHER_WEB_E2E_ONLINE_TIMEOUT_MS ?? (mock ? 20_000 : 120_000));
const run = Date.now().toString(36);
const names = {
  slowPlan: `E2E 50 ${run}`,
  fastPlan: `E2E 200 ${run}`,
  customer: `E2E Subscriber ${run}`,
  email: `e2e-${run}@example.net`,
};

mkdirSync(artifacts, { recursive: true });
const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'aether-e2e-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1440, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
context.setDefaultTimeout(15_000);
const page = context.pages()[0] ?? (await context.newPage());
const pageErrors = [];
page.on('pageerror', (error) => pageErrors.push(error.message));

let passed = 0;
let failed = 0;
const shots = [];

async function shot(name) {
  const file = path.join(artifacts, `${name}.png`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(300); // let charts finish their layout
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
}

async function step(name, body) {
  const started = Date.now();
  try {
    await body();
    if (pageErrors.length > 0) throw new Error(`the page threw: ${pageErrors.splice(0).join('; ')}`);
    passed++;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    await page.screenshot({ path: path.join(artifacts, `failed-${name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => {});
    throw error;
  }
}

/** Calls the API directly: only for cleaning up after the run. */
async function api(query, variables) {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

const serviceRow = () => page.locator('[data-testid="services-table"] tbody tr', { hasText: names.customer });
let sessionId = '';

try {
  await step('sign-in refuses a wrong key and accepts the right one', async () => {
    await page.goto(`${baseUrl}/`);
    await page.locator('input[name="apiKey"]').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The controller refused this key.').waitFor();
    await shot('01-sign-in');
    await page.locator('input[name="apiKey"]').fill(apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('dashboard').waitFor();
  });

  await step('dashboard shows live sessions, traffic and BNG health', async () => {
    await page.getByTestId('live-status').filter({ hasText: 'Live' }).waitFor();
    await page.locator('[data-testid="sessions-table"] tbody tr, [data-testid="sessions-table"] .state-empty').first().waitFor();
    await page.locator('.bng-card, .state-empty').first().waitFor();
    // Marks the document: if anything reloads the page, the mark is gone.
    await page.evaluate(() => {
      window.__aetherE2E = true;
    });
    await shot('02-dashboard');
    const firstRow = page.locator('[data-testid="sessions-table"] tbody tr[data-session-id]').first();
    if ((await firstRow.count()) > 0) {
      await firstRow.getByRole('button', { name: 'Show details' }).click();
      await page.getByTestId('session-detail').waitFor();
      await shot('03-session-detail');
    }
  });

  await step('plans: validation messages, then two plans', async () => {
    await page.getByRole('link', { name: 'Plans', exact: true }).click();
    const form = page.getByTestId('plan-form');
    await form.getByRole('button', { name: 'Create plan' }).click();
    await form.getByText('Name the plan.').waitFor();
    await form.getByText('Enter a download rate above 0 Mbps.').waitFor();
    for (const [name, down, up] of [
      [names.slowPlan, '50', '10'],
      [names.fastPlan, '200', '40'],
    ]) {
      await form.locator('input[name="name"]').fill(name);
      await form.locator('input[name="downloadMbps"]').fill(down);
      await form.locator('input[name="uploadMbps"]').fill(up);
      await form.getByRole('button', { name: 'Create plan' }).click();
      await form.getByText(`Plan ${name} created.`).waitFor();
      await page.locator('[data-testid="plans-table"] tr', { hasText: name }).waitFor();
    }
    await shot('04-plans');
  });

  await step('customers: validation messages, then a new customer', async () => {
    await page.getByRole('link', { name: 'Customers', exact: true }).click();
    await page.getByRole('button', { name: 'Add customer' }).click();
    const form = page.getByTestId('customer-form');
    await form.locator('input[name="name"]').fill(names.customer);
    await form.locator('input[name="email"]').fill('not-an-email');
    await form.getByRole('button', { name: 'Create customer' }).click();
    await form.getByText('This is not an email address.').waitFor();
    await form.locator('input[name="email"]').fill(names.email);
    await form.locator('input[name="phone"]').fill('+44 20 7946 0000');
    await form.getByRole('button', { name: 'Create customer' }).click();
    await form.getByText(`Customer ${names.customer} created.`).waitFor();
    await page.locator('[data-testid="customers-table"] tr', { hasText: names.customer }).waitFor();
    await shot('05-customers');
  });

  await step('services: provision the subscriber on the 50 Mbps plan', async () => {
    await page.getByRole('link', { name: 'Services', exact: true }).click();
    await page.getByRole('button', { name: 'Add service' }).click();
    const form = page.getByTestId('service-form');
    await form.getByRole('button', { name: 'Create service' }).click();
    await form.getByText('Pick the customer.').waitFor();
    await form.getByText(/Give the circuit-id and remote-id/).first().waitFor();
    await shot('06a-service-validation');
    await form.getByRole('combobox', { name: 'Customer' }).fill(names.customer);
    await page.getByRole('option', { name: new RegExp(names.customer) }).click();
    await form.locator('select[name="planId"]').selectOption({ label: `${names.slowPlan} (50 Mbps / 10 Mbps)` });
    if (identity.bngId) await form.locator('input[name="bngId"]').fill(identity.bngId);
    if (identity.remoteId) await form.locator('input[name="remoteId"]').fill(identity.remoteId);
    if (identity.circuitId) await form.locator('input[name="circuitId"]').fill(identity.circuitId);
    if (identity.username) await form.locator('input[name="username"]').fill(identity.username);
    await form.getByRole('button', { name: 'Create service' }).click();
    await form.getByText(/RADIUS rows written/).waitFor();
    await serviceRow().waitFor();
    await serviceRow().getByText('synced').waitFor();
    await shot('06-service-created');
    if (process.env.AETHER_WEB_E2E_KICK) execSync(process.env.AETHER_WEB_E2E_KICK, { stdio: 'inherit', timeout: 60_000 });
  });

  await step('the subscriber comes online live, at 50 Mbps', async () => {
    const cell = serviceRow().getByTestId('service-session');
    await cell.getByText('online').waitFor({ timeout: onlineTimeout });
    await serviceRow().getByTestId('service-session-rate').filter({ hasText: '50 Mbps ↓' }).waitFor();
    sessionId = (await cell.getAttribute('data-session-id')) ?? '';
    if (!sessionId) throw new Error('the online row names no session');
    if (!(await page.evaluate(() => window.__aetherE2E === true))) throw new Error('the page was reloaded');
    await shot('07-subscriber-online');
  });

  await step('moving it to the 200 Mbps plan changes its rate live', async () => {
    await serviceRow().locator('select').selectOption({ label: names.fastPlan });
    await serviceRow().getByTestId('service-session-rate').filter({ hasText: '200 Mbps ↓' }).waitFor({ timeout: 30_000 });
    await shot('08-plan-changed');
  });

  await step('the dashboard shows the session at its new rate', async () => {
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    await page.getByRole('searchbox', { name: 'Filter by IP' }).waitFor();
    const row = page.locator(`[data-testid="sessions-table"] tr[data-session-id="${sessionId}"]`);
    // It may sit on a later page among many sessions: filter on its customer instead of paging.
    if ((await row.count()) === 0) await page.goto(`${baseUrl}/?customerId=${await customerId()}`);
    await page.locator(`[data-testid="sessions-table"] tr[data-session-id="${sessionId}"]`).getByTestId('plan-rate').filter({ hasText: '200/40 Mbps' }).waitFor();
    await shot('09-dashboard-with-subscriber');
  });

  await step('customer page: live session and activity timeline', async () => {
    await page.goto(`${baseUrl}/customers/${await customerId()}`);
    await page.getByTestId('customer-page').getByRole('heading', { name: names.customer }).waitFor();
    await page.locator(`.session-block[data-session-id="${sessionId}"]`).waitFor();
    await page.getByTestId('timeline').getByText('Online as').first().waitFor();
    await page.getByTestId('timeline').getByText('Rate applied').first().waitFor();
    await shot('10-customer');
  });

  await step('disconnect ends the session live', async () => {
    await page.getByRole('link', { name: 'Services', exact: true }).click();
    await page.evaluate(() => {
      window.__aetherE2E = true;
    });
    const cell = serviceRow().getByTestId('service-session');
    await cell.getByTestId('disconnect').click();
    await cell.getByTestId('disconnect-confirm').click();
    // The old session is gone: the row is offline, or shows a newer session if the host came back already.
    await page.waitForFunction(
      ([name, old]) => {
        const row = [...document.querySelectorAll('[data-testid="services-table"] tbody tr')].find((r) => r.textContent?.includes(name));
        const id = row?.querySelector('[data-testid="service-session"]')?.getAttribute('data-session-id') ?? '';
        return row !== undefined && id !== old;
      },
      [names.customer, sessionId],
      { timeout: 30_000 },
    );
    if (!(await page.evaluate(() => window.__aetherE2E === true))) throw new Error('the page was reloaded');
    await shot('11-disconnected');
  });

  await step('history and events show the stop', async () => {
    await page.goto(`${baseUrl}/?tab=events`);
    await page.locator(`[data-testid="events-table"] tr`, { hasText: sessionId }).filter({ hasText: 'SESSION_STOP' }).first().waitFor({ timeout: 30_000 });
    await shot('12-events');
    await page.getByRole('tab', { name: 'Session history' }).click();
    await page.locator('[data-testid="history-table"] tbody tr, [data-testid="history-table"] .state-empty').first().waitFor();
    await shot('13-history');
  });

  await step('topology draws BNGs, relays and subscribers', async () => {
    await page.getByRole('link', { name: 'Topology', exact: true }).click();
    await page.locator('svg.topology').waitFor();
    await page.locator('svg.topology [data-bng]').first().waitFor();
    await shot('14-topology');
  });

  await step('RADIUS: sync status and the customer profile', async () => {
    await page.getByRole('link', { name: 'RADIUS', exact: true }).click();
    await page.getByRole('button', { name: 'Sync every service' }).click();
    await page.getByText(/services written/).waitFor();
    await page.getByRole('combobox', { name: 'Customer' }).fill(names.customer);
    await page.getByRole('option', { name: new RegExp(names.customer) }).click();
    await page.getByTestId('radius-profile').waitFor();
    await shot('15-radius');
  });

  await step('empty and error states: an unknown customer and an unknown page', async () => {
    await page.goto(`${baseUrl}/customers/999999999`);
    await page.locator('[data-testid="customer-page"] .state-empty, [data-testid="customer-page"] .state-error').first().waitFor();
    await shot('16-unknown-customer');
    await page.goto(`${baseUrl}/no/such/page`);
    await page.getByText('There is no such page.').waitFor();
  });

  await step('sign out returns to the sign-in page and forgets the key', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('input[name="apiKey"]').waitFor();
    if (await page.evaluate(() => sessionStorage.getItem('aether.apiKey'))) throw new Error('the key is still stored');
  });
} catch {
  // Reported by step(); fall through to clean up.
} finally {
  if (process.env.AETHER_WEB_E2E_KEEP !== '1') await cleanUp().catch((e) => console.log(`cleanup: ${e.message}`));
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
  if (server) await server.close();
}

console.log(`screenshots: ${shots.map((s) => path.relative(webRoot, s)).join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

async function customerId() {
  const data = await api('query E2ECustomer($search: String) { customers(first: 5, search: $search) { nodes { id name } } }', { search: names.customer });
  const found = data.data?.customers.nodes.find((c) => c.name === names.customer);
  if (!found) throw new Error(`customer ${names.customer} not found through the API`);
  return found.id;
}

async function cleanUp() {
  const data = await api('query E2EClean($search: String) { customers(first: 5, search: $search) { nodes { id name } } plans { id name } }', { search: names.customer });
  for (const c of data.data?.customers.nodes ?? []) {
    if (c.name === names.customer) await api('mutation E2EDeleteCustomer($id: ID!) { deleteCustomer(id: $id) }', { id: c.id });
  }
  for (const p of data.data?.plans ?? []) {
    if (p.name === names.slowPlan || p.name === names.fastPlan) await api('mutation E2EDeletePlan($id: ID!) { deletePlan(id: $id) }', { id: p.id });
  }
}
