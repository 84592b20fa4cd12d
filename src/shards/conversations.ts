import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import type { StageContext } from '../pipeline/stage.js';
import { InputError } from '../errors.js';
import { keyedHash } from '../eligibility/keyed-hash.js';
import { scrubPii } from './pii.js';
import { sha256, type ShardFile } from './writer.js';

/** One conversation shard file, as the manifest lists it. */
export interface ConversationFile {
  path: string;
  split: string;
  conversations: number;
  turns: number;
  bytes: number;
  sha256: string;
}

interface TurnRef {
  c: string;
  t: number;
  n: number;
  role: string;
  doc?: string;
  text?: string;
}

/**
 * Conversation shards for instruction tuning (shards.conversations; README, "Chats"): every
 * conversation with at least one of the person's turns in the shards, its turns in order, each
 * `{role, text, train}`. The person's turns are the shard docs' texts (PII-scrubbed with the chat
 * scrubber, `train: true`); assistant, system and tool turns are present as context and masked
 * (`train: false`), scrubbed too (an answer may repeat what the person said). A person turn that is
 * not in the shards (excluded, a duplicate, balanced out) is left out with the turns that answer it,
 * up to the next person turn that is in. One file per split (`conversations/<split>.jsonl.gz`),
 * conversations sorted by their keyed id. Memory: the chat docs of the shards and the chat turns of
 * the filter's conversations files (stated in the README).
 */
export function writeConversationShards(ctx: StageContext, staging: string, shardParts: string, files: ShardFile[]): ConversationFile[] {
  // the person's turns in the shards: keyed doc id → text, split, locale (first copy only)
  const docs = new Map<string, { text: string; split: string; locale: string }>();
  const jsonl = files.filter((f) => f.format === 'jsonl');
  if (!jsonl.length) throw new InputError('shards.conversations needs jsonl among shards.formats (the conversation shards are read from the JSONL shards)');
  for (const f of jsonl) {
    const raw = readText(path.join(shardParts, f.path));
    for (const line of raw.split('\n')) {
      if (!line) continue;
      const r = JSON.parse(line) as { id: string; text: string; split: string; locale: string; kind: string };
      if (!r.id.includes('~') && !docs.has(r.id)) docs.set(r.id, { text: r.text, split: r.split, locale: r.locale });
    }
  }
  const byConv = new Map<string, TurnRef[]>();
  const dir = path.join(ctx.out, 'filter', 'conversations');
  const inputs = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^part-\d+\.jsonl(\.gz|\.zst)?$/.test(f)).sort() : [];
  if (!inputs.length) throw new InputError(`${dir}: no conversations files; run filter again with shards.conversations: true`);
  return writeFrom(ctx, staging, inputs.map((f) => path.join(dir, f)), docs, byConv);
}

/** A file's text, decompressed (gzip, or zstd with fzstd: no native build needed). */
function readText(f: string): string {
  const b = fs.readFileSync(f);
  return (f.endsWith('.gz') ? zlib.gunzipSync(b) : f.endsWith('.zst') ? Buffer.from(zstdDecompress(b)) : b).toString('utf8');
}

function writeFrom(ctx: StageContext, staging: string, inputs: string[], docs: Map<string, { text: string; split: string; locale: string }>, byConv: Map<string, TurnRef[]>): ConversationFile[] {
  for (const f of inputs) {
    const text = readText(f);
    for (const line of text.split('\n')) {
      if (!line) continue;
      const t = JSON.parse(line) as TurnRef;
      (byConv.get(t.c) ?? byConv.set(t.c, []).get(t.c)!).push(t);
    }
  }
  const bySplit = new Map<string, Array<{ id: string; line: string; turns: number }>>();
  for (const [c, turns] of byConv) {
    turns.sort((a, b) => (a.t === b.t || (Number.isNaN(a.t) && Number.isNaN(b.t)) ? a.n - b.n : Number.isNaN(a.t) ? 1 : Number.isNaN(b.t) ? -1 : a.t - b.t));
    const out: Array<{ role: string; text: string; train: boolean }> = [];
    let pending: Array<{ role: string; text: string; train: boolean }> = [];
    let open = false; // the last person turn is in
    let person = false; // a person turn has been seen
    let split = '';
    let locale = '';
    for (const t of turns) {
      if (t.role === 'user') {
        person = true;
        const d = t.doc === undefined ? undefined : docs.get(keyedHash(ctx.secret, 'doc', t.doc));
        open = d !== undefined;
        if (!d) {
          pending = [];
          continue;
        }
        split ||= d.split;
        locale ||= d.locale;
        out.push(...pending, { role: 'user', text: d.text, train: true });
        pending = [];
        continue;
      }
      if (t.text === undefined) {
        open = false; // an answer we may not show: what follows waits for the next person turn
        pending = [];
        continue;
      }
      const turn = { role: t.role || 'assistant', text: scrubPii(t.text, undefined, 'chat').text, train: false };
      if (open) out.push(turn);
      else if (!person) pending.push(turn); // a system prompt before the first person turn: shown if that turn is in
    }
    if (!out.some((x) => x.train)) continue;
    const id = keyedHash(ctx.secret, 'conversation', c);
    const list = bySplit.get(split) ?? bySplit.set(split, []).get(split)!;
    list.push({ id, line: JSON.stringify({ id, locale, split, turns: out }), turns: out.length });
  }
  const files: ConversationFile[] = [];
  for (const split of [...bySplit.keys()].sort()) {
    const list = bySplit.get(split)!.sort((a, b) => (a.id < b.id ? -1 : 1));
    const body = zlib.gzipSync(Buffer.from(list.map((x) => x.line).join('\n') + '\n'), { level: 6 });
    // a fixed gzip header (no mtime, OS byte 255): byte-identical on every run
    body[4] = body[5] = body[6] = body[7] = 0;
    body[9] = 255;
    const rel = `conversations/${split}.jsonl.gz`;
    fs.mkdirSync(path.join(staging, 'conversations'), { recursive: true });
    fs.writeFileSync(path.join(staging, rel), body);
    files.push({ path: rel, split, conversations: list.length, turns: list.reduce((t, x) => t + x.turns, 0), bytes: body.length, sha256: sha256(body) });
  }
  return files;
}
