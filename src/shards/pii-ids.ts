/**
 * National ID numbers of the configured countries, with their checksums where they have one.
 * Only the patterns of the text's own country are tried (a Dutch post is not searched for Spanish DNIs),
 * and a number whose checksum fails stays. Shape-only IDs (DK CPR without a check digit since 2007,
 * CY identity cards) need a dash or a cue word, so order numbers and counts are not taken for them.
 * A plain number that is also a valid phone number of the country (a PT NIF starting with 2, a SE
 * personnummer of someone born 2000–2009 written without a dash) is an ID only after an ID cue word
 * (NIF, personnummer …); otherwise it is left to PHONE, so it is still scrubbed. An order, invoice,
 * booking or phone cue just before a number says it is not an ID.
 */

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';
const FI_CHARS = '0123456789ABCDEFHJKLMNPRSTUVWXY';
const CF_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

const digits = (s: string) => s.replace(/\D/g, '');

/** DD, MM (1-based) valid as a calendar day (any year). */
function dayOk(dd: number, mm: number): boolean {
  return mm >= 1 && mm <= 12 && dd >= 1 && dd <= [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mm - 1];
}

function luhnOk(d: string): boolean {
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let x = Number(d[d.length - 1 - i]);
    if (i % 2 === 1) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
    sum += x;
  }
  return sum % 10 === 0;
}

/** Modulo of a long decimal string. */
function mod(num: string, m: number): number {
  let r = 0;
  for (const c of num) r = (r * 10 + Number(c)) % m;
  return r;
}

/** Weighted sum of digits `d` with `w`. */
const wsum = (d: string, w: number[]) => w.reduce((s, x, i) => s + x * Number(d[i]), 0);

export const checks = {
  /** ES DNI (8 digits + letter) and NIE (X/Y/Z + 7 digits + letter): mod-23 letter. */
  es(raw: string): boolean {
    let s = raw.toUpperCase().replace(/[\s.-]/g, '');
    s = s.replace(/^[XYZ]/, (c) => String('XYZ'.indexOf(c)));
    return /^\d{8}[A-Z]$/.test(s) && DNI_LETTERS[Number(s.slice(0, 8)) % 23] === s[8];
  },
  /** IT codice fiscale: check character over odd/even tables. */
  it(raw: string): boolean {
    const s = raw.toUpperCase();
    if (!/^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/.test(s)) return false;
    let sum = 0;
    for (let i = 0; i < 15; i++) {
      const c = s[i];
      const v = c >= 'A' ? c.charCodeAt(0) - 65 : Number(c);
      sum += i % 2 === 0 ? CF_ODD[v] : v;
    }
    return String.fromCharCode(65 + (sum % 26)) === s[15];
  },
  /** NL BSN: 11-proof (weights 9..2, last −1). */
  nl(raw: string): boolean {
    const d = digits(raw);
    return d.length === 9 && d !== '000000000' && (wsum(d, [9, 8, 7, 6, 5, 4, 3, 2]) - Number(d[8])) % 11 === 0;
  },
  /** BE rijksregisternummer: 97 − (first 9 digits mod 97), with 2 prefixed for people born from 2000. */
  be(raw: string): boolean {
    const d = digits(raw);
    if (d.length !== 11) return false;
    const mm = Number(d.slice(2, 4));
    if (mm > 12) return false;
    const cc = Number(d.slice(9));
    return 97 - mod(d.slice(0, 9), 97) === cc || 97 - mod('2' + d.slice(0, 9), 97) === cc;
  },
  /** PT NIF: mod-11 check digit (weights 9..2); 10 → 0. */
  pt(raw: string): boolean {
    const d = digits(raw);
    if (d.length !== 9 || !/^[1235689]/.test(d)) return false;
    const r = 11 - (wsum(d, [9, 8, 7, 6, 5, 4, 3, 2]) % 11);
    return (r >= 10 ? 0 : r) === Number(d[8]);
  },
  /** FR NIR: key = 97 − (13 digits mod 97), Corsica 2A/2B counted as 19/18. */
  fr(raw: string): boolean {
    const s = raw.toUpperCase().replace(/\s/g, '');
    if (!/^[1-478]\d{4}(\d{2}|2[AB])\d{8}$/.test(s)) return false;
    const body = s.slice(0, 13).replace('2A', '19').replace('2B', '18');
    return 97 - mod(body, 97) === Number(s.slice(13));
  },
  /** SE personnummer / samordningsnummer: date (day + 60 for samordning) and Luhn over the 10 digits. */
  se(raw: string): boolean {
    let d = digits(raw);
    if (d.length === 12) d = d.slice(2);
    if (d.length !== 10) return false;
    const dd = Number(d.slice(4, 6));
    return dayOk(dd > 60 ? dd - 60 : dd, Number(d.slice(2, 4))) && luhnOk(d);
  },
  /** FI henkilötunnus: DDMMYY, century sign, individual number, mod-31 check character. */
  fi(raw: string): boolean {
    const s = raw.toUpperCase();
    if (!/^\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]$/.test(s) || !dayOk(Number(s.slice(0, 2)), Number(s.slice(2, 4)))) return false;
    return FI_CHARS[Number(s.slice(0, 6) + s.slice(7, 10)) % 31] === s[10];
  },
  /** DK CPR: DDMMYY-SSSS, date shape only (the mod-11 rule was dropped in 2007). */
  dk(raw: string): boolean {
    const d = digits(raw);
    return d.length === 10 && dayOk(Number(d.slice(0, 2)), Number(d.slice(2, 4)));
  },
  /** IE PPSN: 7 digits, check letter (mod 23, W = 0), optional second letter weighted 9. */
  ie(raw: string): boolean {
    const s = raw.toUpperCase().replace(/\s/g, '');
    if (!/^\d{7}[A-W][A-IW]?$/.test(s)) return false;
    let sum = wsum(s, [8, 7, 6, 5, 4, 3, 2]);
    if (s.length === 9 && s[8] !== 'W') sum += 9 * (s.charCodeAt(8) - 64);
    const r = sum % 23;
    return (r === 0 ? 'W' : String.fromCharCode(64 + r)) === s[7];
  },
  /** AT SVNR: 3 digits, check digit, DDMMYY; weights 3 7 9 · 5 8 4 2 1 6, mod 11 (10 never issued). */
  at(raw: string): boolean {
    const d = digits(raw);
    if (d.length !== 10 || d[0] === '0' || !dayOk(Number(d.slice(4, 6)), Number(d.slice(6, 8)))) return false;
    const r = wsum(d, [3, 7, 9, 0, 5, 8, 4, 2, 1, 6]) % 11;
    return r < 10 && r === Number(d[3]);
  },
  /** DE Steuer-ID: 11 digits, first not 0, ISO 7064 MOD 11,10 check digit. */
  de(raw: string): boolean {
    const d = digits(raw);
    if (d.length !== 11 || d[0] === '0') return false;
    let p = 10;
    for (let i = 0; i < 10; i++) {
      let s = (Number(d[i]) + p) % 10;
      if (s === 0) s = 10;
      p = (s * 2) % 11;
    }
    const c = 11 - p;
    return (c === 10 ? 0 : c) === Number(d[10]);
  },
  /** GR AMKA: DDMMYY + 5 digits, Luhn. */
  gr(raw: string): boolean {
    const d = digits(raw);
    return d.length === 11 && dayOk(Number(d.slice(0, 2)), Number(d.slice(2, 4))) && luhnOk(d);
  },
  /** MT identity card: up to 7 digits and a letter (M, G, A, P, L, H, B, Z); shape only. */
  mt: (raw: string) => /^\d{1,7}\s?[MGAPLHBZ]$/i.test(raw),
  /** CY identity card: up to 10 digits; shape only (needs a cue word). */
  cy: (raw: string) => /^\d{5,10}$/.test(digits(raw)),
};

interface IdSpec {
  re: RegExp;
  check: (raw: string) => boolean;
  /** a plain number that a phone or an order number could also be: needs an ID cue when phone-shaped */
  plain?: boolean;
  /** only with an ID cue before it (shape-only IDs) */
  cue?: boolean;
}

// Not glued to letters, digits or a grouped number, and not after + (a calling code).
const L = String.raw`(?<![\p{L}\p{N}+]|\p{N}[ .\/-])`;
const R = String.raw`(?![\p{L}\p{N}]|[ .\/-]\p{N})`;
const id = (body: string) => new RegExp(L + '(?:' + body + ')' + R, 'giu');

const ID_SPECS: { [cc: string]: IdSpec[] } = {
  ES: [{ re: id(String.raw`\d{2}\.?\d{3}\.?\d{3}[ -]?[A-Z]|[XYZ][ -]?\d{7}[ -]?[A-Z]`), check: checks.es }],
  IT: [{ re: id(String.raw`[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]`), check: checks.it }],
  NL: [{ re: id(String.raw`\d{9}|\d{4}\.\d{2}\.\d{3}|\d{3} \d{3} \d{3}`), check: checks.nl, plain: true }],
  BE: [{ re: id(String.raw`\d{2}\.?\d{2}\.?\d{2}[ -]?\d{3}[ .]?\d{2}`), check: checks.be, plain: true }],
  PT: [{ re: id(String.raw`\d{9}|\d{3} \d{3} \d{3}`), check: checks.pt, plain: true }],
  FR: [{ re: id(String.raw`[1-478] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}`), check: checks.fr }],
  SE: [{ re: id(String.raw`(?:19|20)?\d{6}[-+]?\d{4}`), check: checks.se, plain: true }],
  FI: [{ re: id(String.raw`\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]`), check: checks.fi }],
  DK: [
    { re: id(String.raw`\d{6}-\d{4}`), check: checks.dk },
    { re: id(String.raw`\d{10}`), check: checks.dk, cue: true },
  ],
  IE: [{ re: id(String.raw`\d{7} ?[A-W][A-IW]?`), check: checks.ie }],
  AT: [{ re: id(String.raw`[1-9]\d{3} ?\d{6}|[1-9]\d{3} ?\d{2}\.?\d{2}\.?\d{2}`), check: checks.at, plain: true }],
  DE: [{ re: id(String.raw`[1-9]\d(?: ?\d{3}){3}|[1-9]\d{10}`), check: checks.de, plain: true }],
  GR: [{ re: id(String.raw`\d{11}`), check: checks.gr, plain: true }],
  CY: [{ re: id(String.raw`\d{5,10}`), check: checks.cy, cue: true }],
  MT: [
    { re: id(String.raw`\d{4,7} ?[MGAPLHBZ]`), check: checks.mt },
    { re: id(String.raw`\d{1,3} ?[MGAPLHBZ]`), check: checks.mt, cue: true },
  ],
};

/** Words that name an ID number (in the languages of the configured countries). */
const ID_CUE =
  /(?<!\p{L})(dni|nie|nif|nuss|documento|codice fiscale|c\.? ?f\.?|bsn|burgerservicenummer|sofi|rijksregister\p{L}*|registre national|num[ée]ro national|insz|niss|nn|contribuinte|cart[ãa]o de cidad[ãa]o|cc|s[ée]cu(rit[ée] sociale)?|nir|personnummer|samordningsnummer|henkilötunnus|hetu|personbeteckning|cpr|ppsn?|pps no|sozialversicherungs\p{L}*|svnr|sv-nr|sv-nummer|versicherungsnummer|steuer-?id|steuer-identifikationsnummer|identifikationsnummer|idnr|tin|amka|αμκα|ταυτότητ\p{L}*|α\.?τ\.?|id|id card|id number|identity card|identity no|karta tal-identità|karta tal-id|carta d'identità|tessera sanitaria|national insurance|social security|personal number|personal id|id-nummer|id-nr)(?!\p{L})/giu;

/** Words that say a number is something else (orders, tickets, accounts, phones). */
const NOT_ID_CUE =
  /(?<!\p{L})(order\p{L}*|bestell\p{L}*|commande|pedido|encomenda|ordine|ordre\p{L}*|beställning\p{L}*|παραγγελ\p{L}*|tracking|sendung\p{L}*|suivi|colis|seguimiento|isbn|ref|réf|referen\p{L}*|rechnung\p{L}*|invoice|facture|factura|fattura|kunden\p{L}*|klant\p{L}*|client\p{L}*|ticket\p{L}*|flug\p{L}*|flight|vol|vuelo|iban|bic|kto|konto\p{L}*|rekening\p{L}*|ean|artikel\p{L}*|article|serial|serien\p{L}*|imei|parcel|paket\p{L}*|pakket|dossier|aktenzeichen|case|vorgang\p{L}*|reserv\p{L}*|booking|buchung\p{L}*|prenotazione|boeking|bokning\p{L}*|κράτηση\p{L}*|tel\p{L}*|phone|handy|mobil\p{L}*|ruf\p{L}*|τηλ\p{L}*|whatsapp|sms|fax|gsm|móvil|cell\p{L}*|ring|call|anruf\p{L}*|bellen|chiama\p{L}*|llama\p{L}*|ligue|appel\p{L}*)(?!\p{L})/giu;

/** The kind of cue closest before a number, within its sentence: 'id', 'not' or ''. */
function cueBefore(before: string): 'id' | 'not' | '' {
  const clause = before.split(/[.!?;\n](?=\s)/).pop() ?? '';
  let best = -1;
  let kind: 'id' | 'not' | '' = '';
  for (const m of clause.matchAll(ID_CUE)) if (m.index! > best) [best, kind] = [m.index!, 'id'];
  for (const m of clause.matchAll(NOT_ID_CUE)) if (m.index! >= best) [best, kind] = [m.index!, 'not'];
  return kind;
}

/**
 * National ID spans of `country` in `text`. `phoneShaped` says whether a plain number would pass as a
 * phone number of that country; such a number is an ID only with an ID cue before it.
 */
export function findNationalIds(text: string, country: string | undefined, phoneShaped: (raw: string, before: string, after: string) => boolean): Array<[number, number]> {
  const specs = country ? ID_SPECS[country] : undefined;
  if (!specs) return [];
  const out: Array<[number, number]> = [];
  for (const spec of specs) {
    for (const m of text.matchAll(spec.re)) {
      const raw = m[0];
      if (!spec.check(raw)) continue;
      const s = m.index!;
      const before = text.slice(Math.max(0, s - 48), s);
      const cue = cueBefore(before);
      if (cue === 'not') continue;
      if (spec.cue && cue !== 'id') continue;
      if (spec.plain && cue !== 'id' && phoneShaped(raw, before, text.slice(s + raw.length, s + raw.length + 16))) continue;
      out.push([s, s + raw.length]);
    }
  }
  return out;
}
