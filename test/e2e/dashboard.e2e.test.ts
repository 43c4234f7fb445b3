// The dashboard as an operator uses it: headless Chromium logs in to the
// built ingress's admin listener, finds a failed job, retries it from the
// page, and sees it complete once a healthy worker runs. The ingress runs in
// its default inbox mode, so the test moves the inbox as a worker does. Needs Debian's
// chromium (/usr/bin/chromium; .ci/run installs it) and the built apps.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type CallbackQueue,
  createAdminConnection,
  createCallbackQueue,
  createInboxMover,
  createWorkerConnection,
  type InboxKeys,
  type InboxMover,
  inboxKeys,
  toQueueSettings,
} from '@openim-sync/queue';
import { createLogger } from '@openim-sync/runtime';
import { createCatalog } from '@openim-sync/schema';
import { freePort, repoRoot, type Stack, startStack, uniqueName } from '@openim-sync/testing';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const ADMIN = { username: 'ops', password: 'dashboard-test-password' };
const COMMAND = 'callbackAfterQuitGroupCommand';
// Written to docs/ (shown in the README) on request or when missing; else under
// test-results/, so a CI run leaves the work tree clean.
const { UPDATE_SCREENSHOT } = process.env;
const SCREENSHOT =
  UPDATE_SCREENSHOT === '1' || !existsSync(join(repoRoot, 'docs/dashboard.png'))
    ? join(repoRoot, 'docs/dashboard.png')
    : join(repoRoot, 'test-results/dashboard.png');

describe('dashboard in a browser', () => {
  // The default queue name, as an operator sees it; the stack's unique prefix keeps runs apart.
  const queueName = 'openim-callbacks';
  const workers: Worker[] = [];
  let stack: Stack | undefined;
  let redisUrl: string;
  let prefix: string;
  let adminUrl: string;
  let callbackUrl: string;
  let connection: Redis | undefined;
  let queue: CallbackQueue | undefined;
  let browser: Browser | undefined;
  let mover: InboxMover | undefined;
  let startMover: () => void;
  let inbox: InboxKeys;

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} missing: apt-get install chromium`).toBe(true);
    const adminPort = await freePort();
    adminUrl = `http://127.0.0.1:${adminPort}`;
    stack = await startStack({ label: 'dashboard', queueName, env: { RETRY_SCHEDULE: '100ms,200ms' } });
    redisUrl = stack.redisUrl;
    prefix = stack.names.prefix;
    const ingress = await stack.startIngress({
      ADMIN_PORT: String(adminPort),
      ADMIN_HOST: '127.0.0.1',
      ADMIN_USER: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
    });
    callbackUrl = `${ingress.url}/callback/${COMMAND}`;
    await ingress.process.waitForLine(/"msg":"admin listening/);
    connection = createAdminConnection(redisUrl);
    const settings = toQueueSettings({
      REDIS_URL: redisUrl,
      QUEUE_NAME: queueName,
      QUEUE_PREFIX: prefix,
      RETRY_SCHEDULE: [100, 200],
      KEEP_COMPLETED_COUNT: 100,
      KEEP_COMPLETED_AGE_SECONDS: 600,
      KEEP_FAILED_COUNT: 100,
      KEEP_FAILED_AGE_SECONDS: 600,
    });
    queue = createCallbackQueue(settings, connection);
    await queue.waitUntilReady();
    inbox = inboxKeys(settings);
    // What every worker runs besides its BullMQ worker: callbacks go from the inbox into the queue
    // (started by the tests that need it, so that one first sees the inbox with no worker).
    startMover = () => {
      const reader = createWorkerConnection(redisUrl);
      reader.on('error', () => {});
      mover ??= createInboxMover({
        reader,
        queue: queue as CallbackQueue,
        settings,
        catalog: createCatalog(),
        logger: createLogger({ name: 'dashboard-test', level: 'silent', pretty: false }),
      });
      void mover.run();
    };
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await mover?.close();
    await Promise.all(workers.map((w) => w.close()));
    await queue?.close();
    connection?.disconnect();
    await stack?.close();
  });

  it('refuses requests without credentials or with a wrong password', async () => {
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    for (const path of ['/', '/metrics', '/api/queues']) {
      const anonymous = await fetch(`${adminUrl}${path}`);
      expect(anonymous.status, path).toBe(401);
      expect(anonymous.headers.get('www-authenticate'), path).toMatch(/^Basic /);
      const wrong = await fetch(`${adminUrl}${path}`, { headers: { Authorization: basic(ADMIN.username, 'wrong') } });
      expect(wrong.status, path).toBe(401);
    }
    const right = { Authorization: basic(ADMIN.username, ADMIN.password) };
    expect((await fetch(`${adminUrl}/api/queues`, { headers: right })).status).toBe(200);
    // /metrics has a credential of its own (METRICS_USER/METRICS_PASSWORD, unset here: no /metrics).
    expect((await fetch(`${adminUrl}/metrics`, { headers: right })).status).toBe(404);
  });

  it('shows callbacks acknowledged into the inbox while no worker runs', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await fetch(callbackUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', operationID: uniqueName('op') },
        body: `${JSON.stringify({ callbackCommand: COMMAND, groupID: '3027412834', userID: `u${i}` })}\n`,
      });
      expect(await response.json()).toMatchObject({ errCode: 0 });
    }
    expect(await queue?.getJobCounts('waiting')).toEqual({ waiting: 0 });
    const context = await browser!.newContext({ httpCredentials: ADMIN });
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
    const page = await context.newPage();
    try {
      await page.goto(`${adminUrl}/`, { waitUntil: 'domcontentloaded' });
      await page.getByRole('link', { name: queueName }).first().click();
      const note = page.getByText(/3 in the inbox \(counted as waiting/);
      await expect.poll(() => note.count(), { timeout: 15_000 }).toBeGreaterThan(0);
      await expect.poll(() => page.getByRole('link', { name: /^waiting\D*3/i }).count(), { timeout: 15_000 }).toBe(1);
    } finally {
      await context.close();
    }
    // These callbacks are this test's only: the next tests start from an empty inbox.
    await connection?.xtrim(inbox.stream, 'MAXLEN', 0);
  });

  it('retries a failed job from the page and shows it completed', async () => {
    startMover();
    const jobId = await sendCallback(callbackUrl, queue as CallbackQueue);
    // A worker whose sink refuses the event for good: the job lands in the failed set.
    await runWorkerUntil(jobId, 'failed', async () => {
      const err = new UnrecoverableError('http sink: the App answered 422 Unprocessable Entity');
      err.stack = `UnrecoverableError: ${err.message}`;
      throw err;
    });
    expect(await queue?.getJobState(jobId)).toBe('failed');

    const context = await browser!.newContext({ httpCredentials: ADMIN, viewport: { width: 1280, height: 720 } });
    // Nothing leaves this machine (the page links a web font).
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
    const page = await context.newPage();
    try {
      await page.goto(`${adminUrl}/`, { waitUntil: 'domcontentloaded' });
      await page.getByRole('link', { name: queueName }).first().click();
      await page
        .getByRole('link', { name: /^failed/i })
        .first()
        .click();
      const card = jobCard(page, jobId);
      await expect.poll(() => card.count(), { timeout: 15_000 }).toBeGreaterThan(0);
      await expect.poll(() => page.getByText('the App answered 422').count(), { timeout: 15_000 }).toBeGreaterThan(0);
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });

      await clickButtonWithTooltip(page, card, 'Retry');
      await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
      await expect.poll(() => queue?.getJobState(jobId), { timeout: 10_000 }).toBe('waiting');

      // Now a healthy worker applies it.
      await runWorkerUntil(jobId, 'completed', async () => ({ log: 'logged' }));
      expect(await queue?.getJobState(jobId)).toBe('completed');
      await page
        .getByRole('link', { name: /^completed/i })
        .first()
        .click();
      await expect.poll(() => jobCard(page, jobId).count(), { timeout: 15_000 }).toBeGreaterThan(0);
      await page
        .getByRole('link', { name: /^failed/i })
        .first()
        .click();
      await expect.poll(() => page.getByText(jobId, { exact: true }).count(), { timeout: 15_000 }).toBe(0);
    } finally {
      await context.close();
    }
  });

  /** Runs a worker with `process` until the job reaches `state`, then closes it. */
  async function runWorkerUntil(jobId: string, state: 'failed' | 'completed', process: (job: Job) => Promise<unknown>) {
    const worker = new Worker(queueName, process, {
      connection: { url: redisUrl, maxRetriesPerRequest: null },
      prefix,
    });
    workers.push(worker);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`job ${jobId} not ${state} within 15 s`)), 15_000);
        worker.on(state, (job: Job | undefined) => {
          if (job?.id !== jobId) return;
          clearTimeout(timer);
          resolve();
        });
      });
    } finally {
      await worker.close();
    }
  }
});

/** Sends one callback as OpenIM would; resolves with the id of the job it became once the mover added it. */
async function sendCallback(url: string, queue: CallbackQueue): Promise<string> {
  const body = `${JSON.stringify({ callbackCommand: COMMAND, groupID: '3027412834', userID: '6960562805' })}\n`;
  const operationID = uniqueName('op');
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', operationID },
    body,
  });
  expect(await response.json()).toMatchObject({ errCode: 0 });
  // The ingress gave the receipt an id of its own; find its job by the operationID.
  return vi.waitFor(
    async () => {
      const jobs = await queue.getJobs(['waiting', 'prioritized']);
      const id = jobs.find((job) => job.data.operationID === operationID)?.id;
      if (!id) throw new Error(`no job for ${operationID} yet`);
      return id;
    },
    { timeout: 10_000, interval: 50 },
  );
}

/** The job card's header: the smallest element holding the job's id and its action buttons. */
function jobCard(page: Page, jobId: string) {
  return page
    .locator('*', { has: page.getByText(jobId, { exact: true }) })
    .filter({ has: page.getByRole('button') })
    .last();
}

/** bull-board's job actions are icons named by a tooltip: hover each until the tooltip says `label`. */
async function clickButtonWithTooltip(page: Page, scope: ReturnType<typeof jobCard>, label: string) {
  const buttons = scope.getByRole('button');
  const tooltip = page.getByText(label, { exact: true });
  for (let i = 0; i < (await buttons.count()); i++) {
    await buttons.nth(i).hover();
    const shown = await tooltip
      .waitFor({ state: 'visible', timeout: 1500 })
      .then(() => true)
      .catch(() => false);
    if (shown) return buttons.nth(i).click();
  }
  throw new Error(`no button with the tooltip "${label}"`);
}
