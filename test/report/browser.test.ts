import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, ROOT, sampleBuild, testBrowser } from '../helpers.js';

describe.skipIf(!testBrowser())('build report in headless Chromium', () => {
  let out: string;
  beforeAll(() => {
    out = sampleBuild();
    expect(fs.existsSync(path.join(out, 'report.html'))).toBe(true);
  });

  it('renders with no console errors, no network, and every chart present', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 1600 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => !r.url().startsWith('file:') && requests.push(r.url()));
      await page.goto('file://' + path.join(out, 'report.html'));
      for (const id of ['chart-funnel', 'chart-locales', 'chart-features', 'chart-variety-choice-acc', 'chart-perplexity-bits_per_byte', 'heatmap-0']) {
        const el = page.locator(`svg#${id}`);
        expect(await el.count(), id).toBe(1);
        const box = await el.boundingBox();
        expect(box!.width * box!.height, id).toBeGreaterThan(10_000);
      }
      expect(await page.locator('svg#chart-locales rect.bar').count()).toBe(18);
      expect(await page.locator('#coverage').textContent()).toMatch(/passed|failed/);
      fs.mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: path.join(ROOT, 'test-artifacts', 'report.png'), fullPage: true });
      expect(fs.statSync(path.join(ROOT, 'test-artifacts', 'report.png')).size).toBeGreaterThan(20_000);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      // a narrower window (a laptop split screen): every chart fits, none is cut at the right edge
      for (const width of [800, 390]) {
        await page.setViewportSize({ width, height: 1000 });
        const over = await page.evaluate(`[...document.querySelectorAll('svg.chart')].filter((e) => e.getBoundingClientRect().right > ${width} + 0.5).map((e) => e.id)`);
        expect(over, `charts wider than a ${width} px window`).toEqual([]);
        expect(await page.evaluate('document.documentElement.scrollWidth'), `page width at ${width} px`).toBeLessThanOrEqual(width);
      }
    } finally {
      await browser.close();
    }
  });
});
