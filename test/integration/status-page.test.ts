import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { httpGet } from '../helpers/http';
import { createLogSink } from '../helpers/log-sink';
import { startRedis, stopAllRedis, type RedisServer } from '../helpers/redis-server';
import { startTestSidecar, stopTestSidecars } from '../helpers/test-sidecar';
import { waitFor } from '../helpers/wait';

/** Screenshots are kept here as test artifacts (ignored by git). */
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const HOSTILE = '<img src=x onerror=alert(1)>';
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let redis: RedisServer;
let flappy: RedisServer;
let browser: Browser;
let base: string;

beforeAll(async () => {
  [redis, flappy] = await Promise.all([startRedis(), startRedis()]);
  ({ base } = await startTestSidecar(
    `listen: 127.0.0.1:0
defaults: { interval: 200ms, timeout: 150ms, breaker: { failureThreshold: 2, recoveryTimeout: 1s, successThreshold: 1 } }
targets:
  - { name: main, url: "${redis.url}" }
  - { name: gone, url: "redis://127.0.0.1:1/0", required: false }
  - { name: flappy, url: "${flappy.url}", required: false }
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

/** The row of one target: its header cell, then its cells' text. */
const rowOf = (page: Page, name: string) =>
  page.locator('tbody tr', { has: page.locator(`th .name:text-is("${name}")`) });
const cellsOf = (page: Page, name: string) => rowOf(page, name).locator('td').allInnerTexts();

/** axe-core's serious and critical findings on the page as it is now. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(): Promise<{ violations: Array<{ id: string; impact: string; help: string }> }>;
        };
      }
    ).axe;
    return (await axe.run()).violations;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help}`);
}

test('up, down and flapping targets: strips, durations, reasons in words, events', async () => {
  await waitFor('every target probed', async () => {
    const status = JSON.parse((await httpGet(`${base}/status`)).body) as {
      targets: Array<{ up: boolean | null }>;
    };
    return status.targets.every((target) => target.up !== null);
  });
  // flappy goes down and comes back twice, in different 5-second slices of the strip.
  for (let round = 0; round < 2; round += 1) {
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await flappy.kill();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await flappy.restart();
  }
  await waitFor('flappy up again', async () => {
    const status = JSON.parse((await httpGet(`${base}/status`)).body) as {
      targets: Array<{ name: string; up: boolean | null }>;
    };
    return status.targets.find((target) => target.name === 'flappy')?.up === true;
  });

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(`${base}/`);

  expect(await page.title()).toBe('redis-health-sidecar: ready');
  expect(await page.locator('#overall').innerText()).toBe('2 of 4 targets failing; ready');

  const main = rowOf(page, 'main');
  expect(await main.locator('.badge').innerText()).toBe('UP');
  expect(await main.locator('td.state .detail').innerText()).toMatch(
    /^up since \d\d:\d\d:\d\d UTC \(\d+s\)$/,
  );
  expect(await main.locator('svg.strip rect.up').count()).toBeGreaterThan(1);
  expect(await main.locator('svg.strip rect.down').count()).toBe(0);
  expect(await main.locator('svg.spark polyline').count()).toBeGreaterThan(0);
  expect(await main.locator('svg.strip').getAttribute('aria-label')).toMatch(
    /^main: last 15 minutes in 5-second slices: up in \d+, down in 0$/,
  );
  expect((await cellsOf(page, 'main'))[2]).toMatch(
    /^master \d+\.\d+\.\d+, \d+ clients, .+, up \d+s$/,
  );

  const gone = rowOf(page, 'gone');
  expect(await gone.locator('.badge').innerText()).toBe('DOWN');
  expect(await gone.locator('td.state .detail').innerText()).toMatch(/^down for \d+s$/);
  expect(await gone.locator('.reason').innerText()).toBe(
    'connection refused: nothing listens on 127.0.0.1:1',
  );
  expect(await gone.locator('.raw').innerText()).toMatch(
    /^refused: connect ECONNREFUSED 127\.0\.0\.1:1/,
  );
  expect(await gone.locator('svg.strip rect.down').count()).toBeGreaterThan(1);

  // Flapping: slices with failures (all down, or both) and slices with answers (all up, or both).
  const flapping = rowOf(page, 'flappy');
  const slices = async (state: string) => flapping.locator(`svg.strip rect.${state}`).count();
  expect((await slices('down')) + (await slices('mixed'))).toBeGreaterThan(0);
  expect((await slices('up')) + (await slices('mixed'))).toBeGreaterThan(0);
  const events = await page.locator('#events li').allInnerTexts();
  expect(events.some((line) => /flappy: breaker closed → open \(refused\)$/.test(line))).toBe(true);
  expect(events.some((line) => /flappy: answers again$/.test(line))).toBe(true);
  expect(events.every((line) => /^\d\d:\d\d:\d\d UTC /.test(line))).toBe(true);

  // A target's text is shown as text: the master name is not markup.
  expect(await rowOf(page, 'odd').locator('.detail').first().innerText()).toBe(
    `${HOSTILE} · sentinel`,
  );
  expect(await rowOf(page, 'odd').locator('.reason').innerText()).toBe(
    'connection refused: nothing listens on the sentinels (127.0.0.1:1)',
  );
  expect(await page.locator('img').count()).toBe(0);
  expect(dialogs).toEqual([]);

  mkdirSync(ARTIFACTS, { recursive: true });
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const [device, viewport] of [
      ['desktop', { width: 1280, height: 900 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      // axe is injected as a script: this context lets it past the page's own CSP.
      const context = await browser.newContext({ viewport, colorScheme, bypassCSP: true });
      const shot = await context.newPage();
      await shot.goto(`${base}/`);
      await shot.screenshot({
        path: join(ARTIFACTS, `status-page-${device}-${colorScheme}.png`),
        fullPage: true,
      });
      expect(await accessibilityProblems(shot)).toEqual([]);
      if (device === 'phone') {
        // Nothing wider than the phone's screen.
        const width = await shot.evaluate(
          () =>
            (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } })
              .document.documentElement.scrollWidth,
        );
        expect(width).toBeLessThanOrEqual(viewport.width);
      }
      await context.close();
    }
  }

  // Asked to, the page reloads itself: Redis goes away and the open page notices, without the
  // test reloading it.
  await page.goto(`${base}/?refresh=2`);
  expect(await page.locator('footer').innerText()).toContain('refreshes every 2 s (stop)');
  await redis.kill();
  // (waitForFunction would need eval, which the page's Content-Security-Policy forbids.)
  await page.waitForSelector('tbody tr:first-child.down', { timeout: 15_000 });
  expect(await page.title()).toBe('redis-health-sidecar: not ready');
  expect(await page.locator('#overall').innerText()).toBe('3 of 4 targets failing; not ready');
  await page.close();
}, 60_000);

test('the page reloads itself only when asked, and says how to stop', async () => {
  const plain = await httpGet(`${base}/`);
  expect(plain.body).not.toContain('http-equiv="refresh"');
  expect(plain.body).toContain('<a href="?refresh=5">refresh every 5 s</a>');
  expect((await httpGet(`${base}/?refresh=5`)).body).toContain(
    '<meta http-equiv="refresh" content="5">',
  );
  for (const bad of ['0', '1.5', 'soon', '99999']) {
    const reply = await httpGet(`${base}/?refresh=${bad}`);
    expect([reply.status, reply.body]).toEqual([
      400,
      'refresh must be whole seconds from 2 to 3600, such as ?refresh=5\n',
    ]);
  }
});

test('/status?history=1 adds the slices and the events; plain /status stays small', async () => {
  const plain = JSON.parse((await httpGet(`${base}/status`)).body) as Record<string, unknown>;
  expect(plain.events).toBeUndefined();
  const full = JSON.parse((await httpGet(`${base}/status?history=1`)).body) as {
    events: Array<{ kind: string; target?: string }>;
    targets: Array<{ name: string; history: { bucketSeconds: number; buckets: unknown[] } }>;
  };
  expect(full.targets[0]?.history.bucketSeconds).toBe(5);
  expect(full.targets[0]?.history.buckets).toHaveLength(180);
  expect(full.events.some((event) => event.kind === 'opened' && event.target === 'flappy')).toBe(
    true,
  );
});
