/**
 * Build the bundled sample export from the hand-written texts in corpora/sample/texts/.
 *
 * The texts and personas are written by hand; this script adds what a platform export carries
 * (ids, birth dates, timestamps, audience, flags) and plants the documented cases, all decided
 * from hashes of (seed, key), so the output is byte-identical on every run:
 *
 *   npx tsx scripts/sample/build.ts            # writes corpora/sample/{export/,objections.csv,composition.json,planted.json}
 *
 * It also records, independently of the pipeline, which records must be eligible, so a test can
 * check the pipeline's counts against composition.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import Papa from 'papaparse';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const SAMPLE = path.join(ROOT, 'corpora', 'sample');
const TEXTS = path.join(SAMPLE, 'texts');
const SEED = 'vernacular-sample-2026';

/** Locales of the sample proper and the non-EU contrast texts, with their countries. */
export const SAMPLE_LOCALES = [
  'en-IE', 'en-MT', 'mt-MT', 'de-DE', 'de-AT', 'lb-LU', 'fr-FR', 'fr-BE', 'nl-NL',
  'nl-BE', 'es-ES', 'ca-ES', 'pt-PT', 'it-IT', 'sv-SE', 'sv-FI', 'el-GR', 'el-CY',
];
const CONTRAST = ['en-GB', 'en-US', 'de-CH', 'fr-CH', 'es-MX', 'pt-BR'];
const countryOf = (locale: string) => locale.split('-')[1];
/** The UI language a platform might report: evidence, often right, sometimes not. */
const uiLang = (locale: string) => locale.split('-')[0];

const WINDOW_FROM = Date.UTC(2024, 5, 1); // 2024-06-01
const WINDOW_TO = Date.UTC(2026, 4, 31, 23, 59, 59); // 2026-05-31
const DAY = 86_400_000;

/** A uniform number in [0, 1) decided by the key alone. */
function u(...key: (string | number)[]): number {
  const h = createHash('sha256').update(SEED + '\0' + key.join('\0')).digest();
  return h.readUInt32BE(0) / 2 ** 32;
}
const hex = (n: number, ...key: (string | number)[]) => createHash('sha256').update(SEED + '#' + key.join('\0')).digest('hex').slice(0, n);
const pick = <T>(xs: T[], ...key: (string | number)[]) => xs[Math.floor(u(...key) * xs.length)];

interface Persona { persona: string; home: string; age_band: string; note?: string }
interface Text { n: number; persona: string; kind: string; reply_to: number | null; text: string; tags?: string[] }

interface Row {
  post_id: string;
  user_id: string;
  body: string;
  created: string;
  country_code: string | null;
  audience: string;
  type: string;
  user_birth_date: string | null;
  lang?: string;
  is_deleted: boolean;
  reply_to: string | null;
  client: string;
}

/** Why a record must be excluded, decided here independently of the pipeline's gate. */
type Expect = 'eligible' | string;

function readJsonl<T>(file: string): T[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l, i) => {
    try {
      return JSON.parse(l) as T;
    } catch (e) {
      throw new Error(`${file}:${i + 1}: ${(e as Error).message}`);
    }
  });
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Birth date from an age band, relative to the window's start. */
function birthDate(locale: string, p: Persona): number {
  const r = u('birth', locale, p.persona);
  const bands: { [b: string]: [number, number] } = { teen: [13, 15], '20s': [20, 29], '30s': [30, 39], '40s': [40, 49], '50s': [50, 59], '60s+': [60, 74] };
  if (p.age_band === 'turns18') {
    // 18th birthday between 2025-01-01 and 2025-10-31: part of their posts precede it.
    const bday18 = Date.UTC(2025, 0, 1) + Math.floor(r * 303) * DAY;
    const d = new Date(bday18);
    return Date.UTC(d.getUTCFullYear() - 18, d.getUTCMonth(), d.getUTCDate());
  }
  const [lo, hi] = bands[p.age_band] ?? [25, 45];
  const age = lo + Math.floor(r * (hi - lo + 1));
  return WINDOW_FROM - age * 365.25 * DAY - Math.floor(u('bd', locale, p.persona) * 300) * DAY;
}

function ageAt(birth: number, at: number): number {
  const b = new Date(birth);
  const a = new Date(at);
  return a.getUTCFullYear() - b.getUTCFullYear() - (a.getUTCMonth() < b.getUTCMonth() || (a.getUTCMonth() === b.getUTCMonth() && a.getUTCDate() < b.getUTCDate()) ? 1 : 0);
}

const EMOJI = ['😂', '🙈', '👍', '🔥', '😅', '❤️', '🙄', '😎', '🤣', '👀'];

function build() {
  const rows: Row[] = [];
  const expect = new Map<string, Expect>();
  const meta = new Map<string, { locale: string; author: string; planted: string[] }>();
  const objections: Array<{ user_id: string; objected_at: string }> = [];
  const planted: { [k: string]: string[] } = {};
  const plant = (k: string, id: string) => (planted[k] ??= []).push(id);

  const locales = [...SAMPLE_LOCALES, ...CONTRAST].filter((l) => fs.existsSync(path.join(TEXTS, `${l}.jsonl`)));
  for (const locale of locales) {
    const texts = readJsonl<Text>(path.join(TEXTS, `${locale}.jsonl`));
    const personasFile = path.join(TEXTS, `${locale}.personas.jsonl`);
    const personas = new Map<string, Persona>();
    if (fs.existsSync(personasFile)) for (const p of readJsonl<Persona>(personasFile)) personas.set(p.persona, p);
    const contrast = CONTRAST.includes(locale);
    const country = countryOf(locale);
    const userId = (persona: string) => 'u' + String(parseInt(hex(8, 'user', locale, persona), 16) % 1e9).padStart(9, '0');
    const births = new Map<string, number>();
    const byPersona = new Map<string, Text[]>();
    for (const t of texts) (byPersona.get(t.persona) ?? byPersona.set(t.persona, []).get(t.persona)!).push(t);
    for (const p of byPersona.keys()) births.set(p, birthDate(locale, personas.get(p) ?? { persona: p, age_band: '30s', home: '' }));

    // One objector per sample locale: a regular (not prolific, adult) persona; objection mid-window.
    let objector: string | undefined;
    if (!contrast) {
      const candidates = [...byPersona.entries()]
        .filter(([p, ts]) => ts.length >= 4 && ts.length <= 12 && !['teen', 'turns18'].includes(personas.get(p)?.age_band ?? ''))
        .map(([p]) => p)
        .sort();
      objector = pick(candidates, 'objector', locale);
      if (objector) {
        const at = WINDOW_FROM + Math.floor((0.45 + 0.3 * u('objat', locale)) * (WINDOW_TO - WINDOW_FROM));
        // Registry ids as a platform's tool might write them: one in three with stray spaces.
        const id = userId(objector);
        objections.push({ user_id: u('objpad', locale) < 0.33 ? ` ${id} ` : id, objected_at: iso(at) });
      }
    }

    const timeOf = new Map<number, number>();
    const idOf = new Map<number, string>();
    for (const t of texts) {
      const id = 't' + hex(11, 'post', locale, t.n);
      idOf.set(t.n, id);
      let ms: number;
      if (t.reply_to !== null && timeOf.has(t.reply_to)) {
        ms = timeOf.get(t.reply_to)! + Math.floor((5 + u('lag', locale, t.n) * 60 * 30) * 60_000);
      } else {
        ms = WINDOW_FROM + Math.floor(u('time', locale, t.n) * (WINDOW_TO - WINDOW_FROM - 3 * DAY));
        // ~1% posted before the window: the planted `window` case.
        if (u('early', locale, t.n) < 0.01 && t.kind !== 'comment') ms = WINDOW_FROM - Math.floor((10 + u('e2', locale, t.n) * 80) * DAY);
      }
      timeOf.set(t.n, ms);
    }

    for (const t of texts) {
      const id = idOf.get(t.n)!;
      const created = timeOf.get(t.n)!;
      const birth = births.get(t.persona)!;
      const r = (k: string) => u(k, locale, t.n);
      const isDm = t.kind === 'private_message';
      let audience = isDm ? 'private' : 'public';
      if (!isDm && r('friends') < 0.03) audience = 'friends';
      const deleted = r('deleted') < 0.015;
      const row: Row = {
        post_id: id,
        user_id: userId(t.persona),
        body: t.text,
        created: iso(created),
        country_code: country,
        audience,
        type: isDm ? 'dm' : t.kind,
        user_birth_date: ymd(birth),
        is_deleted: deleted,
        reply_to: t.reply_to === null ? null : idOf.get(t.reply_to) ?? null,
        client: pick(['android', 'ios', 'web'], 'client', locale, t.persona),
      };
      if (r('hint') < 0.3) row.lang = r('hintwrong') < 0.15 ? 'en' : uiLang(locale);
      // Fail-closed cases: a handful of rows lack a birth date or carry a broken country.
      const failClosed = r('failclosed');
      const tags: string[] = [...(t.tags ?? [])];
      if (failClosed < 0.004) {
        row.user_birth_date = null;
        tags.push('missing-birth-date');
      } else if (failClosed < 0.007) {
        row.country_code = null;
        tags.push('missing-country');
      }
      // Decide the expected outcome in the gate's rule order.
      let why: Expect = 'eligible';
      const objAt = objector === t.persona ? Date.parse(objections[objections.length - 1].objected_at) : undefined;
      if (objAt !== undefined) why = 'objection';
      else if (audience !== 'public') why = 'visibility';
      else if (isDm) why = 'kind';
      else if (deleted) why = 'deleted';
      else if (row.country_code === null) why = 'missing:country';
      else if (contrast) why = 'country';
      else if (created < WINDOW_FROM || created > WINDOW_TO) why = 'window';
      else if (row.user_birth_date === null) why = 'missing:author_birth_date';
      else if (ageAt(birth, created) < 18) why = 'minor';
      expect.set(id, why);
      for (const tag of tags) plant(tag, id);
      if (why !== 'eligible') plant(why === 'visibility' ? (isDm ? 'private_message' : 'friends_only') : why, id);
      if (objAt !== undefined && created < objAt) plant('objected_after_posting', id);
      meta.set(id, { locale, author: row.user_id, planted: tags });
      rows.push(row);
    }

    // Planted duplicates: shares (exact) and copypasta with a changed emoji, @mention or URL,
    // re-posted by another adult persona of the same locale later on.
    if (!contrast) {
      const adults = [...byPersona.keys()].filter((p) => !['teen', 'turns18'].includes(personas.get(p)?.age_band ?? '') && p !== objector).sort();
      const sources = texts.filter((t) => t.kind === 'post' && expect.get(idOf.get(t.n)!) === 'eligible' && t.text.length >= 30 && !(t.tags ?? []).includes('pii'));
      let k = 0;
      for (const t of sources) {
        const roll = u('dup', locale, t.n);
        if (roll >= 0.12) continue;
        const exact = roll < 0.05;
        const other = adults.filter((p) => p !== t.persona);
        const persona = pick(other, 'dupp', locale, t.n);
        let body = t.text;
        if (!exact) {
          const how = Math.floor(u('duphow', locale, t.n) * 3);
          const em = pick(EMOJI, 'dupe', locale, t.n);
          body = how === 0 ? body.replace(/\p{Extended_Pictographic}\uFE0F?/u, em) : how === 1 ? `@${pick(['maria', 'jonas', 'lu', 'sam', 'kiki', 'dani'], 'dupm', locale, t.n)}_${hex(3, 'h', locale, t.n)} ${body}` : `${body} https://pst.example/${hex(6, 'u', locale, t.n)}`;
          if (body === t.text) body = `${body} ${em}`;
        }
        const id = 't' + hex(11, 'dup', locale, t.n);
        const created = timeOf.get(t.n)! + Math.floor((1 + u('dupt', locale, t.n) * 20) * DAY);
        const birth = births.get(persona)!;
        rows.push({
          post_id: id,
          user_id: userId(persona),
          body,
          created: iso(Math.min(created, WINDOW_TO - DAY)),
          country_code: country,
          audience: 'public',
          type: 'post',
          user_birth_date: ymd(birth),
          is_deleted: false,
          reply_to: null,
          client: pick(['android', 'ios', 'web'], 'client', locale, persona),
        });
        expect.set(id, 'eligible');
        meta.set(id, { locale, author: userId(persona), planted: [exact ? 'exact-duplicate' : 'near-duplicate'] });
        plant(exact ? 'exact_duplicate' : 'near_duplicate', id);
        (planted[`duplicate_of:${id}`] ??= []).push(idOf.get(t.n)!);
        k++;
      }
    }
  }

  rows.sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : a.post_id < b.post_id ? -1 : 1));
  const exportDir = path.join(SAMPLE, 'export');
  fs.rmSync(exportDir, { recursive: true, force: true });
  fs.mkdirSync(exportDir, { recursive: true });
  // Posts and chats by year in JSONL; comments in one CSV, as a second export format.
  const byFile = new Map<string, Row[]>();
  for (const r of rows) {
    const f = r.type === 'comment' ? 'comments.csv' : `posts-${r.created.slice(0, 4)}.jsonl`;
    (byFile.get(f) ?? byFile.set(f, []).get(f)!).push(r);
  }
  for (const [f, rs] of byFile) {
    const file = path.join(exportDir, f);
    if (f.endsWith('.csv')) fs.writeFileSync(file, Papa.unparse(rs.map((r) => ({ ...r, lang: r.lang ?? '' })), { columns: ['post_id', 'user_id', 'body', 'created', 'country_code', 'audience', 'type', 'user_birth_date', 'lang', 'is_deleted', 'reply_to', 'client'], newline: '\n' }) + '\n');
    else fs.writeFileSync(file, rs.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }
  objections.sort((a, b) => (a.objected_at < b.objected_at ? -1 : 1));
  fs.writeFileSync(path.join(SAMPLE, 'objections.csv'), 'author_id,objected_at\n' + objections.map((o) => `${o.user_id},${o.objected_at}`).join('\n') + '\n');

  // Composition: per locale, what the pipeline must count.
  const comp: { [loc: string]: { records: number; eligible: number; authors: number; eligible_authors: number; excluded: { [r: string]: number } } } = {};
  const authors = new Map<string, Set<string>>();
  const eligAuthors = new Map<string, Set<string>>();
  for (const r of rows) {
    const m = meta.get(r.post_id)!;
    const c = (comp[m.locale] ??= { records: 0, eligible: 0, authors: 0, eligible_authors: 0, excluded: {} });
    c.records++;
    (authors.get(m.locale) ?? authors.set(m.locale, new Set()).get(m.locale)!).add(m.author);
    const e = expect.get(r.post_id)!;
    if (e === 'eligible') {
      c.eligible++;
      (eligAuthors.get(m.locale) ?? eligAuthors.set(m.locale, new Set()).get(m.locale)!).add(m.author);
    } else c.excluded[e] = (c.excluded[e] ?? 0) + 1;
  }
  for (const [l, c] of Object.entries(comp)) {
    c.authors = authors.get(l)!.size;
    c.eligible_authors = eligAuthors.get(l)?.size ?? 0;
    c.excluded = Object.fromEntries(Object.entries(c.excluded).sort());
  }
  const sorted = Object.fromEntries(Object.entries(comp).sort());
  const totals = {
    records: rows.length,
    eligible: [...expect.values()].filter((e) => e === 'eligible').length,
    authors: new Set(rows.map((r) => r.user_id)).size,
  };
  fs.writeFileSync(path.join(SAMPLE, 'composition.json'), JSON.stringify({ totals, locales: sorted }, null, 2) + '\n');
  const plantedOut = Object.fromEntries(Object.entries(planted).filter(([k]) => !k.startsWith('duplicate_of:')).sort());
  const dupOf = Object.fromEntries(Object.entries(planted).filter(([k]) => k.startsWith('duplicate_of:')).map(([k, v]) => [k.slice(13), v[0]]).sort());
  fs.writeFileSync(path.join(SAMPLE, 'planted.json'), JSON.stringify({ cases: plantedOut, duplicate_of: dupOf }, null, 2) + '\n');
  // The composition table in README.md is generated from the same numbers as composition.json.
  const plantedBy = (caseName: string, locale: string) => (planted[caseName] ?? []).filter((id) => meta.get(id)?.locale === locale).length;
  const tableRows = Object.entries(sorted).map(([l, c]) => {
    const ex = c.excluded;
    const cells = [
      l,
      c.records,
      c.eligible,
      c.authors,
      ex.minor ?? 0,
      ex.objection ?? 0,
      plantedBy('private_message', l),
      plantedBy('friends_only', l),
      ex.deleted ?? 0,
      ex.country ?? 0,
      ex.window ?? 0,
      (ex['missing:country'] ?? 0) + (ex['missing:author_birth_date'] ?? 0),
      plantedBy('exact_duplicate', l),
      plantedBy('near_duplicate', l),
      plantedBy('pii', l),
      plantedBy('codeswitch', l),
      plantedBy('idiolect', l),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  const readme = fs.readFileSync(path.join(SAMPLE, 'README.md'), 'utf8');
  const table = [
    '<!-- composition:start (generated by scripts/sample/build.ts; test/sample/composition.test.ts checks it) -->',
    '| locale | records | eligible | authors | minor | objection | private msg | friends-only | deleted | non-EU | outside window | missing field | exact dup | near dup | PII | code-switch | idiolect |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...tableRows,
    `| **total** | ${totals.records} | ${totals.eligible} | ${totals.authors} | | | | | | | | | | | | | |`,
    '<!-- composition:end -->',
  ].join('\n');
  fs.writeFileSync(path.join(SAMPLE, 'README.md'), readme.replace(/<!-- composition:start[\s\S]*?<!-- composition:end -->/, table));
  console.log(`wrote ${rows.length} records (${totals.eligible} eligible, ${totals.authors} authors) in ${byFile.size} files; ${objections.length} objections`);
}

build();
