import crypto from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSecret, weakSecret } from '../../src/secret.js';
import { cli, prng, record, tmpDir, writeConfig, writeJsonl } from '../helpers.js';

describe('VERNACULAR_SECRET strength', () => {
  it('keys a generator makes always pass (hex, base64, base64url of 32+ random bytes)', () => {
    for (let i = 0; i < 600; i++) {
      const b = crypto.randomBytes(32 + (i % 17));
      for (const enc of ['hex', 'base64', 'base64url'] as const) expect(weakSecret(b.toString(enc)), b.toString(enc)).toBeUndefined();
    }
  });

  it('a zigzag by one code point is not a run; a climb or fall of 10 is, anywhere in a strong key', () => {
    // '#' (code 35) cannot extend a run of hex digits or letters on either side
    const k = (piece: string) => { const h = crypto.randomBytes(32).toString('hex'); return `${h.slice(0, 20)}#${piece}#${h.slice(20)}`; };
    expect(weakSecret(k('fededefededefede'))).toBeUndefined();
    expect(weakSecret(k('abcdefghi'))).toBeUndefined();
    expect(weakSecret(k('abcdefghij'))).toMatch(/run of 10/);
    expect(weakSecret(k('jihgfedcba'))).toMatch(/run of 10/);
    expect(weakSecret(k('0123456789'))).toMatch(/run of 10/);
  });

  it('refuses what no generator makes, in many variations', () => {
    const seed = Date.now() % 1e9;
    const rnd = prng(seed);
    const int = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));
    const strong = () => crypto.randomBytes(32).toString('hex');
    const weak: string[] = ['', ' '.repeat(16), ' '.repeat(64), 'a'.repeat(16), 'a'.repeat(80), 'test-secret-0123456789abcdef', 'vernacular-insecure-dev-secret', 'password'.repeat(6)];
    for (let i = 0; i < 300; i++) {
      // too short: a strong key cut below 32 characters
      weak.push(strong().slice(0, int(1, 31)));
      // one character, or whitespace of any kind, repeated
      weak.push(String.fromCharCode(int(32, 126)).repeat(int(32, 200)));
      weak.push([' ', '\t', '\u00a0', '\u3000'][int(0, 3)].repeat(int(32, 100)));
      // a short random piece repeated
      const piece = strong().slice(0, int(2, 15));
      weak.push(piece.repeat(Math.ceil(int(32, 120) / piece.length)));
      // few distinct characters, however long
      const alphabet = strong().slice(0, int(1, 11));
      weak.push(Array.from({ length: int(32, 300) }, () => alphabet[int(0, alphabet.length - 1)]).join(''));
      // a strong key with a long run of consecutive characters in it
      const k = strong();
      const at = int(0, 40);
      const len = int(10, 20);
      const start = int(33, 126 - len);
      const climb = String.fromCharCode(...Array.from({ length: len }, (_, j) => start + j));
      weak.push(k.slice(0, at) + (rnd() < 0.5 ? climb : [...climb].reverse().join('')) + k.slice(at));
    }
    for (const w of weak) expect(weakSecret(w), `seed ${seed}: ${JSON.stringify(w)}`).toBeDefined();
  });

  it('resolveSecret: weak → usage error saying how to make one; unset → dev key only with the flag', () => {
    expect(() => resolveSecret(true, { VERNACULAR_SECRET: ' '.repeat(16) })).toThrow(/too weak.*openssl rand -hex 32/s);
    expect(() => resolveSecret(false, {})).toThrow(/not set/);
    expect(resolveSecret(true, {}).dev).toBe(true);
    const k = crypto.randomBytes(32).toString('base64');
    expect(resolveSecret(false, { VERNACULAR_SECRET: k })).toEqual({ secret: k, dev: false });
  });

  it('the CLI exits 2 on a weak key, even with --insecure-dev-secret', () => {
    const d = tmpDir();
    writeJsonl(path.join(d, 'in.jsonl'), [record()]);
    const cfg = writeConfig(d, { inputs: [{ path: 'in.jsonl' }] });
    for (const key of ['aaaaaaaaaaaaaaaa', ' '.repeat(16)]) {
      const r = cli(['filter', '-c', cfg, '-o', path.join(d, 'out'), '--insecure-dev-secret'], { env: { VERNACULAR_SECRET: key } });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/too weak/);
    }
  });
});

describe('keyedHash', () => {
  it('is HMAC-SHA256 of domain NUL value, first 128 bits, for any secret and value', async () => {
    const { keyedHash } = await import('../../src/eligibility/keyed-hash.js');
    const rnd = prng(7);
    const pieces = ['a', 'é', 'E\u0301', '😅', '\ud800', '\0', ' ', 'ß', '中', 'x'.repeat(700), '\u00a0'];
    const str = (n: number) => Array.from({ length: n }, () => pieces[Math.floor(rnd() * pieces.length)]).join('');
    for (let i = 0; i < 3000; i++) {
      const secret = i % 3 === 0 ? crypto.randomBytes(Math.floor(rnd() * 100) + 1).toString('hex') : str(Math.floor(rnd() * 40) + 1);
      const domain = ['doc', 'author', 'id', ''][i % 4];
      const value = str(Math.floor(rnd() * 6));
      const want = crypto.createHmac('sha256', secret).update(domain).update('\0').update(value).digest('hex').slice(0, 32);
      expect(keyedHash(secret, domain, value), JSON.stringify({ secret, domain, value })).toBe(want);
    }
  });
});
