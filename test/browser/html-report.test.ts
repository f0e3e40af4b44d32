import { copyFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cas, ROOT } from '../helpers/cas-cli.js';
import { launchChromium, openFile } from '../helpers/browser.js';
import { syntheticReport } from '../helpers/synthetic-report.js';

let dir: string;
let browser: Browser;
const file = (name: string) => path.join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-browser-'));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Every chart named is there, drawn: an SVG with at least one line (or point) in it, on screen. */
async function expectCharts(page: Page, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const figure = page.locator(`figure#${id}`);
    await expect(figure.count(), `chart ${id}`).resolves.toBe(1);
    const drawn = await figure.evaluate((element) => {
      const svg = element.querySelector('svg.chart-svg');
      const box = svg?.getBoundingClientRect();
      const lines = [...element.querySelectorAll('path.line')].filter((path) => (path.getAttribute('d') ?? '').length > 10).length;
      return { svg: svg !== null, width: box?.width ?? 0, height: box?.height ?? 0, lines, dots: element.querySelectorAll('circle.dot').length };
    });
    expect(drawn.svg, `chart ${id} has its SVG`).toBe(true);
    expect(drawn.width, `chart ${id} is on screen`).toBeGreaterThan(200);
    expect(drawn.height, `chart ${id} is on screen`).toBeGreaterThan(80);
    expect(drawn.lines + drawn.dots, `chart ${id} has something drawn`).toBeGreaterThan(0);
  }
}

describe('the HTML report in a real browser (Debian chromium, headless)', () => {
  it('opens a real run\'s page with every chart drawn, no console error and no request to anywhere', async () => {
    // A short run for the test; a longer one when it makes the README's picture.
    const seconds = process.env.CAS_SCREENSHOT === undefined ? '3' : '10';
    const run = await cas([
      'run', '--instances', '2', '--method', 'thread/list', '--params', '{"limit":5}', '--rate', '150', '--warmup', '1', '--duration', seconds, '--concurrency', '8',
      '--max-p99-ms', '500', '--html', file('run.html'),
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    const { page, errors, requests } = await openFile(browser, file('run.html'));
    await expectCharts(page, ['chart-latency', 'chart-cpu', 'chart-throughput', 'chart-rss', 'chart-distribution', 'chart-gauges']);
    // The latency chart has its three percentiles; the warm-up is shaded.
    await expect(page.locator('#chart-latency path.line').evaluateAll((paths) => paths.map((p) => p.getAttribute('data-series')))).resolves.toEqual(['p50', 'p90', 'p99']);
    await expect(page.locator('#chart-latency rect.band title').textContent()).resolves.toBe('warm-up');
    // The tables: which codex, thresholds, instances with their CPU and memory.
    await expect(page.locator('h2', { hasText: 'Which codex ran' }).count()).resolves.toBe(1);
    await expect(page.locator('table', { hasText: 'max-p99-ms' }).count()).resolves.toBe(1);
    await expect(page.locator('table', { hasText: 'peak RSS MB' }).locator('tbody tr').count()).resolves.toBe(2);
    // Pointing at a chart shows the values there.
    const svg = page.locator('#chart-latency svg');
    const box = (await svg.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await expect(page.locator('#chart-latency .hover').isVisible()).resolves.toBe(true);
    await expect(page.locator('#chart-latency .hover').textContent()).resolves.toMatch(/second \d+p50: [\d.]+ msp90: [\d.]+ msp99: [\d.]+ ms/);
    const shot = file('run.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(50_000);
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file('run.html')).href]);
    // `npm run screenshot` keeps the top of the page (figures and charts) for the README.
    if (process.env.CAS_SCREENSHOT !== undefined) {
      await page.mouse.move(0, 0);
      const charts = (await page.locator('.charts').boundingBox())!;
      await page.screenshot({ path: file('top.png'), clip: { x: 0, y: 0, width: 1280, height: Math.ceil(charts.y + charts.height + 16) }, fullPage: true });
      await copyFile(file('top.png'), path.resolve(ROOT, process.env.CAS_SCREENSHOT));
    }
    await page.close();
  });

  it('opens a comparison\'s page with both runs drawn over each other', async () => {
    const base = { seconds: 10, perSecond: 100, medianMs: 10, sigma: 0.3, seed: 1 };
    await writeFile(file('a.json'), JSON.stringify(syntheticReport(base)));
    await writeFile(file('b.json'), JSON.stringify(syntheticReport({ ...base, medianMs: 14, seed: 2 })));
    const compared = await cas(['compare', file('a.json'), file('b.json'), '--max-regression', '10', '--html', file('compare.html')]);
    expect(compared.exitCode).toBe(3);
    const { page, errors, requests } = await openFile(browser, file('compare.html'));
    await expectCharts(page, ['chart-distribution', 'chart-p50', 'chart-p99', 'chart-throughput']);
    await expect(page.locator('#chart-distribution path.line').evaluateAll((paths) => paths.map((p) => p.getAttribute('data-series')))).resolves.toEqual(['A', 'B']);
    await expect(page.locator('tr', { hasText: 'p50 (ms)' }).textContent()).resolves.toMatch(/worse.*yes.*regressed/);
    await expect(page.locator('h1 .badge').textContent()).resolves.toBe('regressed beyond 10%');
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file('compare.html')).href]);
    await page.close();
  });

  it('loads nothing from elsewhere even when a report carries a link: the page forbids it', async () => {
    const report = syntheticReport({ seconds: 2, perSecond: 10, medianMs: 5, sigma: 0.2, seed: 3 });
    report.errors = [{ code: -32603, message: '<img src="http://192.0.2.1/x.png">', count: 1 }];
    await writeFile(file('odd.json'), JSON.stringify(report));
    expect((await cas(['report', file('odd.json'), '--html', file('odd.html')])).exitCode).toBe(0);
    const { page, errors, requests } = await openFile(browser, file('odd.html'));
    // Escaped, it is text on the page, not an image.
    await expect(page.locator('td', { hasText: '<img src="http://192.0.2.1/x.png">' }).count()).resolves.toBe(1);
    expect(requests).toHaveLength(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('would see a console error or a request if a page made one (the checks above can fail)', async () => {
    await writeFile(file('bad.html'), '<!doctype html><img src="http://192.0.2.1/x.png"><script>console.error("boom")</script>');
    const { page, errors, requests } = await openFile(browser, file('bad.html'));
    expect(errors).toContain('boom');
    expect(requests).toContain('http://192.0.2.1/x.png');
    await page.close();
  });
});
