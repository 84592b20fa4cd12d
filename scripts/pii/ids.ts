import { rng } from '../../src/evaluate/metrics.js';
export { rng };
/**
 * Synthetic national ID numbers with valid checksums, for the PII gold set and property tests.
 * Written from the published rules independently of src/shards/pii-ids.ts (so it can serve as an
 * oracle for it). Every number is random: never a real person's.
 */


type R = () => number;
const int = (r: R, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pad = (n: number, w: number) => String(n).padStart(w, '0');
const digs = (r: R, n: number) => Array.from({ length: n }, () => int(r, 0, 9)).join('');
const date6 = (r: R) => pad(int(r, 1, 28), 2) + pad(int(r, 1, 12), 2) + pad(int(r, 0, 99), 2); // DDMMYY
const luhnDigit = (body: string) => {
  // the digit that makes body+digit pass Luhn
  for (let c = 0; c < 10; c++) {
    const s = body + c;
    let sum = 0;
    for (let i = 0; i < s.length; i++) {
      let x = Number(s[s.length - 1 - i]);
      if (i % 2) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
      sum += x;
    }
    if (sum % 10 === 0) return String(c);
  }
  throw new Error('unreachable');
};
const bigMod = (s: string, m: number) => [...s].reduce((r, c) => (r * 10 + Number(c)) % m, 0);

/** Generators: each returns the canonical digits/letters and the ways people write it. */
export const GEN: { [cc: string]: (r: R) => string[] } = {
  ES(r) {
    if (r() < 0.3) {
      const p = 'XYZ'[int(r, 0, 2)];
      const n = digs(r, 7);
      const l = 'TRWAGMYFPDXBNJZSQVHLCKE'[Number('XYZ'.indexOf(p) + n) % 23];
      return [p + n + l, `${p}-${n}-${l}`];
    }
    const n = pad(int(r, 1000000, 99999999), 8);
    const l = 'TRWAGMYFPDXBNJZSQVHLCKE'[Number(n) % 23];
    return [n + l, `${n}-${l}`, `${n.slice(0, 2)}.${n.slice(2, 5)}.${n.slice(5)}-${l}`];
  },
  IT(r) {
    const L = () => 'BCDFGHLMNPRSTVZ'[int(r, 0, 14)];
    const body = L() + L() + L() + L() + L() + 'AEIOU'[int(r, 0, 4)] + pad(int(r, 50, 99), 2) + 'ABCDEHLMPRST'[int(r, 0, 11)] + pad(int(r, 1, 28) + (r() < 0.5 ? 40 : 0), 2) + 'ABCDEFGHLM'[int(r, 0, 9)] + pad(int(r, 1, 999), 3);
    const odd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
    let s = 0;
    [...body].forEach((c, i) => {
      const v = /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 65;
      s += i % 2 === 0 ? odd[v] : v;
    });
    const cf = body + String.fromCharCode(65 + (s % 26));
    return [cf, cf.toLowerCase()];
  },
  NL(r) {
    for (;;) {
      const b = String(int(r, 1, 9)) + digs(r, 7);
      const s = [...b].reduce((a, c, i) => a + (9 - i) * Number(c), 0);
      const c = s % 11;
      if (c === 10) continue;
      const n = b + c;
      return [n, `${n.slice(0, 4)}.${n.slice(4, 6)}.${n.slice(6)}`, `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`];
    }
  },
  BE(r) {
    const y2k = r() < 0.25;
    const yy = y2k ? int(r, 0, 8) : int(r, 40, 99);
    const b = pad(yy, 2) + pad(int(r, 1, 12), 2) + pad(int(r, 1, 28), 2) + pad(int(r, 1, 997), 3);
    const cc = pad(97 - bigMod((y2k ? '2' : '') + b, 97), 2);
    const n = b + cc;
    return [`${n.slice(0, 2)}.${n.slice(2, 4)}.${n.slice(4, 6)}-${n.slice(6, 9)}.${n.slice(9)}`, n, `${n.slice(0, 6)} ${n.slice(6, 9)} ${n.slice(9)}`];
  },
  PT(r) {
    const b = String(int(r, 1, 3)) + digs(r, 7);
    const c = 11 - ([...b].reduce((a, x, i) => a + (9 - i) * Number(x), 0) % 11);
    const n = b + (c >= 10 ? 0 : c);
    return [n, `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`];
  },
  FR(r) {
    const dep = r() < 0.1 ? (r() < 0.5 ? '2A' : '2B') : pad(int(r, 1, 95), 2);
    const body = String(int(r, 1, 2)) + pad(int(r, 40, 99), 2) + pad(int(r, 1, 12), 2) + dep + pad(int(r, 1, 990), 3) + pad(int(r, 1, 999), 3);
    const key = pad(97 - bigMod(body.replace('2A', '19').replace('2B', '18'), 97), 2);
    const n = body + key;
    return [`${n[0]} ${n.slice(1, 3)} ${n.slice(3, 5)} ${n.slice(5, 7)} ${n.slice(7, 10)} ${n.slice(10, 13)} ${n.slice(13)}`, n];
  },
  SE(r) {
    const cent = r() < 0.8 ? '19' : '20';
    const yy = cent === '19' ? int(r, 40, 99) : int(r, 0, 18);
    const b = pad(yy, 2) + pad(int(r, 1, 12), 2) + pad(int(r, 1, 28), 2) + digs(r, 3);
    const n = b + luhnDigit(b);
    return [`${n.slice(0, 6)}-${n.slice(6)}`, `${cent}${n.slice(0, 6)}-${n.slice(6)}`, `${cent}${n}`];
  },
  FI(r) {
    const d = date6(r);
    const nnn = pad(int(r, 2, 899), 3);
    const sign = Number(d.slice(4)) < 20 && r() < 0.5 ? 'A' : '-';
    return [d + sign + nnn + '0123456789ABCDEFHJKLMNPRSTUVWXY'[Number(d + nnn) % 31]];
  },
  DK(r) {
    const d = date6(r);
    const s = digs(r, 4);
    return [`${d}-${s}`];
  },
  IE(r) {
    const b = digs(r, 7);
    const second = r() < 0.3 ? 'A' : '';
    const sum = [...b].reduce((a, x, i) => a + (8 - i) * Number(x), 0) + (second ? 9 * 1 : 0);
    const c = sum % 23 === 0 ? 'W' : String.fromCharCode(64 + (sum % 23));
    return [b + c + second, `${b} ${c}${second}`];
  },
  AT(r) {
    for (;;) {
      const lfd = String(int(r, 1, 9)) + digs(r, 2);
      const d = date6(r);
      const w = [3, 7, 9, 5, 8, 4, 2, 1, 6];
      const c = [...(lfd + d)].reduce((a, x, i) => a + w[i] * Number(x), 0) % 11;
      if (c === 10) continue;
      return [`${lfd}${c} ${d}`, `${lfd}${c}${d}`];
    }
  },
  DE(r) {
    const b = String(int(r, 1, 9)) + digs(r, 9);
    let p = 10;
    for (const x of b) {
      let s = (Number(x) + p) % 10;
      if (s === 0) s = 10;
      p = (2 * s) % 11;
    }
    const c = 11 - p === 10 ? 0 : 11 - p;
    const n = b + c;
    return [`${n.slice(0, 2)} ${n.slice(2, 5)} ${n.slice(5, 8)} ${n.slice(8)}`, n];
  },
  GR(r) {
    const b = date6(r) + digs(r, 4);
    return [b + luhnDigit(b)];
  },
  CY(r) {
    return [String(int(r, 100000, 9999999))];
  },
  MT(r) {
    return [String(int(r, 1000, 999999)) + 'MGAPLH'[int(r, 0, 5)]];
  },
};

/** The oracle: is `s` a valid number of `cc` (by the generator's rules)? Shape-only countries: always true. */
export function oracleValid(cc: string, s: string): boolean {
  const u = s.toUpperCase().replace(/[\s.-]/g, '');
  switch (cc) {
    case 'ES': {
      const t = u.replace(/^[XYZ]/, (c) => String('XYZ'.indexOf(c)));
      return /^\d{8}[A-Z]$/.test(t) && 'TRWAGMYFPDXBNJZSQVHLCKE'[Number(t.slice(0, 8)) % 23] === t[8];
    }
    case 'IT': {
      const odd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
      let sum = 0;
      [...u.slice(0, 15)].forEach((c, i) => {
        const v = /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 65;
        sum += i % 2 === 0 ? odd[v] : v;
      });
      return u.length === 16 && String.fromCharCode(65 + (sum % 26)) === u[15];
    }
    case 'NL':
      return [...u.slice(0, 8)].reduce((a, c, i) => a + (9 - i) * Number(c), 0) % 11 === Number(u[8]);
    case 'BE': {
      const b = u.slice(0, 9);
      const cc2 = Number(u.slice(9));
      return Number(u.slice(2, 4)) <= 12 && (97 - bigMod(b, 97) === cc2 || 97 - bigMod('2' + b, 97) === cc2);
    }
    case 'PT': {
      const c = 11 - ([...u.slice(0, 8)].reduce((a, x, i) => a + (9 - i) * Number(x), 0) % 11);
      return (c >= 10 ? 0 : c) === Number(u[8]);
    }
    case 'FR':
      return 97 - bigMod(u.slice(0, 13).replace('2A', '19').replace('2B', '18'), 97) === Number(u.slice(13));
    case 'SE': {
      const t = u.length === 12 ? u.slice(2) : u;
      return Number(t.slice(2, 4)) >= 1 && Number(t.slice(2, 4)) <= 12 && Number(t.slice(4, 6)) >= 1 && Number(t.slice(4, 6)) <= 31 && luhnDigit(t.slice(0, 9)) === t[9];
    }
    case 'FI':
      return '0123456789ABCDEFHJKLMNPRSTUVWXY'[Number(s.slice(0, 6) + s.slice(7, 10)) % 31] === s[10];
    case 'IE': {
      const sum = [...u.slice(0, 7)].reduce((a, x, i) => a + (8 - i) * Number(x), 0) + (u[8] && u[8] !== 'W' ? 9 * (u.charCodeAt(8) - 64) : 0);
      return (sum % 23 === 0 ? 'W' : String.fromCharCode(64 + (sum % 23))) === u[7];
    }
    case 'AT': {
      const w = [3, 7, 9, 0, 5, 8, 4, 2, 1, 6];
      return [...u].reduce((a, x, i) => a + w[i] * Number(x), 0) % 11 === Number(u[3]);
    }
    case 'DE': {
      let p = 10;
      for (const x of u.slice(0, 10)) {
        let t = (Number(x) + p) % 10;
        if (t === 0) t = 10;
        p = (2 * t) % 11;
      }
      return (11 - p === 10 ? 0 : 11 - p) === Number(u[10]);
    }
    case 'GR':
      return luhnDigit(u.slice(0, 10)) === u[10];
    default:
      return true;
  }
}

/** Countries whose numbers have a checksum (a changed digit is caught). */
export const CHECKSUMMED = ['ES', 'IT', 'NL', 'BE', 'PT', 'FR', 'SE', 'FI', 'IE', 'AT', 'DE', 'GR'];

/** The same number with one digit changed so that the oracle rejects it. */
export function breakOne(cc: string, s: string, r: R): string {
  const pos = [...s].map((c, i) => (/\d/.test(c) ? i : -1)).filter((i) => i >= 0);
  for (let tries = 0; tries < 200; tries++) {
    const i = pos[int(r, 0, pos.length - 1)];
    const d = String((Number(s[i]) + int(r, 1, 9)) % 10);
    const t = s.slice(0, i) + d + s.slice(i + 1);
    if (!oracleValid(cc, t)) return t;
  }
  throw new Error(`cannot break ${cc} ${s}`);
}
