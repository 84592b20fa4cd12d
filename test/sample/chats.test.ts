import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, readDecompressed, sampleBuild, walk } from '../helpers.js';

/**
 * The sample's chats (corpora/sample, README "Chats"): conversations with the platform's assistant
 * reach the shards as the person's own turns only, counted per locale in the funnel, segment
 * report, manifest, card and report; the assistant's side (texts/assistant.json) and the group
 * chats' friend lines reach no doc, shard, feature, eval or report file; the PII planted in chat
 * turns is scrubbed.
 */
const SAMPLE = path.join(ROOT, 'corpora', 'sample');
const comp = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'composition.json'), 'utf8')) as {
  totals: { chat_turns: number; chat_eligible: number; conversations: number };
  locales: { [l: string]: { chat_person_turns: number; chat_eligible: number; excluded: { [r: string]: number } } };
};
const assistant = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'texts', 'assistant.json'), 'utf8')) as { [lang: string]: { replies: string[]; closing: string; title: string } | string };
const LOCALES = ['en-IE', 'en-MT', 'mt-MT', 'de-DE', 'de-AT', 'lb-LU', 'fr-FR', 'fr-BE', 'nl-NL', 'nl-BE', 'es-ES', 'ca-ES', 'pt-PT', 'it-IT', 'sv-SE', 'sv-FI', 'el-GR', 'el-CY'];

describe('the sample chats', () => {
  it('are realistic conversations: several locales and both shapes, 2–10 turns, group chats and PII among them', () => {
    expect(comp.totals.conversations).toBeGreaterThan(150);
    const files = fs.readdirSync(path.join(SAMPLE, 'export'));
    expect(files).toContain('chat-turns.csv');
    const rows = files.filter((f) => /^chats-\d{4}\.jsonl$/.test(f)).flatMap((f) => fs.readFileSync(path.join(SAMPLE, 'export', f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
    const styles = new Set(rows.map((r) => ('role' in r.messages[0] ? 'openai' : 'sharegpt')));
    expect([...styles].sort()).toEqual(['openai', 'sharegpt']);
    for (const r of rows) expect(r.messages.length, r.post_id).toBeGreaterThanOrEqual(2);
    for (const r of rows) expect(r.messages.length, r.post_id).toBeLessThanOrEqual(10);
    const planted = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'planted.json'), 'utf8')).cases as { [k: string]: string[] };
    expect(planted.group_chat.length).toBeGreaterThanOrEqual(3);
    expect(planted.chat_pii.length).toBeGreaterThanOrEqual(10);
    expect(planted.short_turn.length).toBeGreaterThan(10);
    for (const l of LOCALES) expect(comp.locales[l].chat_eligible, l).toBeGreaterThanOrEqual(5);
  });

  it('reach the funnel, segment report, manifest, card and report as their own source, per locale', () => {
    const b = sampleBuild();
    const funnel = JSON.parse(fs.readFileSync(path.join(b, 'filter', 'stats.json'), 'utf8')).funnel;
    expect(funnel.chats.read).toBe(comp.totals.chat_turns);
    expect(funnel.chats.kept).toBe(comp.totals.chat_eligible);
    const seg = JSON.parse(fs.readFileSync(path.join(b, 'segment', 'report.json'), 'utf8'));
    const segChats = Object.values(seg.bySource as { [l: string]: { [k: string]: number } }).reduce((t, x) => t + (x.ai_chat ?? 0), 0);
    expect(segChats).toBe(comp.totals.chat_eligible);
    const manifest = JSON.parse(fs.readFileSync(path.join(b, 'shards', 'manifest.json'), 'utf8'));
    for (const l of LOCALES) expect(manifest.counts.sources[l]?.ai_chat ?? 0, l).toBeGreaterThan(0);
    const card = fs.readFileSync(path.join(b, 'shards', 'README.md'), 'utf8');
    expect(card).toMatch(/## Sources/);
    expect(card).toMatch(/ai_chat \(person turns\)/);
    const lines = card.split('\n');
    const head = lines.find((x) => x.startsWith('| locale |') && x.includes('ai_chat (person turns)'))!.split('|').map((c) => c.trim());
    const row = lines.slice(lines.indexOf(lines.find((x) => x.includes('ai_chat (person turns)'))!)).find((x) => x.startsWith('| de-AT |'))!.split('|').map((c) => c.trim());
    expect(row[head.indexOf('ai_chat (person turns)')]).toBe(String(manifest.counts.sources['de-AT'].ai_chat));
    const html = fs.readFileSync(path.join(b, 'report.html'), 'utf8');
    expect(html).toMatch(/Sources per locale/);
  });

  it("the assistant's side, the friends' lines and the planted PII reach no output of the build", () => {
    const b = sampleBuild();
    const needles: string[] = [];
    for (const [k, v] of Object.entries(assistant)) if (k !== '_note' && typeof v === 'object') needles.push(...v.replies.map((r) => r.slice(0, 60)), v.closing.slice(0, 40), v.title);
    const build = fs.readFileSync(path.join(ROOT, 'scripts/sample/build.ts'), 'utf8');
    const friend = [...build.matchAll(/^ {2}[a-z]{2}: '(.+)',$/gm)].map((m) => m[1].replace(/\\'/g, "'"));
    expect(friend.length).toBe(12);
    needles.push(...friend);
    const pii = Object.values(JSON.parse(fs.readFileSync(path.join(SAMPLE, 'chat-pii.json'), 'utf8')) as { [id: string]: string[] }).flat();
    expect(pii.length).toBeGreaterThanOrEqual(10);
    // the person's turns are seen (the search is not blind): a kept chat turn's opening words
    let seenChat = 0;
    const blobs: string[] = [];
    for (const f of walk(b)) {
      if (/\.(parquet|png|sqlite|bin)$/.test(f) || f.includes(`${path.sep}filter${path.sep}ids${path.sep}`)) continue;
      blobs.push(readDecompressed(f).toString('utf8'));
    }
    const all = blobs.join('\n');
    for (const n of needles) expect(all.includes(n), n).toBe(false);
    // PII: in no shard, eval set or report (the filter's docs hold the person's raw turns, as for posts)
    const published = walk(b).filter((f) => /[/\\](shards|eval)[/\\]|report/.test(f) && !/\.(parquet|png|bin)$/.test(f)).map((f) => readDecompressed(f).toString('utf8')).join('\n');
    for (const p of pii) expect(published.includes(p), p).toBe(false);
    const kept = fs.readFileSync(path.join(SAMPLE, 'export', 'chats-2025.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 40);
    for (const l of kept) {
      const m = JSON.parse(l).messages[0];
      if (all.includes(String(m.content ?? m.value).slice(0, 40))) seenChat++;
    }
    expect(seenChat).toBeGreaterThan(5);
  });
});
