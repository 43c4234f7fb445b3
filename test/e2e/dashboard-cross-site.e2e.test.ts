// Cross-site writes against the dashboard, in a real browser: an operator who logged in keeps
// basic-auth credentials the browser sends again to the dashboard's origin, also when a page on
// another site makes the request. That page submits a text/plain form shaped as JSON (the old
// trick bull-board's body parser would take) and a no-cors fetch; neither may add a job. The
// dashboard's own page still writes. Needs Debian's chromium (/usr/bin/chromium) and the built apps.
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort, type Stack, startStack } from '@openim-sync/testing';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const ADMIN = { username: 'ops', password: 'dashboard-test-password' };

describe('dashboard writes from another site, in a browser', () => {
  const queueName = 'openim-callbacks';
  let stack: Stack | undefined;
  let adminUrl: string;
  let attacker: Server | undefined;
  let attackerUrl: string;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} missing: apt-get install chromium`).toBe(true);
    const adminPort = await freePort();
    adminUrl = `http://127.0.0.1:${adminPort}`;
    stack = await startStack({ label: 'dashboard_xsite', queueName });
    const ingress = await stack.startIngress({
      ADMIN_PORT: String(adminPort),
      ADMIN_HOST: '127.0.0.1',
      ADMIN_USER: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
    });
    await ingress.process.waitForLine(/"msg":"admin listening/);

    // Another site: `localhost`, not 127.0.0.1, so the browser calls the dashboard cross-site.
    const addUrl = `${adminUrl}/api/queues/${queueName}/add`;
    attacker = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(attackPage(addUrl)));
    attacker.listen(0, '127.0.0.1');
    await once(attacker, 'listening');
    attackerUrl = `http://localhost:${(attacker.address() as AddressInfo).port}/`;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    // The credentials go to the dashboard's origin only, as a browser's cache of them does.
    context = await browser.newContext({ httpCredentials: { ...ADMIN, origin: adminUrl } });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    if (attacker) {
      attacker.closeAllConnections();
      await new Promise((resolve) => attacker?.close(resolve));
    }
    await stack?.close();
  });

  const jobNames = async () => (await stack!.queue.getJobs(['waiting', 'prioritized', 'delayed'])).map((j) => j.name);

  it('adds no job when a page on another site posts to it, after the operator logged in', async () => {
    const page = await context!.newPage();
    // The operator logs in: from now on the browser sends the credentials to the dashboard.
    const login = await page.goto(`${adminUrl}/`, { waitUntil: 'domcontentloaded' });
    expect(login?.status()).toBe(200);

    const answers: number[] = [];
    page.on('response', (response) => {
      if (response.url().startsWith(adminUrl) && response.request().method() === 'POST')
        answers.push(response.status());
    });
    await page.goto(attackerUrl);
    // The form navigates the page to the dashboard's answer.
    await page.waitForURL(`${adminUrl}/**`, { timeout: 15_000 });
    // Wait for the dashboard's final answer to the form (a 401 challenge may come first).
    await expect.poll(() => answers.some((status) => status !== 401), { timeout: 15_000 }).toBe(true);
    expect(await jobNames()).toEqual([]);
    expect(answers).toContain(403);
    expect(answers).not.toContain(200);
    await page.close();
  });

  it("still adds a job from the dashboard's own page", async () => {
    const page = await context!.newPage();
    await page.goto(`${adminUrl}/`, { waitUntil: 'domcontentloaded' });
    const status = await page.evaluate(async (queue) => {
      const response = await fetch(`/api/queues/${queue}/add`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'from-the-dashboard', data: {} }),
      });
      return response.status;
    }, queueName);
    expect(status).toBe(200);
    expect(await jobNames()).toEqual(['from-the-dashboard']);
    await page.close();
  });
});

/** A page that writes to the dashboard as soon as it loads: a no-cors fetch, then a text/plain form shaped as JSON. */
function attackPage(addUrl: string): string {
  const name = '{"name":"cross-site","data":{},"x":"';
  return `<!doctype html><html><body>
<form id="f" method="POST" action="${addUrl}" enctype="text/plain">
  <input type="hidden" name='${name}' value='"}'>
</form>
<script>
  fetch(${JSON.stringify(addUrl)}, {
    method: 'POST', mode: 'no-cors', credentials: 'include',
    headers: { 'content-type': 'text/plain' },
    body: '{"name":"cross-site-fetch","data":{}}',
  }).finally(() => document.getElementById('f').submit());
</script>
</body></html>`;
}
