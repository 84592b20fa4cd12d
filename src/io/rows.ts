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
  const m = /position (\d+)/.exec(String((e as Error)?.message ?? ''));
  if (m) return `invalid JSON at column ${Number(m[1]) + 1}`;
  if (/Unexpected end of JSON input/.test(String((e as Error)?.message))) return 'invalid JSON: unexpected end of line';
  return 'invalid JSON';
}
