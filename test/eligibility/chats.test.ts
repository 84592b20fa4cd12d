import fs from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import YAML from 'yaml';
import { parquetWriteFile } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { runFilter } from '../../src/eligibility/filter-stage.js';
import { rng } from '../../src/evaluate/metrics.js';
import { FIELDS as BASE_FIELDS, readDecompressed, tmpDir } from '../helpers.js';
import { ChatOracle, recordOfLine, type ChatOraclePolicy, type ChatTurn, type OracleRecord } from './oracle.js';

/**
 * Chats (README, "Chats"): conversations in both message-array shapes and turn-per-row exports,
 * judged per turn. The acceptance cases of issue 23 by name, then a property test that holds the
 * filter to the independent chat oracle (./oracle.ts) on generated conversations.
 */

const FIELDS = {
  ...BASE_FIELDS,
  messages: 'messages',
  conversation_id: 'conversation_id',
  role: 'role',
  chat_allowed: 'chat_ok',
  conversation_deleted: 'conv_deleted',
};

const NOTICE = '2024-03-01';

function setup(files: { [name: string]: string | Buffer }, over: { [k: string]: unknown } = {}) {
  const d = tmpDir('vern-chats-');
  for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(d, name), body);
  const cfg = {
    extends: 'eu-public-adult',
    inputs: Object.keys(files).filter((f) => !f.startsWith('objections')).map((p) => ({ path: p })),
    fields: FIELDS,
    policy: { window: { from: '2024-01-01', to: '2026-12-31' }, chats: { condition: 'flag_and_notice_date', notice_date: NOTICE } },
    output: { compression: 'none' },
    ...over,
  };
  fs.writeFileSync(path.join(d, 'vernacular.yaml'), YAML.stringify(cfg));
  return { d, loaded: loadConfig(path.join(d, 'vernacular.yaml')) };
}

async function filter(s: ReturnType<typeof setup>, world = 1) {
  const out = path.join(s.d, 'out');
  const run = (rank: number, w: number) => runFilter({ stage: 'filter', rank, world: w, out, loaded: s.loaded, secret: 'chat-secret-0123456789abcdef', quiet: true, log: () => {} } as never);
  if (world > 1) for (let r = world - 1; r >= 0; r--) await run(r, world);
  const res = await run(0, 1);
  const docs: Array<{ id: string; text: string; authorId: string; createdAt: string; country: string; meta: { [k: string]: unknown } }> = [];
  const dir = path.join(out, 'filter', 'docs');
  for (const f of fs.readdirSync(dir).sort()) for (const l of readDecompressed(path.join(dir, f)).toString('utf8').split('\n')) if (l) docs.push(JSON.parse(l));
  return { res, docs, out };
}

const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** One conversation as plain data: what both shapes are written from. */
interface Conv {
  id: string;
  user: string;
  birth: string;
  country: string;
  ok: unknown;
  convDeleted: unknown;
  turns: Array<{ role: string; text: string; at: string; deleted?: unknown; author?: string }>;
}

const conv = (id: string, over: Partial<Conv> = {}): Conv => ({
  id,
  user: 'u-anna',
  birth: '1990-05-05',
  country: 'AT',
  ok: true,
  convDeleted: false,
  turns: [
    { role: 'user', text: `Servus, wos kocht ma heit ${id}?`, at: '2025-03-01T10:00:00Z' },
    { role: 'assistant', text: `Hier sind drei Vorschläge für heute ${id}.`, at: '2025-03-01T10:00:05Z' },
    { role: 'user', text: `Passt, des Gulasch nehm i ${id}`, at: '2025-03-01T10:01:00Z' },
    { role: 'assistant', text: `Gute Wahl. Guten Appetit ${id}!`, at: '2025-03-01T10:01:03Z' },
  ],
  ...over,
});

const SHAREGPT: { [r: string]: string } = { user: 'human', assistant: 'gpt', system: 'system' };

/** The conversation row of the array shape: OpenAI-style (role/content) or ShareGPT-style (from/value). */
function arrayRow(c: Conv, style: 'openai' | 'sharegpt') {
  return {
    post_id: c.id,
    user_id: c.user,
    created: c.turns[0].at,
    country_code: c.country,
    type: 'ai_chat',
    user_birth_date: c.birth,
    chat_ok: c.ok,
    conv_deleted: c.convDeleted,
    is_deleted: false,
    title: `TITLE-${c.id}`,
    messages: c.turns.map((t, i) => {
      const m: { [k: string]: unknown } = style === 'openai' ? { role: t.role, content: t.text } : { from: SHAREGPT[t.role] ?? t.role, value: t.text };
      m.created = t.at;
      m.is_deleted = t.deleted ?? false;
      if (t.author) m.user_id = t.author;
      if (i === 1) m.post_id = `${c.id}:${i + 1}`; // an explicit id, the same as the default one
      return m;
    }),
  };
}

/** The turn rows of the flat shape. */
function flatRows(c: Conv) {
  return c.turns.map((t, i) => ({
    conversation_id: c.id,
    post_id: `${c.id}:${i + 1}`,
    role: t.role,
    body: t.text,
    created: t.at,
    country_code: c.country,
    type: 'ai_chat',
    user_id: t.author ?? c.user,
    user_birth_date: c.birth,
    is_deleted: t.deleted ?? false,
    chat_ok: c.ok,
    conv_deleted: c.convDeleted,
  }));
}

const COLUMNS = ['conversation_id', 'post_id', 'role', 'body', 'created', 'country_code', 'type', 'user_id', 'user_birth_date', 'is_deleted', 'chat_ok', 'conv_deleted'];
const csv = (rows: Array<{ [k: string]: unknown }>) => Papa.unparse(rows.map((r) => Object.fromEntries(COLUMNS.map((c) => [c, r[c] === undefined || r[c] === null ? '' : String(r[c])]))), { columns: COLUMNS, newline: '\n' }) + '\n';
function parquet(file: string, rows: Array<{ [k: string]: unknown }>) {
  parquetWriteFile({ filename: file, columnData: COLUMNS.map((c) => ({ name: c, type: 'STRING', data: rows.map((r) => (r[c] === undefined || r[c] === null ? null : String(r[c]))) })) as never });
}

const keptView = (docs: Awaited<ReturnType<typeof filter>>['docs']) => docs.map((d) => `${d.id}|${d.text}|${d.authorId}|${d.createdAt}|${d.country}|${d.meta.conversation_id}`).sort();

describe('chats: the acceptance cases of issue 23', () => {
  it('both message-array shapes and the flat shape (JSONL, CSV, Parquet) read the same conversations', async () => {
    const convs = [
      conv('c1'),
      conv('c2', { turns: [...conv('c2').turns, { role: 'user', text: 'ok', at: '2025-03-01T10:02:00Z' }] }), // a short turn
      conv('c3', { ok: false }),
      conv('c4', { turns: conv('c4').turns.map((t, i) => (i === 2 ? { ...t, deleted: true } : t)) }),
      conv('c5', { turns: conv('c5').turns.map((t, i) => (i === 2 ? { ...t, author: 'u-bert' } : t)) }), // a group chat
      conv('c6', { birth: '2007-03-01', turns: conv('c6').turns.map((t, i) => ({ ...t, at: `2025-0${i < 2 ? 2 : 4}-2${i}T10:00:00Z` })) }), // turns 18 mid-conversation
      conv('c7', { turns: [{ role: 'system', text: 'You are a helpful assistant c7.', at: '2025-03-01T09:59:00Z' }, ...conv('c7').turns] }),
    ];
    const flat = convs.flatMap(flatRows);
    const shapes: { [name: string]: () => ReturnType<typeof setup> } = {
      openai: () => setup({ 'chats.jsonl': jsonl(convs.map((c) => arrayRow(c, 'openai'))) }),
      sharegpt: () => setup({ 'chats.jsonl': jsonl(convs.map((c) => arrayRow(c, 'sharegpt'))) }),
      'flat jsonl': () => setup({ 'turns.jsonl': jsonl(flat) }),
      'flat csv': () => setup({ 'turns.csv': csv(flat) }),
      'flat parquet': () => {
        const s = setup({}, { inputs: [{ path: 'turns.parquet' }] });
        parquet(path.join(s.d, 'turns.parquet'), flat);
        return s;
      },
      // a flat export split over two files, a conversation's turns in both
      'flat split': () => setup({ 'a.jsonl': jsonl(flat.filter((_, i) => i % 2 === 0)), 'b.csv': csv(flat.filter((_, i) => i % 2 === 1)) }),
    };
    const views: { [name: string]: { kept: string[]; read: number; kept_n: number; malformed: number; excluded: number } } = {};
    for (const [name, make] of Object.entries(shapes)) {
      const { res, docs } = await filter(make(), name === 'flat split' ? 2 : 1);
      const ex = Object.values(res.funnel.excluded).reduce((a, b) => a + b, 0);
      views[name] = { kept: keptView(docs), read: res.funnel.read, kept_n: res.funnel.kept, malformed: res.funnel.malformed, excluded: ex };
    }
    const want = views.openai;
    // c1 (2), c2 (2 + a short turn), c4 (1 of 2), c6 (the one after the birthday), c7 (2)
    expect(want.kept.map((k) => k.split('|')[0])).toEqual(['c1:1', 'c1:3', 'c2:1', 'c2:3', 'c4:1', 'c6:3', 'c7:2', 'c7:4']);
    expect(want.read).toBe(flat.length);
    for (const [name, v] of Object.entries(views)) expect(v, name).toEqual(want);
  });

  it('a group chat is excluded as a private message: in one row, across rows, and across files', async () => {
    const group = conv('g1', { turns: conv('g1').turns.map((t, i) => (i === 2 ? { ...t, author: 'u-bert' } : t)) });
    const named = arrayRow(conv('g2'), 'openai');
    (named.messages[2] as { name?: string }).name = 'Bert'; // OpenAI's participant name on a user message
    const unknown = conv('g3', { turns: [...conv('g3').turns, { role: 'participant', text: 'Und i bin a no do', at: '2025-03-01T10:05:00Z' }] });
    const a = await filter(setup({ 'chats.jsonl': jsonl([arrayRow(group, 'openai'), named, arrayRow(unknown, 'sharegpt'), arrayRow(conv('ok1'), 'openai')]) }));
    expect(a.docs.map((d) => d.id).sort()).toEqual(['ok1:1', 'ok1:3']);
    expect(a.res.funnel.excluded.private_message).toBe(2 + 2 + 2); // the person's turns and the other person's
    expect(a.res.funnel.excluded['invalid:role']).toBe(1);
    // flat: the other person's turn is in another file
    const rows = flatRows(group);
    const f = await filter(setup({ 'a.jsonl': jsonl(rows.filter((_, i) => i !== 2)), 'b.csv': csv([rows[2]]) }), 2);
    expect(f.docs).toEqual([]);
    expect(f.res.funnel.excluded.private_message).toBe(2);
    // and the same conversation without the other person is kept
    const solo = await filter(setup({ 'a.jsonl': jsonl(flatRows(conv('g1')).filter((_, i) => i !== 2)), 'b.csv': csv([flatRows(conv('g1'))[2]]) }), 2);
    expect(solo.docs.map((d) => d.id).sort()).toEqual(['g1:1', 'g1:3']);
  });

  it("a minor's turns in an otherwise adult account are excluded: age at each turn", async () => {
    // 18 on 2025-06-15; an adult account (their posts of 2026 are kept), turns on both sides of the birthday
    const c = conv('m1', {
      birth: '2007-06-15',
      turns: [
        { role: 'user', text: 'Hallo, i brauch Hilfe beim Lebenslauf', at: '2025-06-14T23:59:59Z' },
        { role: 'assistant', text: 'Gern, womit fangen wir an?', at: '2025-06-15T00:00:01Z' },
        { role: 'user', text: 'Mit da Ausbildung bitte', at: '2025-06-15T00:00:02Z' },
        { role: 'user', text: 'Und jetzt die Berufserfahrung', at: '2025-07-01T10:00:00Z' },
      ],
    });
    const later = conv('m2', { birth: '2007-06-15', turns: conv('m2').turns.map((t) => ({ ...t, at: t.at.replace('2025', '2026') })) });
    const variants: Array<{ [f: string]: string }> = [{ 'c.jsonl': jsonl([arrayRow(c, 'openai'), arrayRow(later, 'sharegpt')]) }, { 't.csv': csv([...flatRows(c), ...flatRows(later)]) }];
    for (const files of variants) {
      const { res, docs } = await filter(setup(files));
      expect(docs.map((d) => d.id).sort()).toEqual(['m1:3', 'm1:4', 'm2:1', 'm2:3']);
      expect(res.funnel.excluded.minor).toBe(1);
    }
  });

  it('deleting one turn removes that turn only; deleting the conversation removes all of it', async () => {
    const one = conv('d1', { turns: conv('d1').turns.map((t, i) => (i === 0 ? { ...t, deleted: true } : t)) });
    const all = conv('d2', { convDeleted: true });
    const row = arrayRow(conv('d3'), 'openai');
    row.is_deleted = true; // the conversation row's own deletion flag
    const a = await filter(setup({ 'c.jsonl': jsonl([arrayRow(one, 'openai'), arrayRow(all, 'sharegpt'), row]) }));
    expect(a.docs.map((d) => d.id)).toEqual(['d1:3']);
    expect(a.res.funnel.excluded).toMatchObject({ deleted: 1, 'deleted:conversation': 4 });
    // flat: a later record of one turn id deletes that turn only, wherever it is
    const rows = flatRows(conv('d4'));
    const f = await filter(setup({ 'a.jsonl': jsonl(rows), 'b.csv': csv([{ ...rows[2], is_deleted: true, body: 'x' }]) }), 2);
    expect(f.docs.map((d) => d.id)).toEqual(['d4:1']);
    // flat: one row saying the conversation is deleted removes every turn of it
    const g = await filter(setup({ 'a.jsonl': jsonl(rows), 'b.csv': csv([{ ...rows[1], post_id: 'd4:9', conv_deleted: true }]) }), 2);
    expect(g.docs).toEqual([]);
  });

  it('objections at conversation and turn level; the allow flag and the notice date; fail closed', async () => {
    const early = conv('n1', { turns: conv('n1').turns.map((t) => ({ ...t, at: t.at.replace('2025-03', '2024-02') })) });
    const files = {
      'c.jsonl': jsonl([arrayRow(conv('o1'), 'openai'), arrayRow(conv('o2'), 'openai'), arrayRow(early, 'openai'), arrayRow(conv('f1', { ok: 'maybe' }), 'openai'), arrayRow(conv('f2', { ok: null }), 'openai')]),
      't.jsonl': jsonl([{ ...flatRows(conv('x1'))[0], conversation_id: '' }, { ...flatRows(conv('x2'))[0], role: null }]),
      'objections.csv': 'item_id,author_id,objected_at\no1,,2025-05-01\no2:3,,2025-05-01\n',
    };
    const { res, docs } = await filter(setup(files, { objections: { paths: ['objections.csv'] } }));
    expect(docs.map((d) => d.id).sort()).toEqual(['o2:1']);
    expect(res.funnel.excluded).toMatchObject({ objection: 3, before_chat_notice: 2, 'invalid:chat_allowed': 2, 'missing:chat_allowed': 2, 'missing:conversation_id': 1, 'missing:role': 1, assistant_turn: 10 });
    // without a notice date, no chat turn can be proven allowed
    const none = await filter(setup({ 'c.jsonl': jsonl([arrayRow(conv('o1'), 'openai')]) }, { policy: { window: { from: '2024-01-01' }, chats: { condition: 'notice_date' } } }));
    expect(none.docs).toEqual([]);
    expect(none.res.funnel.excluded['missing:chat_notice_date']).toBe(2);
  });

  it('a message that repeats a key, or messages that are not an array, make the conversation malformed', async () => {
    const good = JSON.stringify(arrayRow(conv('r1'), 'openai'));
    const dup = good.replace('"role":"assistant","content"', '"role":"assistant","role":"user","content"');
    expect(dup).not.toBe(good);
    const { res, docs } = await filter(setup({ 'c.jsonl': [dup, JSON.stringify({ ...arrayRow(conv('r2'), 'openai'), messages: 'nope' }), JSON.stringify(arrayRow(conv('r3'), 'openai'))].join('\n') + '\n' }));
    expect(docs.map((d) => d.id)).toEqual(['r3:1', 'r3:3']);
    expect(res.funnel.malformed).toBe(2);
  });
});

describe('chats: the filter keeps exactly the turns the chat oracle keeps (property test)', () => {
  it('generated conversations in every shape, split over files and workers', async () => {
    const SEED = Number(process.env.CHAT_SEED ?? Math.floor(Math.random() * 1e9));
    const rnd = rng(SEED);
    const pick = <T,>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
    const chance = (p: number) => rnd() < p;
    const authors = Array.from({ length: 40 }, (_, i) => `a${i}`);
    const births = new Map(authors.map((a) => [a, chance(0.2) ? `2007-0${1 + Math.floor(rnd() * 9)}-1${Math.floor(rnd() * 9)}` : `19${60 + Math.floor(rnd() * 39)}-0${1 + Math.floor(rnd() * 9)}-0${1 + Math.floor(rnd() * 9)}`]));
    const words = ['servus', 'heit', 'schee', 'gemma', 'ois', 'leiwand', 'oida', 'bitte', 'danke', 'passt', 'gulasch', 'hackn'];
    const files: { [f: string]: Array<{ [k: string]: unknown }> } = { 'arr.jsonl': [], 'flat.jsonl': [], 'flat.csv': [], 'flat.parquet': [] };
    const items: string[] = [];
    const objectors = ['a3', 'a17'];
    for (let n = 0; n < 700; n++) {
      const id = `c${n}`;
      const user = pick(authors);
      const nTurns = 2 + Math.floor(rnd() * 9);
      let t = Date.UTC(2024, 1, 1) + Math.floor(rnd() * 800) * 86_400_000;
      const turns: Conv['turns'] = [];
      for (let i = 0; i < nTurns; i++) {
        const person = i % 2 === 0;
        let role = person ? 'user' : pick(['assistant', 'assistant', 'tool']);
        if (chance(0.01)) role = pick(['participant', '', 'USER', 'Assistant']);
        const text = chance(0.05) ? pick(['ok', 'thx', '👍', 'ja']) : `${pick(words)} ${pick(words)} ${pick(words)} T${n}x${i}`;
        t += Math.floor(rnd() * (chance(0.1) ? 200 * 86_400_000 : 600_000));
        const turn: Conv['turns'][number] = { role, text, at: new Date(t).toISOString().replace('.000Z', 'Z') };
        if (chance(0.04)) turn.deleted = pick([true, 'yes', null, 'maybe']);
        if (person && chance(0.02)) turn.author = pick(authors);
        if (chance(0.01)) turn.at = pick(['2025-02-30T10:00:00Z', 'soon', '']);
        turns.push(turn);
      }
      const c: Conv = {
        id,
        user,
        birth: births.get(user)!,
        country: chance(0.05) ? pick(['US', '', 'at']) : 'AT',
        ok: chance(0.9) ? pick([true, 'true', 1]) : pick([false, 'maybe', null]),
        convDeleted: chance(0.95) ? false : pick([true, null]),
        turns,
      };
      if (chance(0.02)) items.push(id);
      if (chance(0.02)) items.push(`${id}:${1 + 2 * Math.floor(rnd() * (nTurns / 2))}`);
      const shape = pick(['openai', 'sharegpt', 'flat', 'flat', 'split']);
      if (shape === 'openai' || shape === 'sharegpt') {
        const row: { [k: string]: unknown } = arrayRow(c, shape);
        if (chance(0.02)) row.type = pick(['dm', 'AI_CHAT ']);
        if (chance(0.01)) row.is_deleted = true;
        files['arr.jsonl'].push(row);
      } else {
        const rows: Array<{ [k: string]: unknown }> = flatRows(c);
        for (const r of rows) {
          if (chance(0.01)) r.conversation_id = pick(['', null]);
          const f = shape === 'split' ? pick(['flat.jsonl', 'flat.csv', 'flat.parquet']) : pick(['flat.jsonl', 'flat.jsonl', 'flat.csv', 'flat.parquet']);
          files[f].push(r);
        }
        // a later record of one turn: deleted (that turn only), or a second author in another file
        if (chance(0.05)) files['flat.csv'].push({ ...rows[0], is_deleted: true });
        if (chance(0.03)) files['flat.parquet'].push({ ...rows[0], post_id: `${id}:99`, user_id: pick(authors) });
      }
    }
    const d = tmpDir('vern-chat-prop-');
    fs.writeFileSync(path.join(d, 'arr.jsonl'), jsonl(files['arr.jsonl']));
    fs.writeFileSync(path.join(d, 'flat.jsonl'), jsonl(files['flat.jsonl']));
    fs.writeFileSync(path.join(d, 'flat.csv'), csv(files['flat.csv']));
    parquet(path.join(d, 'flat.parquet'), files['flat.parquet']);
    fs.writeFileSync(path.join(d, 'objections.csv'), 'item_id,author_id,objected_at\n' + items.map((i) => `${i},,2025-01-01`).join('\n') + '\n' + objectors.map((a) => `,${a},2025-01-01`).join('\n') + '\n');
    const s = setup({}, { inputs: ['arr.jsonl', 'flat.jsonl', 'flat.csv', 'flat.parquet'].map((p) => ({ path: p })), objections: { paths: ['objections.csv'] } });
    fs.cpSync(d, s.d, { recursive: true });
    const { res, docs } = await filter({ d: s.d, loaded: loadConfig(path.join(s.d, 'vernacular.yaml')) }, 3);

    // the oracle: every record as its reader hands it over, a first pass, then one verdict per turn
    const policy: ChatOraclePolicy = {
      fields: { ...FIELDS },
      kinds: ['post', 'comment', 'ai_chat'],
      chatKinds: ['ai_chat'],
      personRoles: ['user', 'human'],
      assistantRoles: ['assistant', 'gpt', 'model', 'bot', 'system', 'tool', 'function', 'ipython', 'developer'],
      noticeDate: NOTICE,
      countries: ['AT', 'DE'],
      window: { from: '2024-01-01', to: '2026-12-31' },
      minAge: 18,
      minLetters: 4,
      maxTextBytes: 20_000,
      authorObjections: objectors,
      itemObjections: items,
    };
    const oracle = new ChatOracle(policy);
    const records: OracleRecord[] = [];
    for (const l of fs.readFileSync(path.join(d, 'arr.jsonl'), 'utf8').split('\n')) if (l) records.push(recordOfLine(l)!);
    for (const l of fs.readFileSync(path.join(d, 'flat.jsonl'), 'utf8').split('\n')) if (l) records.push(recordOfLine(l)!);
    // CSV and Parquet as their readers hand them over: strings, an empty cell is missing
    for (const r of [...files['flat.csv'], ...files['flat.parquet']]) records.push({ values: new Map(COLUMNS.map((c) => [c, r[c] === undefined || r[c] === null ? '' : String(r[c])])), repeated: new Set() });
    const rows = records.map((r) => oracle.rowTurns(r));
    const turns: ChatTurn[] = [];
    let malformed = 0;
    let read = 0;
    for (const r of rows) {
      if (r.malformed) {
        malformed++;
        read++;
        for (const t of r.readable ?? []) oracle.notice(t);
        continue;
      }
      for (const t of r.turns) {
        read++;
        if (t === 'malformed') malformed++;
        else {
          oracle.notice(t);
          turns.push(t);
        }
      }
    }
    const want: string[] = [];
    for (const t of turns) {
      const v = oracle.judge(t);
      if (v === 'malformed') malformed++;
      else if (v === 'kept') want.push(String(t.values.get('post_id')).trim());
    }
    const got = docs.map((x) => x.id);
    const seed = `CHAT_SEED=${SEED}`;
    expect(got.slice().sort(), seed).toEqual(want.slice().sort());
    expect({ read: res.funnel.read, malformed: res.funnel.malformed }, seed).toEqual({ read, malformed });
    // not vacuous: many kept, and every chat rule excluded something
    expect(want.length, seed).toBeGreaterThan(300);
    for (const r of ['assistant_turn', 'private_message', 'minor', 'deleted', 'short_turn', 'objection', 'before_chat_notice', 'chat_not_allowed', 'deleted:conversation'])
      expect(res.funnel.excluded[r] ?? 0, `${seed}: ${r}`).toBeGreaterThan(0);
  });
});
