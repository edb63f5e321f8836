import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { httpGet } from '../helpers/http';
import { createLogSink } from '../helpers/log-sink';
import { startTestSidecar, stopTestSidecars } from '../helpers/test-sidecar';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import { waitFor } from '../helpers/wait';

/** Screenshots are kept here as test artifacts (ignored by git). */
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const HOSTILE = '<img src=x onerror=alert(1)>';

let redis: RedisServer;
let browser: Browser;
let base: string;

beforeAll(async () => {
  redis = await startRedis();
  ({ base } = await startTestSidecar(
    `listen: 127.0.0.1:0
defaults: { interval: 200ms, timeout: 150ms }
targets:
  - { name: main, url: "${redis.url}" }
  - { name: gone, url: "redis://127.0.0.1:1/0", required: false }
  - name: odd
    sentinel: { masterName: "${HOSTILE}", sentinels: ["127.0.0.1:1"] }
    required: false
`,
    createLogSink('silent').logger,
  ));
  browser = await launchChromium();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await stopTestSidecars();
  await stopAllRedis();
});

const cellsOf = (page: Page, name: string) =>
  page
    .locator('tbody tr', { has: page.locator(`td:first-child:text-is("${name}")`) })
    .locator('td')
    .allInnerTexts();

test('shows every target with its state, and refreshes itself', async () => {
  const page = await browser.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await waitFor('every target probed', async () => {
    const status = JSON.parse((await httpGet(`${base}/status`)).body) as {
      targets: Array<{ up: boolean | null }>;
    };
    return status.targets.every((target) => target.up !== null);
  });
  await page.goto(`${base}/`);

  expect(await page.title()).toBe('redis-health-sidecar: ready');
  expect(await page.locator('#overall').innerText()).toBe('Ready: 3 target(s)');
  const main = await cellsOf(page, 'main');
  expect(main.slice(0, 5)).toEqual([
    'main',
    `127.0.0.1:${redis.port}`,
    'standalone',
    'up',
    'closed',
  ]);
  expect(main[5]).toMatch(/^\d+(\.\d+)? ms$/);
  expect(main[7]).toMatch(/^master \d+\.\d+\.\d+, \d+ clients, .+, up \d+s$/);
  const gone = await cellsOf(page, 'gone');
  expect(gone[3]).toBe('down');
  expect(gone[6]).toMatch(/^refused: connect ECONNREFUSED 127\.0\.0\.1:1/);

  // A target's text is shown as text: the master name is not markup.
  const odd = await cellsOf(page, 'odd');
  expect(odd[1]).toBe(HOSTILE);
  expect(await page.locator('img').count()).toBe(0);
  expect(dialogs).toEqual([]);

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'status-page.png'), fullPage: true });

  // Redis goes away: the open page notices by itself, without the test reloading it.
  await redis.kill();
  // (waitForFunction would need eval, which the page's Content-Security-Policy forbids.)
  await page.waitForSelector('tbody tr:first-child.down', { timeout: 15_000 });
  expect(await page.title()).toBe('redis-health-sidecar: not ready');
  await page.close();
}, 40_000);
