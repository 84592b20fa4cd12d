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

/** The assistant's side of the chats (texts/assistant.json). */
const ASSISTANT: { [lang: string]: { replies: string[]; closing: string; title: string } } = JSON.parse(fs.readFileSync(path.join(TEXTS, 'assistant.json'), 'utf8'));
/** Turns with PII: the chat gold set's dev split (the holdout stays unseen). */
const PII_CASES = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'pii', 'chat-cases.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { text: string; locale: string; split: string; pii: Array<{ type: string; value: string }> }).filter((c) => c.split === 'dev' && c.pii.length > 0);
/** What a friend who joins a chat types (a group chat: never eligible). */
const FRIEND: { [lang: string]: string } = {
  en: 'hiya its me on here too, send me that list when ur done',
  mt: 'ejja, jien ukoll hawn, ibgħatli l-lista meta tlesti',
  de: 'servas, i bin a do, schick ma de listn wenn fertig bist',
  lb: 'moien, ech sinn och hei, schéck mer d\'Lëscht wann s de fäerdeg bass',
  fr: 'coucou c\'est moi aussi, tu m\'envoies la liste quand t\'as fini',
  nl: 'hey ik zit hier ook, stuur me die lijst als ge klaar zijt',
  es: 'eyy que soy yo también, pásame la lista cuando acabes',
  ca: 'ei, sóc jo també, passa\'m la llista quan acabis',
  pt: 'olá sou eu também, manda-me a lista quando acabares',
  it: 'ehi ci sono anch\'io, mandami la lista quando hai finito',
  sv: 'hej det är jag också, skicka listan när du är klar',
  el: 'γεια, είμαι κι εγώ εδώ, στείλε μου τη λίστα όταν τελειώσεις',
};
/** Chats from these locales come as a turn-per-row CSV export; the others as messages arrays (OpenAI or ShareGPT style). */
const FLAT_CHAT_LOCALES = ['el-GR', 'el-CY', 'sv-FI', 'mt-MT'];
/** The platform's notice date: chats from then on may be used (vernacular.yaml, policy.chats.notice_date). */
const CHAT_NOTICE = Date.UTC(2024, 8, 1); // 2024-09-01

interface ChatTurn { role: string; text: string; at: number; author: string; tags?: string[]; pii?: string[] }
interface ChatTurnRow { id: string; role: string; text: string; at: number; author: string; deleted: boolean }
interface Conversation { convId: string; locale: string; style: string; owner: string; country: string; birth: string; start: number; title: string; rows: ChatTurnRow[]; client: string }

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
  const meta = new Map<string, { locale: string; author: string; planted: string[]; chat?: 'person' | 'assistant' }>();
  const chats: Conversation[] = [];
  const piiPlanted: { [id: string]: string[] } = {};
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
      if (t.kind === 'ai_chat') continue; // conversations, below
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


    // Chats with the platform's assistant (README, "Chats"): a persona's ai_chat texts become the
    // person's turns of conversations of 2–10 turns, each answered by the assistant in the standard
    // language (texts/assistant.json); a few conversations have another person in them (a group
    // chat: a private message), a few a turn with PII from the chat gold set's dev split, some a
    // closing "ok"/"thx" (a short turn), some a system turn. Expectations per turn, in the gate's order.
    const lang = uiLang(locale);
    const bot = ASSISTANT[lang] ?? ASSISTANT.en;
    const chatTexts = texts.filter((t) => t.kind === 'ai_chat');
    const chatBy = new Map<string, Text[]>();
    for (const t of chatTexts) (chatBy.get(t.persona) ?? chatBy.set(t.persona, []).get(t.persona)!).push(t);
    const piiCases = PII_CASES.filter((c) => c.locale === locale);
    const others = [...byPersona.keys()].sort();
    let convNo = 0;
    for (const persona of [...chatBy.keys()].sort()) {
      const mine = chatBy.get(persona)!.sort((a, b) => a.n - b.n);
      for (let i = 0; i < mine.length; ) {
        const size = 1 + Math.floor(u('chatsize', locale, mine[i].n) * 3);
        const chunk = mine.slice(i, i + size);
        i += size;
        const k = convNo++;
        const convId = 'c' + hex(11, 'conv', locale, chunk[0].n);
        const owner = userId(persona);
        const start = timeOf.get(chunk[0].n)!;
        const group = !contrast && !FLAT_CHAT_LOCALES.includes(locale) && k === 1 && u('group', locale) < 0.5;
        const withPii = !contrast && k === 2 && piiCases.length > 0;
        const style = FLAT_CHAT_LOCALES.includes(locale) ? 'flat' : u('style', locale, convId) < 0.5 ? 'openai' : 'sharegpt';
        const turns: ChatTurn[] = [];
        let at = start;
        const next = (lo: number, hi: number) => (at += Math.floor((lo + u('gap', convId, turns.length) * (hi - lo)) * 1000));
        if (u('system', convId) < 0.12) turns.push({ role: 'system', text: 'You are a helpful assistant. Answer in the language of the user.', at: at - 1000, author: owner });
        chunk.forEach((t, j) => {
          if (j) next(40, 900);
          turns.push({ role: 'user', text: t.text, at, author: owner, tags: t.tags ?? [] });
          next(3, 20);
          turns.push({ role: 'assistant', text: pick(bot.replies, 'reply', convId, j), at, author: owner });
          if (group && j === 0) {
            // a friend joins the conversation: from here on it is a private message between people
            const friend = others.find((p) => p !== persona && u('friend', locale, p) < 0.5) ?? others.find((p) => p !== persona)!;
            next(60, 300);
            turns.push({ role: 'user', text: FRIEND[lang] ?? FRIEND.en, at, author: userId(friend), tags: [] });
            next(3, 20);
            turns.push({ role: 'assistant', text: pick(bot.replies, 'reply2', convId, j), at, author: owner });
          }
        });
        if (withPii) {
          const c = piiCases[Math.floor(u('piicase', locale) * piiCases.length)];
          next(60, 600);
          turns.push({ role: 'user', text: c.text, at, author: owner, tags: ['pii'], pii: c.pii.map((x) => x.value) });
          next(3, 20);
          turns.push({ role: 'assistant', text: pick(bot.replies, 'reply3', convId), at, author: owner });
        }
        if (u('thx', convId) < 0.3 && turns.length <= 8) {
          next(20, 120);
          turns.push({ role: 'user', text: pick(['ok', 'thx', '👍', 'ok 👍', 'ty'], 'short', convId), at, author: owner, tags: [] });
          next(2, 8);
          turns.push({ role: 'assistant', text: bot.closing, at, author: owner });
        }
        const birthOf = (author: string) => births.get([...byPersona.keys()].find((p) => userId(p) === author) ?? persona)!;
        const objAt = objector === persona ? Date.parse(objections[objections.length - 1].objected_at) : undefined;
        const rows: ChatTurnRow[] = turns.map((t, j) => {
          const id = `${convId}:${j + 1}`;
          const deleted = t.role === 'user' && u('tdel', convId, j) < 0.03;
          const person = t.role === 'user';
          let why: Expect = 'eligible';
          if (!person) why = 'assistant_turn';
          else if (objAt !== undefined) why = 'objection';
          else if (group) why = 'private_message';
          else if (t.at < CHAT_NOTICE) why = 'before_chat_notice';
          else if (deleted) why = 'deleted';
          else if (contrast) why = 'country';
          else if (t.at < WINDOW_FROM || t.at > WINDOW_TO) why = 'window';
          else if (ageAt(birthOf(t.author), t.at) < 18) why = 'minor';
          else if ((t.text.match(/\p{L}/gu) ?? []).length < 4) why = 'short_turn';
          expect.set(id, why);
          meta.set(id, { locale, author: person ? t.author : owner, planted: t.tags ?? [], chat: person ? 'person' : 'assistant' });
          if (why !== 'eligible') plant(why === 'private_message' ? 'group_chat' : why === 'assistant_turn' ? 'assistant_turn' : why === 'short_turn' ? 'short_turn' : why === 'before_chat_notice' ? 'before_chat_notice' : `chat_${why}`, id);
          if (t.pii) {
            plant('chat_pii', id);
            (piiPlanted[id] = t.pii);
          }
          return { id, role: t.role, text: t.text, at: t.at, author: t.author, deleted };
        });
        chats.push({ convId, locale, style, owner, country, birth: ymd(births.get(persona)!), start, title: bot.title, rows, client: pick(['android', 'ios', 'web'], 'client', locale, persona) });
      }
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
  // Chats: messages arrays by year of the conversation's start (OpenAI and ShareGPT style), and one
  // turn-per-row CSV. A conversation-level title as an assistant writes one: never carried to a turn.
  chats.sort((a, b) => a.start - b.start || (a.convId < b.convId ? -1 : 1));
  const chatFiles = new Map<string, string[]>();
  const flatTurns: Array<{ [k: string]: unknown }> = [];
  for (const c of chats) {
    if (c.style === 'flat') {
      for (const r of c.rows) flatTurns.push({ conversation_id: c.convId, post_id: r.id, user_id: r.author, role: r.role, body: r.text, created: iso(r.at), country_code: c.country, type: 'ai_chat', user_birth_date: c.birth, is_deleted: r.deleted, client: c.client });
      continue;
    }
    const messages = c.rows.map((r) => {
      const m: { [k: string]: unknown } = c.style === 'openai' ? { role: r.role, content: r.text } : { from: { user: 'human', assistant: 'gpt' }[r.role] ?? r.role, value: r.text };
      m.created = iso(r.at);
      if (r.deleted) m.is_deleted = true;
      if (r.author !== c.owner) m.user_id = r.author;
      return m;
    });
    const row = { post_id: c.convId, user_id: c.owner, created: iso(c.start), country_code: c.country, type: 'ai_chat', user_birth_date: c.birth, is_deleted: false, client: c.client, title: c.title, messages };
    const f = `chats-${iso(c.start).slice(0, 4)}.jsonl`;
    (chatFiles.get(f) ?? chatFiles.set(f, []).get(f)!).push(JSON.stringify(row));
  }
  for (const [f, lines] of chatFiles) fs.writeFileSync(path.join(exportDir, f), lines.join('\n') + '\n');
  const turnCols = ['conversation_id', 'post_id', 'user_id', 'role', 'body', 'created', 'country_code', 'type', 'user_birth_date', 'is_deleted', 'client'];
  fs.writeFileSync(path.join(exportDir, 'chat-turns.csv'), Papa.unparse(flatTurns, { columns: turnCols, newline: '\n' }) + '\n');
  fs.writeFileSync(path.join(SAMPLE, 'chat-pii.json'), JSON.stringify(Object.fromEntries(Object.entries(piiPlanted).sort()), null, 2) + '\n');

  objections.sort((a, b) => (a.objected_at < b.objected_at ? -1 : 1));
  fs.writeFileSync(path.join(SAMPLE, 'objections.csv'), 'author_id,objected_at\n' + objections.map((o) => `${o.user_id},${o.objected_at}`).join('\n') + '\n');

  // Composition: per locale, what the pipeline must count.
  const comp: { [loc: string]: { records: number; eligible: number; authors: number; eligible_authors: number; chat_turns: number; chat_person_turns: number; chat_eligible: number; excluded: { [r: string]: number } } } = {};
  const authors = new Map<string, Set<string>>();
  const eligAuthors = new Map<string, Set<string>>();
  for (const id of [...meta.keys()].sort()) {
    const m = meta.get(id)!;
    const c = (comp[m.locale] ??= { records: 0, eligible: 0, authors: 0, eligible_authors: 0, chat_turns: 0, chat_person_turns: 0, chat_eligible: 0, excluded: {} });
    c.records++;
    (authors.get(m.locale) ?? authors.set(m.locale, new Set()).get(m.locale)!).add(m.author);
    const e = expect.get(id)!;
    if (m.chat) {
      c.chat_turns++;
      if (m.chat === 'person') c.chat_person_turns++;
      if (e === 'eligible') c.chat_eligible++;
    }
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
    records: meta.size,
    eligible: [...expect.values()].filter((e) => e === 'eligible').length,
    authors: new Set([...meta.values()].map((m) => m.author)).size,
    chat_turns: [...meta.values()].filter((m) => m.chat).length,
    chat_eligible: [...meta.entries()].filter(([id, m]) => m.chat && expect.get(id) === 'eligible').length,
    conversations: chats.length,
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
      c.chat_person_turns,
      c.chat_eligible,
      plantedBy('group_chat', l),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  const readme = fs.readFileSync(path.join(SAMPLE, 'README.md'), 'utf8');
  const table = [
    '<!-- composition:start (generated by scripts/sample/build.ts; test/sample/composition.test.ts checks it) -->',
    '| locale | records | eligible | authors | minor | objection | private msg | friends-only | deleted | non-EU | outside window | missing field | exact dup | near dup | PII | code-switch | idiolect | chat: person turns | chat: eligible turns | chat: group-chat turns |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...tableRows,
    `| **total** | ${totals.records} | ${totals.eligible} | ${totals.authors} | | | | | | | | | | | | | | | ${totals.chat_eligible} | |`,
    '<!-- composition:end -->',
  ].join('\n');
  fs.writeFileSync(path.join(SAMPLE, 'README.md'), readme.replace(/<!-- composition:start[\s\S]*?<!-- composition:end -->/, table));
  console.log(`wrote ${totals.records} records (${totals.eligible} eligible, ${totals.authors} authors; ${chats.length} conversations, ${totals.chat_turns} chat turns, ${totals.chat_eligible} eligible) in ${byFile.size + chatFiles.size + 1} files; ${objections.length} objections`);
}

build();
