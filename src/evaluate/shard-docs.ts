import fs from 'node:fs';
import path from 'node:path';
import { decodeJsonl, type ShardDoc } from '../shards/writer.js';
import { readManifest } from '../shards/manifest.js';
import { InputError } from '../errors.js';

/** The JSONL shards of one split (optionally one locale), in manifest order, each doc with its shard path. */
export function* splitDocs(shardsDir: string, split: string, locale?: string): Generator<ShardDoc & { shard: string }> {
  const m = readManifest(shardsDir);
  const files = m.shards.filter((s) => s.format === 'jsonl' && s.split === split && (!locale || s.locale === locale));
  for (const s of files) {
    const f = path.join(shardsDir, s.path);
    if (!fs.existsSync(f)) throw new InputError(`${f}: listed in the manifest but missing`);
    for (const d of decodeJsonl(fs.readFileSync(f), f)) yield { ...d, shard: s.path };
  }
}
