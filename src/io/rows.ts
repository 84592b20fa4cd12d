/** One input record before mapping: its raw fields, or why it could not be read. */
export type RawRow =
  | { line: number; fields: { [k: string]: unknown }; bad?: undefined }
  | { line: number; bad: string; fields?: undefined };

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
