const URL_RE = /\b(?:https?:\/\/|www\.)\S+/giu;
const HANDLE_RE = /(^|\s)[@#][\p{L}\p{N}_.]+/gu;
const NON_LETTER_RE = /[^\p{L}\p{M}]+/gu;

/**
 * Text as language ID should see it: URLs, @handles, #hashtags, digits, emoji and punctuation
 * removed, lower-cased, single-spaced. What is left is the language evidence.
 */
export function lidText(text: string): string {
  return text.replace(URL_RE, ' ').replace(HANDLE_RE, ' ').replace(NON_LETTER_RE, ' ').trim().toLowerCase();
}

/** Number of letters (not spaces) in a cleaned text. */
export function letterCount(clean: string): number {
  let n = 0;
  for (let i = 0; i < clean.length; i++) if (clean.charCodeAt(i) !== 32) n++;
  return n;
}
