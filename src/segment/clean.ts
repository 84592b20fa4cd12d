import { CharClass, joinRuns } from '../char-runs.js';

const URL_RE = /\b(?:https?:\/\/|www\.)\S+/giu;
const HANDLE_RE = /(^|\s)[@#][\p{L}\p{N}_.]+/gu;
const WWW_RE = /www\./i;
/** letters and marks: what `lidText` keeps */
export const LETTERS = new CharClass(/^[\p{L}\p{M}]+$/u);

/**
 * Text as language ID should see it: URLs, @handles, #hashtags, digits, emoji and punctuation
 * removed, lower-cased, single-spaced. What is left is the language evidence.
 */
export function lidText(text: string): string {
  // the URL and handle passes only where one can match (a URL needs '://' or 'www.'; a handle '@' or '#')
  if (text.includes('://') || WWW_RE.test(text)) text = text.replace(URL_RE, ' ');
  if (text.includes('@') || text.includes('#')) text = text.replace(HANDLE_RE, ' ');
  // runs of letters and marks joined by single spaces (one pass, as `.replace(/[^\p{L}\p{M}]+/gu, ' ').trim()`)
  return joinRuns(text, LETTERS).toLowerCase();
}

/** Number of letters (not spaces) in a cleaned text. */
export function letterCount(clean: string): number {
  let n = 0;
  for (let i = 0; i < clean.length; i++) if (clean.charCodeAt(i) !== 32) n++;
  return n;
}
