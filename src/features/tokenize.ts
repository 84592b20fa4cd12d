/** A token with its character span in the original text. */
export interface Token {
  text: string;
  /** lower-cased NFC form */
  lower: string;
  start: number;
  end: number;
  emoji: boolean;
}

// Letters, marks and digits, with ' ’ or - kept between two of them (amn't, week-end, j'sais);
// or one emoji (with modifiers / ZWJ sequences).
const TOKEN_RE = /([\p{L}\p{M}\p{N}]+(?:['’\-][\p{L}\p{M}\p{N}]+)*)|\p{Extended_Pictographic}(?:\uFE0F|\u200D\p{Extended_Pictographic}|[\u{1F3FB}-\u{1F3FF}])*/gu;

/** Unicode-aware tokenisation (never ASCII-only): words in any script, and emoji as tokens. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  // Most posts are already NFC: then per-token normalisation can be skipped.
  const nfc = text.normalize('NFC') === text;
  TOKEN_RE.lastIndex = 0;
  for (let m = TOKEN_RE.exec(text); m; m = TOKEN_RE.exec(text)) {
    const t = m[0];
    let lower = (nfc ? t : t.normalize('NFC')).toLowerCase();
    if (lower.includes('’')) lower = lower.replace(/’/g, "'");
    out.push({ text: t, lower, start: m.index, end: m.index + t.length, emoji: m[1] === undefined });
  }
  return out;
}
