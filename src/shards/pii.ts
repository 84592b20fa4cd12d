/**
 * PII scrubbing with typed placeholders: <EMAIL> <URL> <USER> <IBAN> <NATIONAL_ID> <CARD> <ADDRESS> <DOB> <PHONE>.
 * Order matters: emails before handles and URLs; IBANs (mod-97), national IDs (the country's own
 * checksums, see pii-ids.ts) and cards (Luhn) before addresses, dates of birth and phones, so a
 * validated number is never half-replaced. Phones are validated against the calling codes and
 * national numbering shapes of EU countries; dates, times, prices, versions and ids with their cue
 * words are not phones. Street addresses and dates of birth (a date with a birth cue) are in pii-places.ts.
 */
import { findNationalIds } from './pii-ids.js';
import { findAddresses, findDob } from './pii-places.js';

export type PiiType = 'EMAIL' | 'URL' | 'USER' | 'IBAN' | 'NATIONAL_ID' | 'CARD' | 'ADDRESS' | 'DOB' | 'PHONE';

export interface PiiHit {
  type: PiiType;
  start: number;
  end: number;
}

const EMAIL = /[\p{L}\p{N}._%+-]+@(?:[\p{L}\p{N}-]+\.)+\p{L}{2,}/gu;
const TLDS = 'com|net|org|info|eu|io|app|dev|co|at|be|bg|hr|cy|cz|dk|ee|fi|fr|de|gr|hu|ie|it|lv|lt|lu|mt|nl|pl|pt|ro|sk|si|es|se|uk|ch|no|is|li|me|tv|ly|gl|gle|link|shop|online|site|store|news|blog';
const URL_RE = new RegExp(String.raw`\b(?:https?:\/\/|www\.)[^\s<>"'«»]+|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:${TLDS})\/[^\s<>"'«»]*`, 'giu');
const USER = /(?<![\p{L}\p{N}._%+\-/])@[\p{L}\p{N}_](?:[\p{L}\p{N}_.]*[\p{L}\p{N}_])?/gu;
const HAS_DIGIT = /\d/;
const HAS_WWW = /www\./i;
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g;
// Card numbers never start with 0 (the first digit is the industry); not glued to letters or digits.
const CARD = /(?<![\p{L}\p{N}.,+])[1-9](?:[ -]?\d){12,18}(?!\d|[.,]\d)/gu;
const PHONE = /(?<![\p{L}\p{N}.,:/#€$£-])\(?(?:\+|00)?\(?\d[\d ().\/-]{5,22}\d(?![\p{N}]|[.,]\d|[:h]\d)/gu;

/** IBAN lengths of SEPA countries (ISO 13616 registry). */
const IBAN_LEN: { [cc: string]: number } = {
  AT: 20, BE: 16, BG: 22, HR: 21, CY: 28, CZ: 24, DK: 18, EE: 20, FI: 18, FR: 27, DE: 22, GR: 27, HU: 28, IE: 22, IT: 27, LV: 21, LT: 20,
  LU: 20, MT: 31, NL: 18, PL: 28, PT: 25, RO: 24, SK: 24, SI: 19, ES: 24, SE: 24, GB: 22, CH: 21, NO: 15, IS: 26, LI: 21, MC: 27, SM: 27,
};

/** ISO 13616 mod-97 check. */
export function validIban(s: string): boolean {
  const iban = s.replace(/ /g, '').toUpperCase();
  if (IBAN_LEN[iban.slice(0, 2)] !== iban.length) return false;
  const r = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (const ch of r) {
    const v = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of v) rem = (rem * 10 + Number(d)) % 97;
  }
  return rem === 1;
}

/** Luhn check over the digits of `s`. */
export function luhn(s: string): boolean {
  const d = s.replace(/\D/g, '');
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let x = Number(d[d.length - 1 - i]);
    if (i % 2 === 1) {
      x *= 2;
      if (x > 9) x -= 9;
    }
    sum += x;
  }
  return sum % 10 === 0;
}

/** EU/EEA calling codes and the national significant number lengths they allow. */
const CC: Array<[string, number, number]> = [
  ['30', 10, 10], ['31', 9, 9], ['32', 8, 9], ['33', 9, 9], ['34', 9, 9], ['36', 8, 9], ['39', 6, 11], ['40', 9, 9], ['41', 9, 9],
  ['43', 4, 13], ['44', 9, 10], ['45', 8, 8], ['46', 7, 9], ['47', 8, 8], ['48', 9, 9], ['49', 6, 13], ['350', 8, 8], ['351', 9, 9],
  ['352', 6, 11], ['353', 7, 9], ['354', 7, 9], ['356', 8, 8], ['357', 8, 8], ['358', 5, 12], ['359', 7, 9], ['370', 8, 8], ['371', 8, 8],
  ['372', 7, 8], ['385', 8, 9], ['386', 8, 8], ['420', 9, 9], ['421', 9, 9], ['423', 7, 9],
];

/** Countries whose national numbers have no trunk 0, with [first digits, length] shapes of real numbers. */
const NO_TRUNK: { [cc: string]: Array<[RegExp, number, number]> } = {
  ES: [[/^[6789]/, 9, 9]],
  IT: [[/^3/, 9, 10], [/^0/, 6, 11]],
  PT: [[/^[29]/, 9, 9]],
  GR: [[/^(69|2)/, 10, 10]],
  MT: [[/^(7[79]|9[89]|2[0-9])/, 8, 8]],
  CY: [[/^(9[4-9]|2[2-6])/, 8, 8]],
  DK: [[/^[2-9]/, 8, 8]],
  LU: [[/^[2-9]/, 6, 9]],
  EE: [[/^[3-8]/, 7, 8]],
  LV: [[/^[26]/, 8, 8]],
  LT: [[/^8/, 9, 9]],
  PL: [[/^[1-9]/, 9, 9]],
  CZ: [[/^[2-9]/, 9, 9]],
  SK: [[/^(9|0)/, 9, 10]],
  NO: [[/^[2-9]/, 8, 8]],
};

/** Words that, just before a number, say it is not a phone number. */
const NOT_PHONE_CUE =
  /(?<!\p{L})(ondernemingsnummer|entreprise|unternehmensnummer|btw|tva|vat|kbo|bce|uid|steuernummer|nif|nipc|cif|partita iva|p\.? ?iva|order|bestell|commande|pedido|encomenda|ordine|bestelling|beställning|παραγγελ|tracking|sendung|suivi|colis|seguimiento|isbn|ref|réf|referen|rechnung|invoice|facture|factura|fattura|kundennummer|nº|n°|no\.|nr\.?|#|art\.|version|versión|build|v|id|ticket|flug|flight|vol|vuelo|iban|bic|kto|konto|plz|cp|postcode|code)\s*[:.#]?\s*$|#\s*$/iu;

/** Words right after a number that make it a quantity, not a phone number. */
const QUANTITY_AFTER = /^\s*(habitants|inhabitants|einwohner|people|personnes|mensen|persone|personas|pessoas|invånare|asukasta|κάτοικοι|mieszkańców|obyvatel|€|eur|euros?|km|kg|m²|ha|stück|mal|fois|veces|volte|%)(?![\p{L}])/iu;

function phoneOk(raw: string, before: string, after: string, country: string | undefined): boolean {
  if (QUANTITY_AFTER.test(after)) return false;
  raw = raw.replace(/^\((?=[+0])/, '').replace(/^(\+\d{1,3})\)/, '$1');
  const digits = raw.replace(/\D/g, '');
  if (digits.length < 6 || digits.length > 15) return false;
  // shapes that are dates, times, versions, decimals, scores
  if (/^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.test(raw) || /^\d{4}[./-]\d{1,2}[./-]\d{1,2}$/.test(raw)) return false;
  if (/^\d{1,3}([.,]\d{3})+([.,]\d{1,2})?$/.test(raw)) return false;
  if (/^\d+\.\d+\.\d+/.test(raw) && !/^0/.test(raw)) return false;
  if (/^(19|20)\d\d\s*[-/–]\s*(19|20)?\d\d$/.test(raw)) return false;
  if (NOT_PHONE_CUE.test(before)) return false;
  // separators: digit groups joined by single separators (a number written as people write phones)
  // " / " and " - " between groups are common; anything looser is not a phone number
  if (/[ .\/-]{2,}/.test(raw.replace(/\s*[\/-]\s*/g, '-').replace(/\) /g, ')').replace(/ \(/g, '('))) return false;
  if (raw.startsWith('+') || raw.startsWith('00')) {
    const rest = raw.startsWith('+') ? digits : digits.slice(2);
    return CC.some(([cc, lo, hi]) => rest.startsWith(cc) && rest.length - cc.length >= lo && rest.length - cc.length <= hi + 1);
  }
  const groups = raw.split(/[ .\/()-]+/).filter(Boolean);
  if (digits.startsWith('0')) {
    if (country && NO_TRUNK[country] && !['IT', 'SK', 'LT'].includes(country)) return false;
    // national numbers with trunk 0: 9–12 digits, or 7-8 in a grouped form (e.g. 01 234 567)
    return digits.length >= 9 && digits.length <= 12 ? true : digits.length >= 7 && groups.length >= 2;
  }
  const shapes = country ? NO_TRUNK[country] : undefined;
  if (shapes) return shapes.some(([re, lo, hi]) => re.test(digits) && digits.length >= lo && digits.length <= hi) && (groups.length >= 2 || digits.length >= 8);
  return false;
}

/**
 * How hard to scrub. 'post' (the default, for public posts and comments): every kind except street
 * addresses, which public posts carry for shops, clubs and events. 'chat' (a person's own turns to an
 * assistant): every kind, street addresses too.
 */
export type PiiMode = 'post' | 'chat';

/**
 * Find PII spans in a text; `country` (ISO alpha-2) enables the national phone formats and the national
 * ID numbers of that country (only its own), and the street-address patterns of its languages.
 */
export function findPii(text: string, country?: string, mode: PiiMode = 'post'): PiiHit[] {
  const hits: PiiHit[] = [];
  const taken = new Uint8Array(text.length);
  const free = (s: number, e: number) => {
    for (let i = s; i < e; i++) if (taken[i]) return false;
    return true;
  };
  const take = (type: PiiType, s: number, e: number) => {
    hits.push({ type, start: s, end: e });
    taken.fill(1, s, e);
  };
  // each pattern is run only where the character it cannot match without is in the text ('@' for
  // emails and handles, '/' or 'www.' for URLs, a digit for IBANs, cards and phones): same hits
  const at = text.includes('@');
  const digit = HAS_DIGIT.test(text);
  if (at) for (const m of text.matchAll(EMAIL)) take('EMAIL', m.index!, m.index! + m[0].length);
  if (text.includes('/') || HAS_WWW.test(text)) for (const m of text.matchAll(URL_RE)) {
    let v = m[0];
    // trailing punctuation belongs to the sentence, and a closing bracket without an opening one too
    while (/[.,;:!?'"»)\]}]$/.test(v) && !(v.endsWith(')') && v.includes('('))) v = v.slice(0, -1);
    if (free(m.index!, m.index! + v.length)) take('URL', m.index!, m.index! + v.length);
  }
  if (at) for (const m of text.matchAll(USER)) if (free(m.index!, m.index! + m[0].length)) take('USER', m.index!, m.index! + m[0].length);
  if (digit) for (const m of text.matchAll(IBAN)) {
    let v = m[0];
    // the regex may run into a following word; shrink to the longest valid prefix
    while (v.length > 15 && !validIban(v)) v = v.slice(0, -1).trimEnd();
    if (validIban(v) && free(m.index!, m.index! + v.length)) take('IBAN', m.index!, m.index! + v.length);
  }
  const phoneShaped = (raw: string, before: string, after: string) => phoneOk(raw, before, after, country);
  for (const [s, e] of findNationalIds(text, country, phoneShaped)) if (free(s, e)) take('NATIONAL_ID', s, e);
  if (digit) for (const m of text.matchAll(CARD)) {
    const d = m[0].replace(/\D/g, '');
    // digits right after an IBAN-like prefix (AT35 1200 …) are an account, not a card
    const ibanLike = /[A-Z]{2}\d{2}[ ]?$/.test(text.slice(Math.max(0, m.index! - 5), m.index!));
    if (!ibanLike && d.length >= 13 && d.length <= 19 && luhn(d) && !/^(\d)\1+$/.test(d) && free(m.index!, m.index! + m[0].length)) take('CARD', m.index!, m.index! + m[0].length);
  }
  if (mode === 'chat') for (const [s, e] of findAddresses(text, country)) if (free(s, e)) take('ADDRESS', s, e);
  for (const [s, e] of findDob(text)) if (free(s, e)) take('DOB', s, e);
  if (digit) for (const m of text.matchAll(PHONE)) {
    let v = m[0].replace(/[ (]+$/, '');
    let s = m.index!;
    // a bracket that only opens or only closes is punctuation around the number, not part of it
    if (v.startsWith('(') && !v.includes(')')) {
      v = v.slice(1);
      s++;
    }
    if (v.endsWith(')') && !v.includes('(')) v = v.slice(0, -1);
    const before = text.slice(Math.max(0, s - 24), s);
    const after = text.slice(s + v.length, s + v.length + 16);
    if (free(s, s + v.length) && phoneOk(v.trim(), before, after, country)) take('PHONE', s, s + v.length);
  }
  return hits.sort((a, b) => a.start - b.start);
}

/** Replace PII with typed placeholders; returns the new text and counts per type. */
export function scrubPii(text: string, country?: string, mode: PiiMode = 'post'): { text: string; counts: Partial<Record<PiiType, number>> } {
  const hits = findPii(text, country, mode);
  if (!hits.length) return { text, counts: {} };
  const counts: Partial<Record<PiiType, number>> = {};
  let out = '';
  let at = 0;
  for (const h of hits) {
    out += text.slice(at, h.start) + `<${h.type}>`;
    at = h.end;
    counts[h.type] = (counts[h.type] ?? 0) + 1;
  }
  return { text: out + text.slice(at), counts };
}
