import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { ReviewStore, type ReviewSample } from '../../src/review/store.js';
import { reviewServer } from '../../src/review/server.js';
import { importReviewCsv, reviewCsv } from '../../src/review/export.js';
import { CHROMIUM, CHROMIUM_ARGS, ROOT, testBrowser, tmpDir } from '../helpers.js';

const XSS = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> Servus!';
function samples(n: number): ReviewSample[] {
  const out: ReviewSample[] = [
    { id: 's-xss', locale: 'de-AT', text: XSS, features: [] },
    { id: 's-0', locale: 'de-AT', text: 'Heut fahr i mit da Bim in die Stadt, gell?', features: [{ feature: 'de-AT:bim', span: [21, 24], gloss: 'tram', rule: 'lexicon:form', confidence: 0.95 }, { feature: 'de-AT:gell', span: [38, 42], gloss: 'right?', rule: 'lexicon:form', confidence: 0.95 }] },
    { id: 's-1', locale: 'de-AT', text: 'Die Paradeiser am Naschmarkt sind heuer sauteuer.', features: [{ feature: 'de-AT:paradeiser', span: [4, 14], gloss: 'tomato', rule: 'lexicon:form', confidence: 0.95 }] },
    { id: 's-2', locale: 'de-AT', text: 'Im Jänner is es immer so grau in Wien.', features: [{ feature: 'de-AT:jaenner', span: [3, 9], gloss: 'January', rule: 'lexicon:form', confidence: 0.95 }] },
  ];
  for (let i = 3; i < n; i++) out.push({ id: `s-${i}`, locale: 'de-AT', text: `Post Nummer ${i} über das Wetter.`, features: [] });
  return out;
}

describe('review server', () => {
  let dir: string;
  let store: ReviewStore;
  let server: http.Server;
  let base: string;
  let anna: string;
  let ben: string;
  beforeAll(async () => {
    dir = tmpDir('vern-review-');
    store = ReviewStore.open(path.join(dir, 'review.sqlite'));
    store.addSamples(samples(300));
    anna = store.addReviewer('anna');
    ben = store.addReviewer('ben');
    server = await reviewServer(store, { port: 0 });
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => {
    server.close();
    store.close();
  });

  const raw = (p: string, o: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string } = {}) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const u = new URL(base);
      const req = http.request({ host: u.hostname, port: u.port, path: p, method: o.method ?? 'GET', headers: o.headers }, (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: b }));
      });
      req.on('error', reject);
      req.end(o.body);
    });

  it('binds loopback only by default', () => {
    expect((server.address() as { address: string }).address).toBe('127.0.0.1');
  });

  it('refuses requests without a token, and writes with a wrong CSRF token', async () => {
    expect((await raw('/api/samples')).status).toBe(401);
    expect((await raw('/api/judgments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await raw('/static/app.js')).status).toBe(401);
    // sign in with a cookie session, then post with a wrong CSRF token
    const form = await fetch(`${base}/login`);
    const field = /name="csrf" value="([^"]+)"/.exec(await form.text())![1];
    const loginCookie = form.headers.get('set-cookie')!.split(';')[0];
    const login = await fetch(`${base}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie }, body: `csrf=${field}&token=${encodeURIComponent(anna)}`, redirect: 'manual' });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const post = (csrf?: string) => raw('/api/judgments', { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) }, body: JSON.stringify({ sample_id: 's-1', question: 'locale', value: 'right' }) });
    expect((await post()).status).toBe(403);
    expect((await post('wrong-token-wrong-token-wrong')).status).toBe(403);
    const page = await raw('/', { headers: { cookie } });
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(page.body)![1];
    expect((await post(csrf)).status).toBe(200);
    expect((await raw('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie }, body: `csrf=${field}&token=nope` })).status).toBe(401);
    store.undo('anna');
  });

  it('static routes cannot leave their folder', async () => {
    const auth = { authorization: `Bearer ${anna}` };
    expect((await raw('/static/app.js', { headers: auth })).status).toBe(200);
    for (const p of ['/static/../../package.json', '/static/..%2f..%2fpackage.json', '/static/%2e%2e/%2e%2e/package.json', '/static/..\\..\\package.json', '/static/../server.ts'])
      expect((await raw(p, { headers: auth })).status, p).toBe(404);
  });

  it('two reviewers posting 500 judgments each concurrently: all 1,000 stored, none lost or duplicated', async () => {
    const ids = samples(300).slice(4, 254).map((s) => s.id); // 250 samples × 2 questions = 500 per reviewer
    const jobs = (token: string) =>
      ids.flatMap((id) => [
        { sample_id: id, question: 'locale', value: 'right' },
        { sample_id: id, question: 'colloquial', value: 'no' },
      ]).map((j) => fetch(`${base}/api/judgments`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(j) }).then((r) => r.status));
    const statuses = await Promise.all([...jobs(anna), ...jobs(ben)]);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const all = store.judgments().filter((j) => ids.includes(j.sample_id));
    expect(all.length).toBe(1000);
    expect(new Set(all.map((j) => `${j.sample_id}|${j.reviewer}|${j.question}`)).size).toBe(1000);
  });

  it.skipIf(!testBrowser())('a reviewer signs in, judges three samples with the keyboard only, and the export holds exactly those judgments', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      const carl = store.addReviewer('carl');
      await page.goto(`${base}/`);
      await page.waitForURL(/\/login$/);
      // the token field takes focus by itself (autofocus): wait for it, then type — no clicks
      await page.waitForFunction(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute('name') === 'token');
      await page.keyboard.type(carl);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${base}/`, { timeout: 10_000 }).catch(async (e) => {
        throw new Error(`sign-in did not reach the review page (at ${page.url()}): ${(await page.content()).slice(0, 300)} ${e}`);
      });
      await page.locator('#counter').filter({ hasText: 'sample 1 of' }).waitFor();
      // sample 1 is the hostile one: its text must render as text
      expect(await page.locator('#text').textContent()).toBe(XSS);
      expect(await page.locator('#text img, #text script').count()).toBe(0);
      expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      const press = async (...keys: string[]) => {
        for (const k of keys) {
          await page.keyboard.press(k);
          if (/^[1-4cx]$/.test(k)) await page.locator('#status').filter({ hasText: /^saved/ }).waitFor();
        }
      };
      await press('n'); // s-0: locale right, colloquial yes, bim correct, gell wrong
      await press('1', '3', 'c', 'f', 'x');
      await press('n'); // s-1: locale wrong, then undo and say right; not colloquial
      await press('2');
      await page.keyboard.press('u');
      await page.locator('#status').filter({ hasText: /^undone/ }).waitFor();
      await press('1', '4');
      await press('n'); // s-2: feature wrong
      await press('x');
      fs.mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: path.join(ROOT, 'test-artifacts', 'review.png') });
      const csv = await page.evaluate(async () => (await fetch('/api/export.csv')).text());
      const rows = Papa.parse<{ [k: string]: string }>(csv.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true }).data.filter((r) => r.reviewer === 'carl');
      expect(rows.map((r) => [r.sample_id, r.question, r.feature, r.value]).sort()).toEqual(
        [
          ['s-0', 'locale', '', 'right'],
          ['s-0', 'colloquial', '', 'yes'],
          ['s-0', 'feature', 'de-AT:bim', 'correct'],
          ['s-0', 'feature', 'de-AT:gell', 'wrong'],
          ['s-1', 'locale', '', 'right'],
          ['s-1', 'colloquial', '', 'no'],
          ['s-2', 'feature', 'de-AT:jaenner', 'wrong'],
        ].sort(),
      );
      expect(errors, errors.join('\n')).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('a reviewer judges a sample with the mouse only: every action is a visible button ≥ 44 px with a name, the status is cleared per sample, sign-out ends the session', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } }); // a phone-sized window
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      const keys: string[] = [];
      await page.exposeFunction('__key', (k: string) => keys.push(k));
      await page.addInitScript(() => (globalThis as unknown as { addEventListener(t: string, f: (e: { key: string }) => void, c: boolean): void; __key(k: string): void }).addEventListener('keydown', (e) => (globalThis as unknown as { __key(k: string): void }).__key(e.key), true));
      const erin = store.addReviewer('erin');
      await page.goto(`${base}/login`);
      await page.getByLabel('Reviewer token').fill(erin); // fill sets the value: no key events
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/`);
      await page.locator('#counter').filter({ hasText: 'sample 1 of' }).waitFor();
      const names = ['Locale right', 'Locale wrong', 'Colloquial yes', 'Colloquial no', 'Previous sample', 'Undo last judgment', 'Next sample', 'Sign out'];
      const sizes = async () => {
        const out: string[] = [];
        for (const b of await page.locator('button:visible, a.btn:visible').all()) {
          const box = (await b.boundingBox())!;
          const name = (await b.getAttribute('aria-label')) ?? (await b.textContent())!.trim();
          if (!name) out.push('a button without a name');
          if (box.width < 44 || box.height < 44) out.push(`${name}: ${box.width.toFixed(0)}×${box.height.toFixed(0)} px`);
        }
        return out;
      };
      for (const n of names) await expect(page.getByRole('button', { name: n, exact: true }).isVisible(), n).resolves.toBe(true);
      const click = async (name: string, saved = true) => {
        await page.getByRole('button', { name, exact: true }).click();
        if (saved) await page.locator('#status').filter({ hasText: new RegExp(`^saved: .*${name.split(': ').pop()!.toLowerCase().split(' ').pop()}$`) }).waitFor();
      };
      await click('Next sample', false); // s-0 has two features: each has its own buttons
      await page.locator('#sid').filter({ hasText: 's-0' }).waitFor();
      expect(await page.locator('#status').textContent()).toBe('');
      expect(await sizes()).toEqual([]);
      await click('Locale wrong');
      await click('Colloquial yes');
      await click('feature de-AT:bim: correct');
      await click('feature de-AT:gell: wrong');
      await page.getByRole('button', { name: 'Undo last judgment' }).click();
      await page.locator('#status').filter({ hasText: /^undone: feature de-AT:gell/ }).waitFor();
      await click('feature de-AT:gell: correct');
      await click('Locale right');
      expect(await page.getByRole('button', { name: 'Locale right' }).getAttribute('aria-pressed')).toBe('true');
      expect(await page.getByRole('button', { name: 'Locale wrong' }).getAttribute('aria-pressed')).toBe('false');
      fs.mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: path.join(ROOT, 'test-artifacts', 'review-mouse.png'), fullPage: true });
      // the next sample starts with an empty status line, and the previous one with its own answers
      await click('Next sample', false);
      await page.locator('#sid').filter({ hasText: 's-1' }).waitFor();
      expect(await page.locator('#status').textContent()).toBe('');
      expect(await page.getByRole('button', { name: 'Locale right' }).getAttribute('aria-pressed')).toBe('false');
      await click('Previous sample', false);
      await page.locator('#sid').filter({ hasText: 's-0' }).waitFor();
      expect(await page.getByRole('button', { name: 'Locale right' }).getAttribute('aria-pressed')).toBe('true');
      expect(await sizes()).toEqual([]);
      const csv = await page.evaluate(async () => (await fetch('/api/export.csv')).text());
      const rows = Papa.parse<{ [k: string]: string }>(csv.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true }).data.filter((r) => r.reviewer === 'erin');
      expect(rows.map((r) => [r.sample_id, r.question, r.feature, r.value]).sort()).toEqual(
        [
          ['s-0', 'locale', '', 'right'],
          ['s-0', 'colloquial', '', 'yes'],
          ['s-0', 'feature', 'de-AT:bim', 'correct'],
          ['s-0', 'feature', 'de-AT:gell', 'correct'],
        ].sort(),
      );
      expect(errors, errors.join('\n')).toEqual([]);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/login$/);
      expect(await page.evaluate(async () => (await fetch('/api/samples')).status)).toBe(401); // (the browser logs this 401 as an error)
      expect(keys, 'no key was pressed').toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('CSV export is formula-safe and imports back with row-level validation', () => {
    const s = samples(5);
    s[2] = { ...s[2], text: '=HYPERLINK("http://evil.example","click")' };
    const csv = reviewCsv(s, { bom: true });
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).toContain(`"'=HY`);
    const f = path.join(dir, 'r.csv');
    const rows = Papa.parse<{ [k: string]: string }>(csv.slice(1), { header: true }).data.filter((r) => r.sample_id);
    rows.forEach((r) => {
      if (r.sample_id === 's-0' && r.feature === 'de-AT:bim') r.feature_correct = 'correct';
      r.locale_correct = 'right';
    });
    rows[1].colloquial = 'maybe';
    fs.writeFileSync(f, Papa.unparse(rows));
    expect(() => importReviewCsv(store, f, 'dora')).toThrow(/:3: colloquial must be yes or no or empty \(got 'maybe'\)/);
    expect(store.judgments('dora')).toEqual([]);
    rows[1].colloquial = '';
    fs.writeFileSync(f, Papa.unparse(rows));
    const r = importReviewCsv(store, f, 'dora');
    expect(r.judgments).toBeGreaterThan(4);
    expect(store.judgments('dora').find((j) => j.feature === 'de-AT:bim')?.value).toBe('correct');
  });
});
