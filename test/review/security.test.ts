import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReviewStore } from '../../src/review/store.js';
import { reviewServer } from '../../src/review/server.js';
import { tmpDir } from '../helpers.js';

/** Seeded generator (mulberry32), so a failure names a reproducible case. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
  const str = (n: number) => Array.from({ length: 1 + Math.floor(next() * n) }, () => pick('abcXYZ_$-.:/\\ \u00e4\u0000\u2028{}[]"\'<>'.split(''))).join('');
  return { next, pick, str };
}

/** Every key an object inherits, the usual pollution keys, and some random ones. */
const HOSTILE_KEYS = [...new Set([...Object.getOwnPropertyNames(Object.prototype), ...Object.getOwnPropertyNames(Function.prototype), ...Object.getOwnPropertyNames(Array.prototype), '__proto__', 'prototype', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'then', 'length', '', ' ', 'LOCALE', 'locale ', 'feature:x'])];

interface Res {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

describe('review server security', () => {
  let store: ReviewStore;
  let server: http.Server;
  let port: number;
  let token: string;
  let clock = 1_000_000_000_000;
  beforeAll(async () => {
    const dir = tmpDir('vern-review-sec-');
    store = ReviewStore.open(path.join(dir, 'review.sqlite'));
    store.addSamples([{ id: 's-0', locale: 'de-AT', text: 'Heut fahr i mit da Bim.', features: [{ feature: 'de-AT:bim', span: [19, 22], gloss: 'tram', rule: 'lexicon:form', confidence: 0.95 }] }]);
    token = store.addReviewer('anna');
    server = await reviewServer(store, { port: 0, idleMinutes: 30, maxMinutes: 120, now: () => clock });
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    server.close();
    store.close();
  });

  const req = (p: string, o: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string } = {}) =>
    new Promise<Res>((resolve, reject) => {
      const r = http.request({ host: '127.0.0.1', port, path: p, method: o.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, ...o.headers } }, (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: b, headers: res.headers }));
      });
      r.on('error', reject);
      r.end(o.body);
    });
  const bearer = { authorization: `Bearer ${'x'}` };
  const postJson = (body: string, extra: http.OutgoingHttpHeaders = {}) => req('/api/judgments', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extra }, body });
  const setCookies = (r: Res) => ([] as string[]).concat(r.headers['set-cookie'] ?? []);
  const cookieValue = (r: Res, name: string) => setCookies(r).map((c) => c.split(';')[0]).find((c) => c.startsWith(name + '='));

  /** GET /login, then POST it back as the browser would. */
  async function signIn(o: { tamper?: 'no-field' | 'no-cookie' | 'other-field'; origin?: string } = {}) {
    const page = await req('/login');
    const field = /name="csrf" value="([^"]+)"/.exec(page.body)![1];
    const loginCookie = cookieValue(page, 'vlogin')!;
    const form = new URLSearchParams({ token });
    if (o.tamper !== 'no-field') form.set('csrf', o.tamper === 'other-field' ? field.slice(1) + 'A' : field);
    const r = await req('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(o.tamper === 'no-cookie' ? {} : { cookie: loginCookie }), ...(o.origin ? { origin: o.origin } : {}) }, body: form.toString() });
    const sid = cookieValue(r, 'vsid');
    if (r.status !== 303 || !sid) return { r, cookie: undefined, csrf: undefined };
    const home = await req('/', { headers: { cookie: sid } });
    return { r, cookie: sid, csrf: /name="csrf-token" content="([^"]+)"/.exec(home.body)?.[1] };
  }

  it('a question, key or value named like an Object property, and any body shape, gets 400 with a plain message (never 500), and nothing is stored', async () => {
    const g = rng(20_261_206);
    const bodies: string[] = ['null', '[]', '[null]', '1', '"s"', 'true', '{}', '[[]]', '[{}]', '', '{', '{"question":', '{"__proto__":{"question":"locale"}}', '{"constructor":{"prototype":{"x":1}}}'];
    for (const k of HOSTILE_KEYS) {
      bodies.push(JSON.stringify({ sample_id: 's-0', question: k, value: 'right' }));
      bodies.push(JSON.stringify({ sample_id: 's-0', question: 'locale', value: k }));
      bodies.push(JSON.stringify({ sample_id: k, question: 'locale', value: 'right' }));
      bodies.push(JSON.stringify({ sample_id: 's-0', question: 'feature', value: 'correct', feature: k }));
      bodies.push(`{"sample_id":"s-0","question":"locale","value":"right",${JSON.stringify(k)}:1}`);
    }
    const shapes = [() => null, () => ({}), () => [], () => 1, () => true, () => g.str(8), () => ({ [g.pick(HOSTILE_KEYS)]: g.str(4) }), () => [g.str(3)]];
    for (let i = 0; i < 300; i++) {
      const o: { [k: string]: unknown } = { sample_id: 's-0', question: g.pick(['locale', 'colloquial', 'feature']), value: 'right' };
      o[g.pick(['sample_id', 'question', 'value', 'feature', 'note'])] = g.pick(shapes)();
      bodies.push(g.next() < 0.3 ? JSON.stringify([o]) : JSON.stringify(o));
    }
    const before = store.judgments().length;
    const bad: string[] = [];
    for (const b of bodies) {
      const r = await postJson(b);
      // a body that happens to be a valid judgment may pass; everything else is a 4xx with a message that is not an internal one
      if (r.status === 200) {
        for (const x of [JSON.parse(b)].flat()) expect(x, b).toMatchObject({ sample_id: 's-0', value: 'right' });
        continue;
      }
      if (r.status !== 400 || /TypeError|is not a function|Cannot read|undefined|at .*\.js/.test(r.body) || !JSON.parse(r.body).error) bad.push(`${r.status} ${b} → ${r.body}`);
    }
    expect(bad, bad.slice(0, 5).join('\n')).toEqual([]);
    // the only bodies that may have stored something are valid judgments for s-0
    expect(store.judgments().filter((j) => j.sample_id !== 's-0')).toEqual([]);
    expect(store.judgments().length - before).toBeLessThanOrEqual(3);
    expect(({} as { [k: string]: unknown }).question).toBeUndefined();
    expect((Object.prototype as { [k: string]: unknown }).x).toBeUndefined();
    while (store.undo('anna'));
  });

  it('undo takes an empty object only', async () => {
    for (const b of ['null', '[]', '1', '{"__proto__":1}', '{"a":1}', '{']) {
      const r = await req('/api/undo', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: b });
      expect(r.status, b).toBe(400);
    }
    expect((await req('/api/undo', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' })).status).toBe(200);
  });

  it('Host allow-list: only loopback names and the bound host with this port are served (421 otherwise, on every route)', async () => {
    const g = rng(7);
    const refused = [
      'evil.example',
      `evil.example:${port}`,
      '127.0.0.1',
      `127.0.0.1:${port + 1}`,
      `localhost:${port}0`,
      `localhost.evil.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      `127.1:${port}`,
      `2130706433:${port}`,
      `0x7f000001:${port}`,
      `[::ffff:127.0.0.1]:${port}`,
      `::1:${port}`,
      `127.0.0.1:${port}@evil.example`,
      `127.0.0.1:${port}.`,
      `attacker-${port}.rebind.example:${port}`,
    ];
    for (let i = 0; i < 40; i++) refused.push(`${g.str(12).replace(/[^a-z0-9.-]/gi, '') || 'x'}.example:${port}`);
    const accepted = [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`];
    const routes: Array<[string, string, http.OutgoingHttpHeaders, string?]> = [
      ['GET', '/login', {}],
      ['GET', '/', {}],
      ['GET', '/api/samples', { authorization: `Bearer ${token}` }],
      ['GET', '/api/export.csv', { authorization: `Bearer ${token}` }],
      ['POST', '/api/judgments', { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, JSON.stringify({ sample_id: 's-0', question: 'locale', value: 'right' })],
      ['POST', '/login', { 'content-type': 'application/x-www-form-urlencoded' }, `token=${token}`],
    ];
    for (const host of refused)
      for (const [method, p, h, body] of routes) {
        const r = await req(p, { method, headers: { ...h, host }, body });
        expect(r.status, `${method} ${p} Host: ${host}`).toBe(421);
        expect(r.body).not.toContain('s-0');
      }
    // a request without any Host header is refused too
    const noHost = await new Promise<number>((resolve, reject) => {
      const r = http.request({ host: '127.0.0.1', port, path: '/login', setHost: false }, (res) => (res.resume(), resolve(res.statusCode!)));
      r.on('error', reject);
      r.end();
    });
    expect([400, 421]).toContain(noHost); // Node itself answers 400 to HTTP/1.1 without Host
    for (const host of accepted) expect((await req('/api/samples', { headers: { authorization: `Bearer ${token}`, host } })).status, host).toBe(200);
    expect(store.judgments()).toEqual([]);
  });

  it('a configured host (and --allow-host names) are allowed with the port; nothing else is', async () => {
    const s2 = await reviewServer(store, { host: '127.0.0.1', port: 0, allowHosts: ['review.lan'] });
    const p2 = (s2.address() as { port: number }).port;
    const get = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const r = http.request({ host: '127.0.0.1', port: p2, path: '/login', headers: { host } }, (res) => (res.resume(), resolve(res.statusCode!)));
        r.on('error', reject);
        r.end();
      });
    try {
      expect(await get(`review.lan:${p2}`)).toBe(200);
      expect(await get(`review.lan`)).toBe(421);
      expect(await get(`other.lan:${p2}`)).toBe(421);
    } finally {
      s2.close();
    }
  });

  it('sign-in needs the form token from its own cookie and a same-origin Origin; the session cookie is HttpOnly, SameSite=Strict, with a Max-Age', async () => {
    for (const tamper of ['no-field', 'no-cookie', 'other-field'] as const) {
      const { r, cookie } = await signIn({ tamper });
      expect(r.status, tamper).toBe(403);
      expect(cookie, tamper).toBeUndefined();
    }
    for (const origin of ['http://evil.example', `http://127.0.0.1:${port + 1}`, `https://127.0.0.1:${port}`, 'null', `http://localhost.evil.example:${port}`]) {
      const { r, cookie } = await signIn({ origin });
      expect(r.status, origin).toBe(403);
      expect(cookie).toBeUndefined();
    }
    // a cross-site fetch that cannot set an Origin still says so in Sec-Fetch-Site
    const page = await req('/login');
    const field = /name="csrf" value="([^"]+)"/.exec(page.body)![1];
    const xs = await req('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieValue(page, 'vlogin')!, 'sec-fetch-site': 'cross-site' }, body: `csrf=${field}&token=${token}` });
    expect(xs.status).toBe(403);
    const ok = await signIn({ origin: `http://localhost:${port}` });
    expect(ok.r.status).toBe(303);
    const set = setCookies(ok.r).find((c) => c.startsWith('vsid='))!;
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).toMatch(/Max-Age=7200/);
  });

  it('cookie-session writes need the CSRF token and a same-origin Origin', async () => {
    const { cookie, csrf } = await signIn();
    const post = (h: http.OutgoingHttpHeaders) => req('/api/judgments', { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...h }, body: JSON.stringify({ sample_id: 's-0', question: 'locale', value: 'right' }) });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-csrf-token': csrf!.slice(1) + 'A' })).status).toBe(403);
    expect((await post({ 'x-csrf-token': csrf, origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ 'x-csrf-token': csrf, 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect(store.judgments()).toEqual([]);
    expect((await post({ 'x-csrf-token': csrf, origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    store.undo('anna');
  });

  it('sessions end after the idle time and after the absolute time, and on sign-out (which needs the CSRF token)', async () => {
    const samples = (cookie: string) => req('/api/samples', { headers: { cookie } });
    // idle: 29 minutes apart is fine, 31 is not
    let s = await signIn();
    clock += 29 * 60_000;
    expect((await samples(s.cookie!)).status).toBe(200);
    clock += 31 * 60_000;
    expect((await samples(s.cookie!)).status).toBe(401);
    const home = await req('/', { headers: { cookie: s.cookie! } });
    expect(home.status).toBe(303);
    expect(home.headers.location).toBe('/login');
    // absolute: busy every 20 minutes, still over after 120 minutes
    s = await signIn();
    for (let t = 20; t < 120; t += 20) {
      clock += 20 * 60_000;
      expect((await samples(s.cookie!)).status, `${t} min`).toBe(200);
    }
    clock += 21 * 60_000;
    expect((await samples(s.cookie!)).status).toBe(401);
    // sign-out: refused without the token, then ends the session and clears the cookie
    s = await signIn();
    expect((await req('/logout', { method: 'POST', headers: { cookie: s.cookie! } })).status).toBe(403);
    expect((await samples(s.cookie!)).status).toBe(200);
    const out = await req('/logout', { method: 'POST', headers: { cookie: s.cookie!, 'x-csrf-token': s.csrf! } });
    expect(out.status).toBe(200);
    expect(setCookies(out).join()).toMatch(/vsid=;.*Max-Age=0/);
    expect((await samples(s.cookie!)).status).toBe(401);
    // a bearer token carries no session and no expiry
    expect((await req('/api/samples', { headers: bearer })).status).toBe(401);
    expect((await req('/api/samples', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});
