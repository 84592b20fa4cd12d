/**
 * A set of characters given by a regular expression over one code point, answered for UTF-16
 * units of the BMP from a table filled on first sight (a regular expression per character is the
 * cost this saves).
 */
export class CharClass {
  /** per UTF-16 unit outside the surrogates: 1 a member, 2 not, 0 not yet asked */
  readonly table = new Uint8Array(65536);

  /** `re`: anchored, matching one member code point (e.g. /^[\p{L}\p{M}]+$/u) */
  constructor(private readonly re: RegExp) {}

  /** Fill (and return) the table's entry for BMP unit `c`. */
  ask(c: number): number {
    return (this.table[c] = this.re.test(String.fromCharCode(c)) ? 1 : 2);
  }

  /** Whether BMP unit `c` (not a surrogate) is a member. */
  has(c: number): boolean {
    const v = this.table[c];
    return (v === 0 ? this.ask(c) : v) === 1;
  }

  /** Whether the surrogate pair at `s[i]` is a member. */
  pair(s: string, i: number): boolean {
    return this.re.test(s.substr(i, 2));
  }
}

/**
 * `text.replace(/[^members]+/gu, ' ').trim()` in one pass: the runs of `cls`'s members joined by
 * single spaces. Pairs beyond the BMP are tested by the class's regular expression; a lone
 * surrogate is not a member.
 */
export function joinRuns(text: string, cls: CharClass): string {
  const table = cls.table;
  let out = '';
  let runStart = -1;
  let pending = false; // a space is owed before the next run (there was a run, then a non-member)
  const L = text.length;
  for (let i = 0; i < L; i++) {
    const c = text.charCodeAt(i);
    let member: boolean;
    let width = 1;
    if (c < 0xd800 || c > 0xdfff) {
      let v = table[c];
      if (v === 0) v = cls.ask(c);
      member = v === 1;
    } else if (c <= 0xdbff && i + 1 < L && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      member = cls.pair(text, i);
      width = 2;
    } else member = false;
    if (member) {
      if (runStart < 0) {
        runStart = i;
        if (pending) out += ' ';
      }
    } else if (runStart >= 0) {
      out += text.substring(runStart, i);
      runStart = -1;
      pending = true;
    }
    i += width - 1;
  }
  if (runStart >= 0) out += text.substring(runStart);
  return out;
}
