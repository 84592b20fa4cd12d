/** One input record before mapping: its raw fields, or why it could not be read. */
export type RawRow =
  | { line: number; fields: { [k: string]: unknown }; bad?: undefined; dups?: string[]; nestedDups?: boolean }
  | { line: number; bad: string; fields?: undefined };

/**
 * The keys that occur more than once at the top level of `s`, a JSON object text JSON.parse has
 * accepted (it keeps the last of them silently), compared after unescaping (`"aud\u0069ence"` is
 * `audience`); undefined when there are none. Nested values are skipped, strings by indexOf.
 */
export function duplicateKeys(s: string): string[] | undefined {
  let seen: Set<string> | undefined;
  let dups: string[] | undefined;
  let depth = 0;
  let expectKey = false;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      let j = i + 1;
      for (;;) {
        j = s.indexOf('"', j);
        if (j < 0) return dups; // not reached for text JSON.parse accepted
        let k = j - 1;
        while (s.charCodeAt(k) === 92) k--;
        if ((j - 1 - k) % 2 === 0) break;
        j++;
      }
      if (depth === 1 && expectKey) {
        const raw = s.slice(i + 1, j);
        const key = raw.includes('\\') ? (JSON.parse(s.slice(i, j + 1)) as string) : raw;
        seen ??= new Set();
        if (seen.has(key)) (dups ??= []).push(key);
        else seen.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 123 || c === 91) {
      depth++;
      if (depth === 1) expectKey = c === 123;
    } else if (c === 125 || c === 93) depth--;
    else if (c === 44 && depth === 1) expectKey = true;
  }
  return dups;
}

/** A reader yields rows in batches, so the per-row overhead of async iteration stays small. */
export type RowSource = AsyncIterable<RawRow[]>;

/**
 * A JSON.parse error message without the input it quotes: V8 includes a snippet of the text in
 * its messages, and excluded text must never reach a log or a ledger.
 */
export function safeJsonError(e: unknown): string {
  const msg = String((e as Error)?.message ?? '');
  const pos = /position (\d+)/.exec(msg);
  const at = pos ? ` at column ${Number(pos[1]) + 1}` : '';
  if (/Unterminated string/.test(msg)) return `invalid JSON: unterminated string${at}`;
  if (/after JSON/.test(msg)) return `invalid JSON: trailing characters${at}`;
  if (/Unexpected end of JSON input/.test(msg)) return 'invalid JSON: unexpected end of line';
  if (/Unexpected token|Unexpected character|Expected/.test(msg)) return `invalid JSON: unexpected character${at}`;
  return `invalid JSON${at}`;
}
