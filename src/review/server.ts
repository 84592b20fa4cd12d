import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import Papa from 'papaparse';
import { z } from 'zod';
import { ANSWERS, type ReviewStore } from './store.js';
import { VernacularError } from '../errors.js';
import { safeCell } from './export.js';

interface Session {
  reviewer: string;
  csrf: string;
  /** ms since epoch: when the session was made, and when it was last used */
  created: number;
  seen: number;
}

export interface ReviewServerOptions {
  host?: string;
  port?: number;
  /** More Host names the page may be reached by (e.g. the machine's name when bound to 0.0.0.0); loopback names and `host` are always allowed. */
  allowHosts?: string[];
  /** A session ends after this many minutes without a request (default 30). */
  idleMinutes?: number;
  /** A session ends this many minutes after sign-in, however busy (default 720 = 12 h). */
  maxMinutes?: number;
  /** Clock, for tests. */
  now?: () => number;
}

const judgmentBody = z.strictObject({
  sample_id: z.string().min(1).max(200),
  question: z.enum(['locale', 'colloquial', 'feature']),
  value: z.string().max(40),
  feature: z.string().max(200).optional(),
  note: z.string().max(2000).optional(),
});
const judgmentsBody = z.union([judgmentBody, z.array(judgmentBody).min(1).max(1000)]);
const emptyBody = z.strictObject({});

class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

function parseBody<T>(schema: z.ZodType<T>, text: string): T {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new BadRequest('body is not JSON');
  }
  const r = schema.safeParse(v);
  if (!r.success) throw new BadRequest(r.error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`).join('; '));
  return r.data;
}

/** `host:port` names a browser may send in the Host header for this server (lower case). */
function allowedHostHeaders(port: number, host?: string, more: string[] = []): Set<string> {
  const names = ['127.0.0.1', 'localhost', '[::1]', ...more];
  if (host && host !== '0.0.0.0' && host !== '::') names.push(host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);
  const out = new Set<string>();
  for (const n of names) {
    out.add(`${n.toLowerCase()}:${port}`);
    if (port === 80) out.add(n.toLowerCase());
  }
  return out;
}

/** Folder of the review page's static files, beside this module (the build copies them into dist/review). */
const staticDir = () => path.join(import.meta.dirname, 'static');

const sameToken = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * The review web server. Every request must name this server in its Host header (loopback names,
 * the bound host, `allowHosts`; anything else gets 421, which defeats DNS rebinding). Every request
 * is authenticated (a session cookie from /login with a reviewer token, or `Authorization: Bearer
 * <token>`). Sign-in is protected by a double-submit token (a SameSite=Strict cookie echoed by the
 * form) and an Origin check; writes from a cookie session need the session's CSRF token in
 * `X-CSRF-Token` and, when the browser sends one, a same-origin Origin. Sessions end after an idle
 * time and an absolute time, and on POST /logout. Bodies are validated against a schema (400 with
 * the problems; never 500 with an internal message). Static files cannot leave their folder; post
 * text is only ever inserted as text by the page. Binds 127.0.0.1 unless told otherwise.
 */
export function reviewServer(store: ReviewStore, o: ReviewServerOptions = {}): Promise<http.Server> {
  const sessions = new Map<string, Session>();
  const root = staticDir();
  const now = o.now ?? Date.now;
  const idleMs = (o.idleMinutes ?? 30) * 60_000;
  const maxMs = (o.maxMinutes ?? 720) * 60_000;
  let allowed = new Set<string>();
  // same-origin (not no-referrer): with no-referrer a browser sends `Origin: null` on its own POSTs, which the Origin check refuses
  const headers = { 'content-security-policy': "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'", 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' };
  const send = (res: http.ServerResponse, code: number, body: string | Buffer, type = 'application/json; charset=utf-8', extra: http.OutgoingHttpHeaders = {}) => {
    res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store', ...headers, ...extra });
    res.end(body);
  };
  const json = (res: http.ServerResponse, code: number, v: unknown, extra: http.OutgoingHttpHeaders = {}) => send(res, code, JSON.stringify(v), undefined, extra);
  const cookie = (req: http.IncomingMessage, name: string) => (req.headers.cookie ?? '').split(/;\s*/).find((c) => c.startsWith(name + '='))?.slice(name.length + 1);
  const readBody = async (req: http.IncomingMessage, limit = 64_000) => {
    let b = '';
    for await (const c of req) {
      b += c;
      if (b.length > limit) throw new BadRequest('body too large', 413);
    }
    return b;
  };
  /** A request's Origin (when sent) must be this server; a browser's Sec-Fetch-Site must not be another site. */
  const sameOrigin = (req: http.IncomingMessage) => {
    const site = req.headers['sec-fetch-site'];
    if (site && site !== 'same-origin' && site !== 'none') return false;
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    const m = /^http:\/\/([^/]+)$/i.exec(origin);
    return !!m && allowed.has(m[1].toLowerCase());
  };
  const clearCookie = (name: string) => `${name}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
  const loginPage = (res: http.ServerResponse, code: number, msg = '') => {
    const t = randomBytes(24).toString('base64url');
    return send(
      res,
      code,
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>vernacular review — sign in</title><link rel="stylesheet" href="/static/login.css"></head><body><main><h1>vernacular review</h1>${msg ? `<p class="error" role="alert">${msg}</p>` : ''}<form method="post" action="/login"><input type="hidden" name="csrf" value="${t}"><label>Reviewer token <input name="token" type="password" autocomplete="off" autofocus></label><button type="submit">Sign in</button></form></main></body></html>`,
      'text/html; charset=utf-8',
      { 'set-cookie': `vlogin=${t}; HttpOnly; SameSite=Strict; Path=/login; Max-Age=3600` },
    );
  };
  const sessionOf = (req: http.IncomingMessage): [string, Session] | undefined => {
    const sid = cookie(req, 'vsid');
    const s = sid ? sessions.get(sid) : undefined;
    if (!sid || !s) return undefined;
    const t = now();
    if (t - s.seen > idleMs || t - s.created > maxMs) {
      sessions.delete(sid);
      return undefined;
    }
    s.seen = t;
    return [sid, s];
  };
  const sweep = () => {
    const t = now();
    for (const [sid, s] of sessions) if (t - s.seen > idleMs || t - s.created > maxMs) sessions.delete(sid);
  };

  const server = http.createServer(async (req, res) => {
    try {
      // DNS rebinding: a page of another origin that resolves its name to 127.0.0.1 still sends its own name
      if (!allowed.has(String(req.headers.host ?? '').toLowerCase())) return json(res, 421, { error: 'unknown Host: open the review page by the address it was started on (or add the name with --allow-host)' });
      const url = new URL(req.url ?? '/', 'http://localhost');
      const raw = req.url ?? '/';
      if (req.method === 'POST' && !sameOrigin(req)) return json(res, 403, { error: 'cross-origin request refused' });
      if (req.method === 'GET' && url.pathname === '/favicon.ico') return send(res, 204, '', 'image/x-icon');
      if (req.method === 'GET' && url.pathname === '/login') return loginPage(res, 200);
      if (req.method === 'POST' && url.pathname === '/login') {
        const form = new URLSearchParams(await readBody(req, 4_000));
        const sent = form.get('csrf') ?? '';
        const expected = cookie(req, 'vlogin') ?? '';
        if (!sent || !expected || !sameToken(sent, expected)) return loginPage(res, 403, 'The sign-in form expired or came from elsewhere; sign in again.');
        const token = form.get('token') ?? '';
        const reviewer = token ? store.reviewerForToken(token) : undefined;
        if (!reviewer) return loginPage(res, 401, 'Unknown token.');
        sweep();
        const sid = randomBytes(24).toString('base64url');
        const t = now();
        sessions.set(sid, { reviewer, csrf: randomBytes(24).toString('base64url'), created: t, seen: t });
        return send(res, 303, '', 'text/plain', { location: '/', 'set-cookie': [`vsid=${sid}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${Math.floor(maxMs / 1000)}`, clearCookie('vlogin').replace('Path=/', 'Path=/login')] });
      }
      // the login page's stylesheet is the only thing served without a session
      if (req.method === 'GET' && url.pathname === '/static/login.css') return send(res, 200, fs.readFileSync(path.join(root, 'login.css')), 'text/css; charset=utf-8');

      // authentication
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const found = bearer ? undefined : sessionOf(req);
      const session = found?.[1];
      const reviewer = bearer ? store.reviewerForToken(bearer) : session?.reviewer;
      if (!reviewer) {
        if (req.method === 'GET' && url.pathname === '/') return send(res, 303, '', 'text/plain', { location: '/login', ...(cookie(req, 'vsid') ? { 'set-cookie': clearCookie('vsid') } : {}) });
        return json(res, 401, { error: 'not signed in (or the session expired): sign in at /login or send Authorization: Bearer <token>' });
      }

      if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html')) {
        const html = fs.readFileSync(path.join(root, 'index.html'), 'utf8').replace('%CSRF%', session?.csrf ?? '').replace('%REVIEWER%', reviewer.replace(/[^\p{L}\p{N}_.-]/gu, ''));
        return send(res, 200, html, 'text/html; charset=utf-8');
      }
      if (req.method === 'GET' && url.pathname.startsWith('/static/')) {
        // refuse anything that could leave the folder: dot segments (raw or encoded), backslashes
        let rel: string;
        try {
          rel = decodeURIComponent(raw.slice('/static/'.length).split('?')[0]);
        } catch {
          return json(res, 404, { error: 'not found' });
        }
        const file = path.resolve(root, rel);
        if (/(^|[\\/])\.\.([\\/]|$)/.test(rel) || rel.includes('\\') || !file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return json(res, 404, { error: 'not found' });
        const type = file.endsWith('.js') ? 'text/javascript; charset=utf-8' : file.endsWith('.css') ? 'text/css; charset=utf-8' : 'application/octet-stream';
        return send(res, 200, fs.readFileSync(file), type);
      }
      if (req.method === 'GET' && url.pathname === '/api/samples') {
        const locale = url.searchParams.get('locale') ?? undefined;
        // keys come from stored judgments: no prototype to collide with
        const mine = new Map<string, { [k: string]: string }>();
        for (const j of store.judgments(reviewer)) (mine.get(j.sample_id) ?? mine.set(j.sample_id, Object.create(null)).get(j.sample_id)!)[j.question === 'feature' ? `feature:${j.feature}` : j.question] = j.value;
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
        if (url.pathname === '/logout') {
          if (found) sessions.delete(found[0]);
          return json(res, 200, { signedOut: true }, { 'set-cookie': clearCookie('vsid') });
        }
        if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return json(res, 415, { error: 'send application/json' });
        const text = await readBody(req);
        if (url.pathname === '/api/judgments') {
          const body = parseBody(judgmentsBody, text);
          const list = Array.isArray(body) ? body : [body];
          const stored = list.map((j) => store.judge({ sample_id: j.sample_id, reviewer, question: j.question, feature: j.feature ?? '', value: j.value, note: j.note ?? '' }));
          return json(res, 200, { stored: stored.length });
        }
        if (url.pathname === '/api/undo') {
          parseBody(emptyBody, text || '{}');
          return json(res, 200, { undone: store.undo(reviewer) ?? null });
        }
      }
      return json(res, 404, { error: 'not found' });
    } catch (e) {
      if (e instanceof BadRequest) return json(res, e.status, { error: e.message });
      if (e instanceof VernacularError) return json(res, 400, { error: e.message });
      process.stderr.write(`review server: internal error on ${req.method} ${(req.url ?? '').split('?')[0]}: ${(e as Error).stack ?? e}\n`);
      return json(res, 500, { error: 'internal error (logged by the server)' });
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => {
      allowed = allowedHostHeaders((server.address() as { port: number }).port, o.host, o.allowHosts);
      resolve(server);
    });
  });
}
