const URL_RE = /\b(?:https?:\/\/|www\.)\S+/giu;
const HANDLE_RE = /(^|\s)[@#][\p{L}\p{N}_.]+/gu;
const WWW_RE = /www\./i;
const LETTER_RE = /^[\p{L}\p{M}]+$/u;

/**
 * Text as language ID should see it: URLs, @handles, #hashtags, digits, emoji and punctuation
 * removed, lower-cased, single-spaced. What is left is the language evidence.
 */
export function lidText(text: string): string {
  // the URL and handle passes only where one can match (a URL needs '://' or 'www.'; a handle '@' or '#')
  if (text.includes('://') || WWW_RE.test(text)) text = text.replace(URL_RE, ' ');
  if (text.includes('@') || text.includes('#')) text = text.replace(HANDLE_RE, ' ');
  return lettersOnly(text).toLowerCase();
}

/** For each UTF-16 code unit outside the surrogates: 1 a letter or a mark (`[\p{L}\p{M}]`), 2 not, 0 not yet asked (filled on first sight). */
const LETTER = new Uint8Array(65536);

/**
 * `text.replace(NON_LETTER_RE, ' ').trim()` in one pass: runs of letters and marks joined by
 * single spaces. Code points beyond the BMP (surrogate pairs) are tested with the regular
 * expression; a lone surrogate is not a letter.
 */
function lettersOnly(text: string): string {
  let out = '';
  let runStart = -1;
  let pending = false; // a space is owed before the next run (there was a run, then a non-letter)
  const L = text.length;
  for (let i = 0; i < L; i++) {
    const c = text.charCodeAt(i);
    let letter: boolean;
    let width = 1;
    if (c < 0xd800 || c > 0xdfff) {
      let v = LETTER[c];
      if (v === 0) v = LETTER[c] = LETTER_RE.test(String.fromCharCode(c)) ? 1 : 2;
      letter = v === 1;
    }
    else if (c <= 0xdbff && i + 1 < L && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      letter = LETTER_RE.test(text.substr(i, 2));
      width = 2;
    } else letter = false;
    if (letter) {
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

/** Number of letters (not spaces) in a cleaned text. */
export function letterCount(clean: string): number {
  let n = 0;
  for (let i = 0; i < clean.length; i++) if (clean.charCodeAt(i) !== 32) n++;
  return n;
}
