import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT, cli, readDecompressed, tmpDir, walk } from '../helpers.js';

/**
 * Conversation shards (shards.conversations; README, "Chats"): the conversation with the
 * assistant's turns present but masked (`train: false`), the person's kept turns PII-scrubbed with
 * the chat scrubber, nothing of an excluded turn or conversation; off by default.
 */
describe('conversation shards', () => {
  it('masks the assistant, keeps only the person turns the shards hold, scrubs PII, and lists the files in the manifest', () => {
    const d = tmpDir('vern-conv-shards-');
    const texts = (locale: string) =>
      fs.readFileSync(path.join(ROOT, 'corpora/sample/texts', `${locale}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { text: string; kind: string }).filter((t) => t.kind === 'post' && t.text.length > 40);
    const pii = fs.readFileSync(path.join(ROOT, 'test/fixtures/pii/chat-cases.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { text: string; locale: string; split: string; pii: Array<{ type: string; value: string }> }).filter((c) => c.locale === 'de-AT' && c.split === 'dev' && c.pii.some((p) => p.type === 'ADDRESS'))[0];
    const secret: string[] = []; // texts that must not reach the conversation shards
    const rows: unknown[] = [];
    for (const [locale, country] of [['de-AT', 'AT'], ['de-DE', 'DE']] as const) {
      const ts = texts(locale).slice(0, 60);
      for (let i = 0; i + 1 < ts.length; i += 2) {
        const at = (k: number) => `2025-0${1 + (i % 9)}-1${k}T10:00:00Z`;
        const kind = i % 12; // 0: a group chat, 2: a minor's first turn (18 between the turns), 4: a deleted turn, 6: a PII turn
        const m = (role: string, content: string, k: number, extra: { [x: string]: unknown } = {}) => ({ role, content, created: at(k), ...extra });
        const msgs = [m('system', 'Du bist ein hilfreicher Assistent.', 0), m('user', ts[i].text, 1, kind === 4 ? { is_deleted: true } : {}), m('assistant', `Antwort eins zu ${country}${i}: Gerne, hier ein Vorschlag.`, 2)];
        if (kind === 0) msgs.push(m('user', `Hallo, i bin a do ${country}${i}friend`, 3, { user_id: 'someone-else' }));
        msgs.push(m('user', kind === 6 ? pii.text : ts[i + 1].text, 4), m('assistant', `Antwort zwei zu ${country}${i}: Das hängt davon ab.`, 5));
        if (kind === 0) secret.push(ts[i].text, ts[i + 1].text, `Antwort eins zu ${country}${i}:`, `Antwort zwei zu ${country}${i}:`);
        if (kind === 4) secret.push(ts[i].text, `Antwort eins zu ${country}${i}:`);
        if (kind === 2) secret.push(ts[i].text, `Antwort eins zu ${country}${i}:`);
        rows.push({ post_id: `${country}-c${i}`, user_id: `${country}-u${i % 13}`, created: at(1), country_code: country, type: 'ai_chat', user_birth_date: kind === 2 ? `2007-0${1 + (i % 9)}-13` : '1980-02-02', is_deleted: false, title: 'Titel', messages: msgs });
      }
    }
    fs.writeFileSync(path.join(d, 'chats.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const cfg = (conversations: boolean) => ({
      extends: 'eu-public-adult',
      inputs: [{ path: 'chats.jsonl' }],
      fields: { id: 'post_id', author_id: 'user_id', text: 'body', created_at: 'created', country: 'country_code', visibility: 'audience', kind: 'type', author_birth_date: 'user_birth_date', deleted: 'is_deleted', messages: 'messages' },
      policy: { window: { from: '2024-01-01', to: '2026-12-31' }, chats: { notice_date: '2024-06-01' } },
      segment: { locales: ['de-AT', 'de-DE'] },
      shards: { conversations, balance: { strategy: 'proportional' }, splits: { train: 0.6, validation: 0.2, test: 0.2 } },
      evaluate: { enabled: false },
    });
    fs.writeFileSync(path.join(d, 'vernacular.yaml'), YAML.stringify(cfg(true)));
    const out = path.join(d, 'out');
    const r = cli(['run', '-c', path.join(d, 'vernacular.yaml'), '-o', out, '--workers', '1']);
    expect([0, 1], r.stderr.slice(-2000)).toContain(r.status);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'shards', 'manifest.json'), 'utf8'));
    expect(manifest.conversations.length).toBeGreaterThan(0);
    expect(cli(['shards', 'verify', path.join(out, 'shards')]).status).toBe(0);
    const card = fs.readFileSync(path.join(out, 'shards', 'README.md'), 'utf8');
    expect(card).toMatch(/`train` is the mask/);
    // the person's shard docs: id → text
    const shardTexts = new Set<string>();
    for (const f of walk(path.join(out, 'shards', 'data'))) for (const l of readDecompressed(f).toString('utf8').split('\n')) if (l) shardTexts.add(JSON.parse(l).text);
    const convs: Array<{ id: string; split: string; turns: Array<{ role: string; text: string; train: boolean }> }> = [];
    for (const c of manifest.conversations) for (const l of zlib.gunzipSync(fs.readFileSync(path.join(out, 'shards', c.path))).toString('utf8').split('\n')) if (l) convs.push(JSON.parse(l));
    expect(convs.length).toBeGreaterThan(20);
    let masked = 0;
    for (const c of convs) {
      for (const t of c.turns) {
        if (t.role === 'user') {
          expect(t.train).toBe(true);
          expect(shardTexts.has(t.text), t.text).toBe(true); // exactly a shard doc (scrubbed as the shards are)
        } else {
          expect(t.train).toBe(false);
          masked++;
        }
      }
    }
    expect(masked).toBeGreaterThan(convs.length);
    const all = convs.map((c) => JSON.stringify(c)).join('\n');
    for (const s of secret) expect(all, s).not.toContain(s);
    // the PII turn is there, scrubbed with the chat scrubber
    expect(all).toContain('<ADDRESS>');
    for (const p of pii.pii) expect(all).not.toContain(p.value);
    // off by default: the filter writes no conversations files (so no assistant text anywhere:
    // test/eligibility/chat-canary.test.ts runs the whole flow with the default)
    fs.writeFileSync(path.join(d, 'vernacular.yaml'), YAML.stringify({ ...cfg(false), shards: { balance: { strategy: 'proportional' } } }));
    const off = path.join(d, 'off');
    expect(cli(['run-stage', 'filter', '-c', path.join(d, 'vernacular.yaml'), '-o', off]).status).toBe(0);
    expect(walk(off).filter((f) => /conversations/.test(f))).toEqual([]);
    expect(JSON.parse(fs.readFileSync(path.join(off, 'filter', 'stats.json'), 'utf8')).funnel.chats.kept).toBeGreaterThan(20);
  }, 300_000);
});
