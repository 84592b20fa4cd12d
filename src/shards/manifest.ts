import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { keyedHash } from '../eligibility/keyed-hash.js';
import type { LocalePlan } from './balance.js';
import type { ShardFile } from './writer.js';
import type { ConversationFile } from './conversations.js';

/** What `manifest.json` of a shards folder records: provenance, parameters, counts and every shard file with its hash. */
export interface Manifest {
  tool: { name: string; version: string };
  seed: number;
  config_sha256: string;
  policy_sha256: string;
  objections: { sha256: string[]; as_of: string | null };
  inputs: Array<{ path: string; bytes: number; sha256: string }>;
  params: { dedup: unknown; balance: unknown; splits: unknown; time_granularity: string; formats: string[]; compression: string; shard_docs: number };
  counts: {
    filter: unknown;
    segment: { [locale: string]: number };
    dedup: { [locale: string]: { in: number; duplicates: number } };
    balance: { [locale: string]: LocalePlan };
    splits: { [locale: string]: { [split: string]: number } };
    /** docs written per locale and source (kind): chats as their own source (README, "Chats") */
    sources?: { [locale: string]: { [kind: string]: number } };
    pii: { [type: string]: number };
  };
  dedup_index_bytes_per_doc: number;
  shards: ShardFile[];
  /** conversation shards (shards.conversations), with the assistant's turns masked */
  conversations?: ConversationFile[];
  parent: null | { manifest_sha256: string; path: string };
  revocations?: unknown[];
  /** how author pseudonyms were derived (`authorPseudonym`) and a keyed check value of the key, so revoke can refuse another key */
  pseudonyms?: { id_normalisation: string; case_insensitive: boolean; key_check: string };
}

/** The shards folder of `dir`: `dir` itself when it holds a manifest (a shards folder), else `<dir>/shards` (a build folder). */
export function shardsDirOf(dir: string): string {
  return fs.existsSync(path.join(dir, 'manifest.json')) ? dir : path.join(dir, 'shards');
}

/** Read a build's shard manifest, or fail with an input error naming it. */
export function readManifest(dir: string): Manifest {
  const f = path.join(dir, 'manifest.json');
  if (!fs.existsSync(f)) throw new InputError(`${f}: not found (is ${dir} a shards folder?)`);
  try {
    return JSON.parse(fs.readFileSync(f, 'utf8')) as Manifest;
  } catch (e) {
    throw new InputError(`${f}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

/** What the manifest records about the pseudonyms: the id normalisation and a key check value (a keyed hash of nothing, which reveals nothing of the key). */
export function pseudonymScheme(secret: string, caseInsensitive: boolean): NonNullable<Manifest['pseudonyms']> {
  return { id_normalisation: 'trim+NFC' + (caseInsensitive ? '+casefold' : ''), case_insensitive: caseInsensitive, key_check: keyedHash(secret, 'key-check', '') };
}

/** The balance plan as a terminal table: target vs achieved per locale, and why a locale fell short. */
export function planTable(m: Manifest): string {
  const lines = ['Balance plan (docs)', `  ${'locale'.padEnd(8)}${'available'.padStart(10)}${'dups'.padStart(6)}${'target'.padStart(8)}${'achieved'.padStart(10)}${'train'.padStart(7)}${'valid'.padStart(7)}${'test'.padStart(6)}  note`];
  for (const [l, p] of Object.entries(m.counts.balance)) {
    const s = m.counts.splits[l] ?? {};
    lines.push(
      `  ${l.padEnd(8)}${String(p.available).padStart(10)}${String(m.counts.dedup[l]?.duplicates ?? 0).padStart(6)}${String(p.target).padStart(8)}${String(p.achieved).padStart(10)}${String(s.train ?? 0).padStart(7)}${String(s.validation ?? 0).padStart(7)}${String(s.test ?? 0).padStart(6)}  ${p.shortfall ?? ''}`,
    );
  }
  const pii = Object.entries(m.counts.pii).map(([t, n]) => `${t} ${n}`).join(', ');
  lines.push('', `  PII replaced: ${pii || 'none'}; dedup index ${m.dedup_index_bytes_per_doc} bytes/doc; ${m.shards.length} shard files`);
  return lines.join('\n');
}
