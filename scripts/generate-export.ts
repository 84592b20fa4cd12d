/**
 * Seeded generator of synthetic platform exports of any size, for benchmarks and scale tests.
 *
 *   npx tsx scripts/generate-export.ts --out /tmp/gen --mb 500 [--seed 1] [--files 4] [--gz] [--posts-only]
 *
 * Texts are built from the hand-written sample texts (corpora/sample/texts) when present,
 * recombined and perturbed so that almost no two records are near-duplicates; otherwise from
 * built-in word lists. One row in six is a chat with the assistant (a conversation a row, OpenAI-style
 * messages of 2–6 turns; 2% shared with another person); `--posts-only` makes those rows comments
 * instead (the same random stream, so the same rows otherwise). About 8% of rows are ineligible (every
 * rule), 0.1% malformed. Same seed
 * and size ⇒ byte-identical files. Also writes objections.csv and a vernacular.yaml.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { rng } from '../src/evaluate/metrics.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt?: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const OUT = path.resolve(arg('out', 'bench-out/gen')!);
const MB = Number(arg('mb', '10'));
const SEED = Number(arg('seed', '1'));
const FILES = Number(arg('files', '4'));
const GZ = args.includes('--gz');
const POSTS_ONLY = args.includes('--posts-only');
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const rand = rng(SEED);
const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];

interface Pool { locale: string; country: string; words: string[]; sentences: string[] }

/** The assistant's side of the chats (corpora/sample/texts/assistant.json), by language. */
const ASSISTANT: { [lang: string]: { replies: string[] } | undefined } = (() => {
  const f = path.join(ROOT, 'corpora', 'sample', 'texts', 'assistant.json');
  return fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : {};
})();

function loadPools(): Pool[] {
  const dir = path.join(ROOT, 'corpora', 'sample', 'texts');
  const pools: Pool[] = [];
  if (fs.existsSync(dir)) {
    for (const f of fs.readdirSync(dir).filter((f) => /^[a-z]{2}-[A-Z]{2}\.jsonl$/.test(f)).sort()) {
      const locale = f.replace('.jsonl', '');
      const texts = fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).text as string);
      const sentences = texts.flatMap((t) => t.split(/(?<=[.!?])\s+/)).filter((s) => s.length > 8);
      const words = [...new Set(texts.join(' ').split(/\s+/).filter((w) => w.length > 1))];
      if (sentences.length > 20) pools.push({ locale, country: locale.split('-')[1], words, sentences });
    }
  }
  if (!pools.length) {
    const w = 'the a and of to in is it that for on with as was at by this be from or have an are not but what all were when we there can your which their said if do will each about how up out them then she many some so these would other into has more her two like him see time could no make than first been its who now people my made over did down only way find use may water long little very after words called just where most know'.split(' ');
    pools.push({ locale: 'en-IE', country: 'IE', words: w, sentences: [] });
  }
  return pools;
}

const EU = ['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE'];
const EMOJI = ['😂', '🙈', '👍', '🔥', '😅', '❤️', '🙄', '😎', '🤣', '👀', ''];

function text(p: Pool): string {
  const parts: string[] = [];
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) {
    if (p.sentences.length && rand() < 0.7) {
      // a real sentence with a word or two swapped, so records are not near-duplicates
      const s = pick(p.sentences).split(' ');
      for (let k = 0; k < 2; k++) s[Math.floor(rand() * s.length)] = pick(p.words);
      parts.push(s.join(' '));
    } else {
      const len = 4 + Math.floor(rand() * 14);
      parts.push(Array.from({ length: len }, () => pick(p.words)).join(' '));
    }
  }
  return parts.join(' ') + ' ' + pick(EMOJI);
}

function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const pools = loadPools();
  const target = MB * 1e6;
  const perFile = target / FILES;
  const objectors: string[] = [];
  let written = 0;
  let id = 0;
  for (let f = 0; f < FILES; f++) {
    const name = path.join(OUT, `export-${String(f).padStart(3, '0')}.jsonl${GZ ? '.gz' : ''}`);
    const chunks: string[] = [];
    let bytes = 0;
    let size = 0;
    const fd = fs.openSync(GZ ? name + '.tmp' : name, 'w');
    const flush = () => {
      const s = chunks.join('');
      chunks.length = 0;
      fs.writeSync(fd, s);
      size = 0;
    };
    while (bytes < perFile) {
      const p = pick(pools);
      const author = `u${Math.floor(rand() * 2_000_000)}`;
      const r = rand();
      const birthYear = r < 0.02 ? 2010 : 1950 + Math.floor(rand() * 55);
      const row: { [k: string]: unknown } = {
        post_id: `g${SEED}_${(id++).toString(36)}`,
        user_id: author,
        body: text(p),
        created: new Date(Date.UTC(2024, 6, 1) + Math.floor(rand() * 680 * 86_400_000)).toISOString(),
        country_code: rand() < 0.02 ? pick(['US', 'GB', 'CH', 'BR']) : p.country && EU.includes(p.country) ? p.country : pick(EU),
        audience: rand() < 0.03 ? pick(['friends', 'private']) : 'public',
        type: rand() < 0.01 ? 'dm' : pick(['post', 'post', 'post', 'comment', 'comment', POSTS_ONLY ? 'comment' : 'ai_chat']),
        user_birth_date: `${birthYear}-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`,
        is_deleted: rand() < 0.01,
        client: pick(['android', 'ios', 'web']),
      };
      // a chat with the platform's assistant: one conversation a row (OpenAI-style messages), the
      // person's turns regional text, the assistant's a standard-language reply (README, "Chats")
      if (row.type === 'ai_chat') {
        const reply = ASSISTANT[(p.locale.split('-')[0])] ?? ASSISTANT.en;
        const t0 = Date.parse(row.created as string);
        const messages: Array<{ [k: string]: unknown }> = [];
        const turns = 1 + Math.floor(rand() * 3);
        for (let k = 0; k < turns; k++) {
          messages.push({ role: 'user', content: k === 0 ? row.body : text(p), created: new Date(t0 + k * 120_000).toISOString() });
          messages.push({ role: 'assistant', content: reply ? pick(reply.replies) : 'Here is a short answer.', created: new Date(t0 + k * 120_000 + 9_000).toISOString() });
        }
        // a few shared chats: another person's turn makes the conversation a private message
        if (rand() < 0.02) messages.splice(2, 0, { role: 'user', content: text(p), user_id: `u${Math.floor(rand() * 2_000_000)}`, created: new Date(t0 + 60_000).toISOString() });
        delete row.body;
        delete row.audience;
        row.messages = messages;
      }
      if (rand() < 0.0005) objectors.push(author);
      let line = JSON.stringify(row);
      if (rand() < 0.001) line = line.slice(0, Math.floor(line.length / 2)); // malformed
      line += '\n';
      chunks.push(line);
      const b = Buffer.byteLength(line);
      bytes += b;
      size += b;
      if (size > 4e6) flush();
    }
    flush();
    fs.closeSync(fd);
    if (GZ) {
      fs.writeFileSync(name, zlib.gzipSync(fs.readFileSync(name + '.tmp'), { level: 1 }));
      fs.rmSync(name + '.tmp');
    }
    written += bytes;
  }
  fs.writeFileSync(path.join(OUT, 'objections.csv'), 'author_id,objected_at\n' + [...new Set(objectors)].sort().map((a) => `${a},2025-06-01T00:00:00Z`).join('\n') + '\n');
  fs.writeFileSync(
    path.join(OUT, 'vernacular.yaml'),
    [
      'extends: eu-public-adult',
      'name: generated',
      `seed: ${SEED}`,
      'inputs:',
      `  - path: "export-*.jsonl${GZ ? '.gz' : ''}"`,
      `fields: {id: post_id, author_id: user_id, text: body, created_at: created, country: country_code, visibility: audience, kind: type, author_birth_date: user_birth_date, deleted: is_deleted${POSTS_ONLY ? '' : ', messages: messages'}}`,
      ...(POSTS_ONLY ? [] : ['policy: {chats: {notice_date: 2024-06-01}}']),
      'objections: {paths: [objections.csv]}',
      '',
    ].join('\n'),
  );
  console.log(`generated ${(written / 1e6).toFixed(1)} MB, ${id} records in ${FILES} files under ${OUT}`);
}

main();
