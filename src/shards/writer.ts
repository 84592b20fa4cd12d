import path from 'node:path';
import zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { writeFileAtomic } from '../io/atomic.js';
import { partName } from '../pipeline/stage.js';
import { loadZstd } from '../io/zstd.js';

/** One document as it leaves in a shard: nothing about the author but a keyed pseudonym. */
export interface ShardDoc {
  id: string;
  text: string;
  locale: string;
  lang: string;
  author: string;
  time: string;
  kind: string;
  split: string;
  features: Array<{ feature: string; category?: string; span: [number, number]; confidence: number }>;
}

/** A written shard file, as the manifest lists it. */
export interface ShardFile {
  path: string;
  format: 'jsonl' | 'parquet';
  split: string;
  locale: string;
  docs: number;
  bytes: number;
  sha256: string;
}

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * Writes the shards of one (split, locale): every `shardDocs` docs make one file per format,
 * named part-NNNNN (or `<prefix>-NNNNN`) in write order, so the same docs in the same order give
 * the same bytes.
 */
export class ShardSet {
  private rows: ShardDoc[] = [];
  private bytes = 0;
  private next = 0;
  readonly files: ShardFile[] = [];

  constructor(
    private readonly root: string,
    readonly split: string,
    readonly locale: string,
    private readonly o: { formats: readonly ('jsonl' | 'parquet')[]; compression: 'gz' | 'zst'; shardDocs: number; prefix?: string },
  ) {}

  /** A shard closes at `shardDocs` docs or ~8 MB of text, whichever comes first (bounded memory per set). */
  add(doc: ShardDoc): void {
    this.rows.push(doc);
    this.bytes += doc.text.length * 2 + 64 * doc.features.length + 200;
    if (this.rows.length >= this.o.shardDocs || this.bytes >= 8 << 20) this.flush();
  }

  flush(): void {
    if (!this.rows.length) return;
    const name = this.o.prefix ? `${this.o.prefix}-${String(this.next++).padStart(5, '0')}` : partName(this.next++);
    for (const f of this.o.formats) {
      const rel = f === 'jsonl' ? path.posix.join('data', this.split, this.locale, `${name}.jsonl.${this.o.compression}`) : path.posix.join('parquet', this.split, this.locale, `${name}.parquet`);
      const bytes = f === 'jsonl' ? encodeJsonl(this.rows, this.o.compression) : encodeParquet(this.rows, this.o.compression);
      writeFileAtomic(path.join(this.root, rel), bytes);
      this.files.push({ path: rel, format: f, split: this.split, locale: this.locale, docs: this.rows.length, bytes: bytes.length, sha256: sha256(bytes) });
    }
    this.rows = [];
    this.bytes = 0;
  }
}

export function encodeJsonl(rows: ShardDoc[], compression: 'gz' | 'zst'): Buffer {
  const raw = Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  if (compression === 'zst') return loadZstd()!.compress(raw, { compressionLevel: 6 });
  return zlib.gzipSync(raw, { level: 6 });
}

export function decodeJsonl(buf: Buffer, file: string): ShardDoc[] {
  const raw = file.endsWith('.zst') ? loadZstd()!.decompress(buf) : zlib.gunzipSync(buf);
  return raw.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ShardDoc);
}

const STRING_COLUMNS = ['id', 'text', 'locale', 'lang', 'author', 'time', 'kind', 'split'] as const;

/**
 * The Parquet schema of a shard: the string columns, and `features` as a list of structs — the
 * same shape as in the JSONL shards (and as the dataset card declares), not a JSON string.
 */
const PARQUET_SCHEMA = [
  { name: 'root', num_children: STRING_COLUMNS.length + 1 },
  ...STRING_COLUMNS.map((name) => ({ name, type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const, repetition_type: 'REQUIRED' as const })),
  { name: 'features', repetition_type: 'REQUIRED' as const, converted_type: 'LIST' as const, num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED' as const, num_children: 1 },
  { name: 'element', repetition_type: 'REQUIRED' as const, num_children: 4 },
  { name: 'feature', type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const, repetition_type: 'REQUIRED' as const },
  { name: 'category', type: 'BYTE_ARRAY' as const, converted_type: 'UTF8' as const, repetition_type: 'OPTIONAL' as const },
  { name: 'span', repetition_type: 'REQUIRED' as const, converted_type: 'LIST' as const, num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED' as const, num_children: 1 },
  { name: 'element', type: 'INT32' as const, repetition_type: 'REQUIRED' as const },
  { name: 'confidence', type: 'DOUBLE' as const, repetition_type: 'REQUIRED' as const },
];

export function encodeParquet(rows: ShardDoc[], compression: 'gz' | 'zst'): Buffer {
  const z = compression === 'zst' ? loadZstd() : null;
  const ab = parquetWriteBuffer({
    columnData: [
      ...STRING_COLUMNS.map((name) => ({ name, data: rows.map((r) => String(r[name])) })),
      { name: 'features', data: rows.map((r) => r.features.map((f) => ({ feature: f.feature, category: f.category ?? null, span: [f.span[0], f.span[1]], confidence: f.confidence }))) },
    ],
    schema: PARQUET_SCHEMA,
    codec: z ? 'ZSTD' : 'GZIP',
    compressors: z ? { ZSTD: (b: Uint8Array) => new Uint8Array(z.compress(b, { compressionLevel: 6 })) } : { GZIP: (b: Uint8Array) => new Uint8Array(zlib.gzipSync(b, { level: 6 })) },
    rowGroupSize: 10_000,
    createdBy: 'vernacular',
  });
  return Buffer.from(ab);
}

export { rmrf } from '../io/atomic.js';
