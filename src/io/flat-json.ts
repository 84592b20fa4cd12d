/**
 * A byte-level scanner for the common shape of an export row: one flat JSON object whose values
 * are strings, numbers, booleans or null. It records where each member's key and value are, so a
 * caller can decode the few fields it needs and copy the rest (the post text above all) as raw
 * bytes, without JSON.parse building every string.
 *
 * It accepts only valid JSON, and only a subset of it: nested objects or arrays, escaped keys,
 * more than `MAX_MEMBERS` members, or anything malformed make it return false, and the caller
 * parses the line with JSON.parse (which also writes the error message). UTF-8 validity is the
 * line reader's job.
 */

/** The kind of a member's value (`StrEsc`: a string with at least one backslash escape). */
export const Kind = { Str: 1, StrEsc: 2, Num: 3, True: 4, False: 5, Null: 6 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

const MAX_MEMBERS = 64;

/** Where the members of the last scanned line are (byte offsets into its Buffer). */
export class FlatScan {
  n = 0;
  /** key bytes without the quotes */
  readonly keyStart = new Int32Array(MAX_MEMBERS);
  readonly keyEnd = new Int32Array(MAX_MEMBERS);
  /** value bytes, with the quotes for strings */
  readonly valStart = new Int32Array(MAX_MEMBERS);
  readonly valEnd = new Int32Array(MAX_MEMBERS);
  readonly kind = new Uint8Array(MAX_MEMBERS);
}

const isWs = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** Scan `b[s, e)`; true when it is a flat JSON object (members in `out`), false to fall back to JSON.parse. */
export function scanFlatObject(b: Buffer, s: number, e: number, out: FlatScan): boolean {
  let i = s;
  while (i < e && isWs(b[i])) i++;
  if (i >= e || b[i] !== 123 /* { */) return false;
  i++;
  while (i < e && isWs(b[i])) i++;
  out.n = 0;
  if (i < e && b[i] === 125 /* } */) i++;
  else {
    for (;;) {
      // key: a string without escapes or control characters
      if (i >= e || b[i] !== 34) return false;
      const ks = ++i;
      while (i < e) {
        const c = b[i];
        if (c === 34) break;
        if (c === 92 || c < 32) return false;
        i++;
      }
      if (i >= e) return false;
      const ke = i++;
      while (i < e && isWs(b[i])) i++;
      if (i >= e || b[i] !== 58 /* : */) return false;
      i++;
      while (i < e && isWs(b[i])) i++;
      if (i >= e) return false;
      const vs = i;
      const c = b[i];
      let kind: Kind;
      if (c === 34) {
        i++;
        let esc = false;
        for (;;) {
          if (i >= e) return false;
          const d = b[i];
          if (d === 34) break;
          if (d < 32) return false;
          if (d === 92) {
            esc = true;
            if (i + 1 >= e) return false;
            const x = b[i + 1];
            if (x === 117 /* u */) {
              if (i + 6 > e || !isHex(b[i + 2]) || !isHex(b[i + 3]) || !isHex(b[i + 4]) || !isHex(b[i + 5])) return false;
              i += 6;
            } else if (x === 34 || x === 92 || x === 47 || x === 98 || x === 102 || x === 110 || x === 114 || x === 116) i += 2;
            else return false;
          } else i++;
        }
        i++;
        kind = esc ? Kind.StrEsc : Kind.Str;
      } else if (c === 116 /* t */) {
        if (i + 4 > e || b[i + 1] !== 114 || b[i + 2] !== 117 || b[i + 3] !== 101) return false;
        i += 4;
        kind = Kind.True;
      } else if (c === 102 /* f */) {
        if (i + 5 > e || b[i + 1] !== 97 || b[i + 2] !== 108 || b[i + 3] !== 115 || b[i + 4] !== 101) return false;
        i += 5;
        kind = Kind.False;
      } else if (c === 110 /* n */) {
        if (i + 4 > e || b[i + 1] !== 117 || b[i + 2] !== 108 || b[i + 3] !== 108) return false;
        i += 4;
        kind = Kind.Null;
      } else if (c === 45 || isDigit(c)) {
        // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
        if (c === 45) i++;
        if (i >= e || !isDigit(b[i])) return false;
        if (b[i] === 48) i++;
        else while (i < e && isDigit(b[i])) i++;
        if (i < e && b[i] === 46) {
          i++;
          if (i >= e || !isDigit(b[i])) return false;
          while (i < e && isDigit(b[i])) i++;
        }
        if (i < e && (b[i] === 101 || b[i] === 69)) {
          i++;
          if (i < e && (b[i] === 43 || b[i] === 45)) i++;
          if (i >= e || !isDigit(b[i])) return false;
          while (i < e && isDigit(b[i])) i++;
        }
        kind = Kind.Num;
      } else return false; // an object, an array, or not JSON
      if (out.n === MAX_MEMBERS) return false;
      const k = out.n++;
      out.keyStart[k] = ks;
      out.keyEnd[k] = ke;
      out.valStart[k] = vs;
      out.valEnd[k] = i;
      out.kind[k] = kind;
      while (i < e && isWs(b[i])) i++;
      if (i >= e) return false;
      if (b[i] === 44 /* , */) {
        i++;
        while (i < e && isWs(b[i])) i++;
        continue;
      }
      if (b[i] === 125) {
        i++;
        break;
      }
      return false;
    }
  }
  while (i < e && isWs(b[i])) i++;
  return i === e;
}

/** The JavaScript value of member `k` (what JSON.parse would give for it). */
export function memberValue(b: Buffer, out: FlatScan, k: number): string | number | boolean | null {
  const vs = out.valStart[k];
  const ve = out.valEnd[k];
  switch (out.kind[k]) {
    case Kind.Str:
      return b.toString('utf8', vs + 1, ve - 1);
    case Kind.StrEsc:
      return JSON.parse(b.toString('utf8', vs, ve)) as string;
    case Kind.Num:
      return Number(b.toString('latin1', vs, ve));
    case Kind.True:
      return true;
    case Kind.False:
      return false;
    default:
      return null;
  }
}

/** Whether `b[vs, ve)` (a JSON string with its quotes) is byte-equal to one of `set`. */
export function oneOf(b: Buffer, vs: number, ve: number, set: readonly Buffer[]): boolean {
  const n = ve - vs;
  for (const v of set) {
    if (v.length !== n) continue;
    let i = 0;
    while (i < n && v[i] === b[vs + i]) i++;
    if (i === n) return true;
  }
  return false;
}
