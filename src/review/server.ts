import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import Papa from 'papaparse';
import { ANSWERS, type ReviewStore } from './store.js';
import { safeCell } from './export.js';

interface Session {
  reviewer: string;
  csrf: string;
}

/** Folder of the review page's static files, beside this module (the build copies them into dist/review). */
export const staticDir = () => path.join(import.meta.dirname, 'static');

const sameToken = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The review web server. Every request is authenticated (a session cookie from /login with a
 * reviewer token, or `Authorization: Bearer <token>`); writes from a cookie session need the
 * session's CSRF token in `X-CSRF-Token`; static files cannot leave their folder; post text is
 * only ever inserted as text by the page (never as HTML). Binds 127.0.0.1 unless told otherwise.
 */
export function reviewServer(store: ReviewStore, o: { host?: string; port?: number } = {}): Promise<http.Server> {
  const sessions = new Map<string, Session>();
  const root = staticDir();
  const headers = { 'content-security-policy': "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'", 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
  const send = (res: http.ServerResponse, code: number, body: string | Buffer, type = 'application/json; charset=utf-8', extra: http.OutgoingHttpHeaders = {}) => {
    res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store', ...headers, ...extra });
    res.end(body);
  };
  const json = (res: http.ServerResponse, code: number, v: unknown) => send(res, code, JSON.stringify(v));
  const cookie = (req: http.IncomingMessage, name: string) => (req.headers.cookie ?? '').split(/;\s*/).find((c) => c.startsWith(name + '='))?.slice(name.length + 1);
  const readBody = async (req: http.IncomingMessage, limit = 64_000) => {
    let b = '';
    for await (const c of req) {
      b += c;
      if (b.length > limit) throw Object.assign(new Error('body too large'), { status: 413 });
    }
    return b;
  };
  const loginPage = (msg = '') =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>vernacular review — sign in</title><link rel="stylesheet" href="/static/login.css"></head><body><main><h1>vernacular review</h1>${msg ? `<p class="error">${msg}</p>` : ''}<form method="post" action="/login"><label>Reviewer token <input name="token" type="password" autocomplete="off" autofocus></label><button type="submit">Sign in</button></form></main></body></html>`;

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const raw = req.url ?? '/';
      if (req.method === 'GET' && url.pathname === '/favicon.ico') return send(res, 204, '', 'image/x-icon');
      if (req.method === 'GET' && url.pathname === '/login') return send(res, 200, loginPage(), 'text/html; charset=utf-8');
      if (req.method === 'POST' && url.pathname === '/login') {
        const token = new URLSearchParams(await readBody(req)).get('token') ?? '';
        const reviewer = token ? store.reviewerForToken(token) : undefined;
        if (!reviewer) return send(res, 401, loginPage('Unknown token.'), 'text/html; charset=utf-8');
        const sid = randomBytes(24).toString('base64url');
        sessions.set(sid, { reviewer, csrf: randomBytes(24).toString('base64url') });
        return send(res, 303, '', 'text/plain', { location: '/', 'set-cookie': `vsid=${sid}; HttpOnly; SameSite=Strict; Path=/` });
      }
      // the login page's stylesheet is the only thing served without a session
      if (req.method === 'GET' && url.pathname === '/static/login.css') return send(res, 200, fs.readFileSync(path.join(root, 'login.css')), 'text/css; charset=utf-8');

      // authentication
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const sid = cookie(req, 'vsid');
      const session = sid ? sessions.get(sid) : undefined;
      const reviewer = bearer ? store.reviewerForToken(bearer) : session?.reviewer;
      if (!reviewer) {
        if (req.method === 'GET' && url.pathname === '/') return send(res, 303, '', 'text/plain', { location: '/login' });
        return json(res, 401, { error: 'not signed in: sign in at /login or send Authorization: Bearer <token>' });
      }

      if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html')) {
        const html = fs.readFileSync(path.join(root, 'index.html'), 'utf8').replace('%CSRF%', session?.csrf ?? '').replace('%REVIEWER%', reviewer.replace(/[^\p{L}\p{N}_.-]/gu, ''));
        return send(res, 200, html, 'text/html; charset=utf-8');
      }
      if (req.method === 'GET' && url.pathname.startsWith('/static/')) {
        // refuse anything that could leave the folder: dot segments (raw or encoded), backslashes
        const rel = decodeURIComponent(raw.slice('/static/'.length).split('?')[0]);
        const file = path.resolve(root, rel);
        if (/(^|[\\/])\.\.([\\/]|$)/.test(rel) || rel.includes('\\') || !file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return json(res, 404, { error: 'not found' });
        const type = file.endsWith('.js') ? 'text/javascript; charset=utf-8' : file.endsWith('.css') ? 'text/css; charset=utf-8' : 'application/octet-stream';
        return send(res, 200, fs.readFileSync(file), type);
      }
      if (req.method === 'GET' && url.pathname === '/api/samples') {
        const locale = url.searchParams.get('locale') ?? undefined;
        const mine = new Map<string, { [k: string]: string }>();
        for (const j of store.judgments(reviewer)) (mine.get(j.sample_id) ?? mine.set(j.sample_id, {}).get(j.sample_id)!)[j.question === 'feature' ? `feature:${j.feature}` : j.question] = j.value;
        return json(res, 200, { reviewer, answers: ANSWERS, samples: store.samples(locale).map((s) => ({ ...s, judged: mine.get(s.id) ?? {} })) });
      }
      if (req.method === 'GET' && url.pathname === '/api/export.csv') {
        const rows = store.judgments().map((j) => [j.sample_id, j.reviewer, j.question, j.feature, j.value, j.note, j.created_at].map(safeCell));
        return send(res, 200, '\uFEFF' + Papa.unparse({ fields: ['sample_id', 'reviewer', 'question', 'feature', 'value', 'note', 'created_at'], data: rows }, { newline: '\r\n' }) + '\r\n', 'text/csv; charset=utf-8', { 'content-disposition': 'attachment; filename="judgments.csv"' });
      }
      if (req.method === 'POST') {
        // CSRF: cookie sessions must echo their token; bearer requests cannot be forged cross-site
        if (!bearer) {
          const sent = String(req.headers['x-csrf-token'] ?? '');
          if (!session || !sent || !sameToken(sent, session.csrf)) return json(res, 403, { error: 'missing or wrong CSRF token' });
        }
        if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return json(res, 415, { error: 'send application/json' });
        const body = JSON.parse((await readBody(req)) || '{}');
        if (url.pathname === '/api/judgments') {
          const list = Array.isArray(body) ? body : [body];
          const stored = list.map((j) => store.judge({ sample_id: String(j.sample_id ?? ''), reviewer, question: j.question, feature: String(j.feature ?? ''), value: String(j.value ?? ''), note: String(j.note ?? '') }));
          return json(res, 200, { stored: stored.length });
        }
        if (url.pathname === '/api/undo') return json(res, 200, { undone: store.undo(reviewer) ?? null });
      }
      return json(res, 404, { error: 'not found' });
    } catch (e) {
      const status = (e as { status?: number }).status ?? ((e as Error).name === 'InputError' || e instanceof SyntaxError ? 400 : 500);
      return json(res, status, { error: (e as Error).message });
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve(server));
  });
}
