import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import Papa from 'papaparse';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT, cli, readDecompressed, tmpDir, walk } from '../helpers.js';

/**
 * The assistant's side of a chat never reaches an output (README, "Chats"): unique canaries in
 * assistant, system and tool turns, in a conversation's title and in every turn of a group chat;
 * `vernacular run` over the whole pipeline (filter, segment, features, discovery, shards, eval
 * sets, report); every file of the build is searched decompressed (gzip, zstd, Parquet, SQLite),
 * and stdout/stderr. The person's own turns carry tokens that must be found (the search sees them).
 */

/** A file's text as a search sees it: decompressed, a Parquet file's rows, an SQLite file's rows. */
async function contents(f: string): Promise<string> {
  if (f.endsWith('.parquet')) {
    const file = await asyncBufferFromFile(f);
    const metadata = await parquetMetadataAsync(file);
    const rows = await parquetReadObjects({ file, metadata, compressors });
    return JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
  }
  const raw = readDecompressed(f);
  if (raw.subarray(0, 16).toString('latin1') === 'SQLite format 3\0') {
    const db = new Database(f, { readonly: true });
    try {
      const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>;
      return tables.map((t) => JSON.stringify(db.prepare(`select * from "${t.name}"`).all())).join('\n');
    } finally {
      db.close();
    }
  }
  return raw.toString('utf8');
}

describe('assistant turns reach no output', () => {
  it('canaries in assistant, system and tool turns, titles and group chats: in no file of a full run', async () => {
    const d = tmpDir('vern-chat-canary-');
    const canaries: string[] = [];
    const canary = (tag: string) => {
      const s = `zq${tag}canary${canaries.length}x`;
      canaries.push(s);
      return s;
    };
    const persons: string[] = [];
    const texts = (locale: string) =>
      fs.readFileSync(path.join(ROOT, 'corpora/sample/texts', `${locale}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { text: string; kind: string }).filter((t) => t.kind === 'post' && t.text.length > 40);
    const rows: unknown[] = [];
    const flat: Array<{ [k: string]: unknown }> = [];
    for (const [locale, country] of [['de-AT', 'AT'], ['de-DE', 'DE']] as const) {
      const ts = texts(locale).slice(0, 60);
      for (let i = 0; i + 1 < ts.length; i += 2) {
        const conv = `${country}-c${i}`;
        const user = `${country}-u${i % 17}`;
        const mark = `persontoken${persons.length}q`;
        persons.push(mark);
        const at = (k: number) => `2025-0${1 + (i % 9)}-1${k}T10:00:00Z`;
        const group = i % 20 === 6;
        const msgs: Array<{ [k: string]: unknown }> = [];
        if (i % 10 === 0) msgs.push({ role: 'system', content: `Du bist ein hilfreicher Assistent ${canary('system')}`, created: at(0) });
        msgs.push({ role: 'user', content: `${ts[i].text} ${group ? canary('group') : mark}`, created: at(1) });
        msgs.push({ role: 'assistant', content: `Gerne, hier ist eine ausführliche Antwort mit Beispielen ${canary('assistant')} und weiteren Hinweisen zur Umsetzung.`, created: at(2) });
        if (i % 8 === 2) msgs.push({ role: 'tool', content: `{"result": "${canary('tool')}"}`, created: at(3) });
        if (group) msgs.push({ role: 'user', content: `Hallo, i bin a do ${canary('friend')}`, created: at(4), user_id: `${country}-friend` });
        msgs.push({ role: 'user', content: `${ts[i + 1].text} ${group ? canary('group') : mark}`, created: at(5) });
        msgs.push({ role: 'assistant', content: `Das ist eine gute Frage ${canary('assistant')}, die Antwort hängt von mehreren Faktoren ab.`, created: at(6) });
        const row = { post_id: conv, user_id: user, created: at(1), country_code: country, type: 'ai_chat', user_birth_date: '1985-04-04', is_deleted: false, title: `Antwort ${canary('title')}`, messages: i % 4 === 0 ? msgs : msgs.map(({ role, content, ...m }) => ({ from: { user: 'human', assistant: 'gpt' }[role as string] ?? role, value: content, ...m })) };
        // a quarter of the conversations as turn-per-row CSV
        if (i % 8 === 4)
          msgs.forEach((m, k) => flat.push({ conversation_id: conv, post_id: `${conv}:${k + 1}`, user_id: m.user_id ?? user, role: m.role, body: m.content, created: m.created, country_code: country, type: 'ai_chat', user_birth_date: '1985-04-04', is_deleted: false }));
        else rows.push(row);
      }
    }
    fs.writeFileSync(path.join(d, 'chats.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    fs.writeFileSync(path.join(d, 'turns.csv'), Papa.unparse(flat, { newline: '\n' }) + '\n');
    fs.writeFileSync(
      path.join(d, 'vernacular.yaml'),
      YAML.stringify({
        extends: 'eu-public-adult',
        name: 'canary',
        inputs: [{ path: 'chats.jsonl' }, { path: 'turns.csv' }],
        fields: { id: 'post_id', author_id: 'user_id', text: 'body', created_at: 'created', country: 'country_code', visibility: 'audience', kind: 'type', author_birth_date: 'user_birth_date', deleted: 'is_deleted', messages: 'messages', conversation_id: 'conversation_id', role: 'role' },
        policy: { window: { from: '2024-01-01', to: '2026-12-31' }, chats: { notice_date: '2024-06-01' } },
        segment: { locales: ['de-AT', 'de-DE'] },
        shards: { splits: { train: 0.5, validation: 0.1, test: 0.4 } },
        // eval sets are built below without running models (the models' time is not what this tests)
        evaluate: { enabled: false },
      }),
    );
    const out = path.join(d, 'out');
    const r = cli(['run', '-c', path.join(d, 'vernacular.yaml'), '-o', out, '--workers', '1']);
    expect([0, 1], r.stderr.slice(-2000)).toContain(r.status); // 1: a coverage gate may fail on so small a build
    const e = cli(['eval', 'build', '--build', out, '--max-per-locale', '40']);
    expect(e.status, e.stderr).toBe(0);
    const disc = cli(['discover', '--build', out, '--locale', 'de-AT', '--against', 'de-DE', '--min-authors', '1', '--top', '500', '-o', path.join(out, 'discover-de-AT.csv')]);
    expect(disc.status, disc.stderr).toBe(0);
    const files = walk(out);
    expect(files.some((f) => f.endsWith('.parquet'))).toBe(true);
    expect(files.some((f) => /eval/.test(f))).toBe(true);
    const blobs = [r.stdout, r.stderr, e.stdout, e.stderr, disc.stdout, disc.stderr];
    for (const f of files) blobs.push(await contents(f));
    const all = blobs.join('\n');
    // the search sees the person's turns (in the shards, Parquet included, and the eval sets)
    const shardText = (await Promise.all(files.filter((f) => f.includes(`${path.sep}shards${path.sep}`) && f.endsWith('.parquet')).map(contents))).join('\n');
    const evalText = (await Promise.all(files.filter((f) => f.includes(`${path.sep}eval${path.sep}`)).map(contents))).join('\n');
    expect(persons.filter((p) => shardText.includes(p)).length / persons.length).toBeGreaterThan(0.6);
    expect(persons.some((p) => evalText.includes(p))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'discover-de-AT.csv'), 'utf8').split('\n').length).toBeGreaterThan(20);
    const leaked = canaries.filter((c) => all.includes(c));
    expect(leaked).toEqual([]);
    const stats = JSON.parse(fs.readFileSync(path.join(out, 'filter', 'stats.json'), 'utf8'));
    expect(stats.funnel.excluded.assistant_turn).toBeGreaterThan(50);
    expect(stats.funnel.excluded.private_message).toBeGreaterThan(3);
  }, 300_000);
});
