import { describe, expect, it } from 'vitest';
import { parquetReadObjects, parquetMetadata } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { encodeParquet, type ShardDoc } from '../../src/shards/writer.js';
import { loadZstd } from '../../src/io/zstd.js';
import { prng } from '../helpers.js';

/** Random shard docs: texts in several scripts, 0–6 features, category sometimes absent. */
function docs(seed: number, n: number): ShardDoc[] {
  const rnd = prng(seed);
  const int = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));
  const words = ['Servus', 'oida', 'γεια', 'ħafna', 'grand', 'ça', 'goeiemorgen', '🙂', 'z"q\\x', ''];
  return Array.from({ length: n }, (_, i) => ({
    id: `d${i}`,
    text: Array.from({ length: int(0, 12) }, () => words[int(0, words.length - 1)]).join(' '),
    locale: ['de-AT', 'el-CY', 'mt-MT'][int(0, 2)],
    lang: 'de',
    author: `a${int(0, 9)}`,
    time: '2025-03',
    kind: 'post',
    split: 'train',
    features: Array.from({ length: int(0, 6) }, () => {
      const a = int(0, 200);
      const f: ShardDoc['features'][number] = { feature: `de-AT:${words[int(0, 8)]}`, span: [a, a + int(1, 30)], confidence: Math.round(rnd() * 1000) / 1000 };
      if (rnd() < 0.7) f.category = ['lexical', 'spelling', 'slang'][int(0, 2)];
      return f;
    }),
  }));
}

describe('Parquet shards', () => {
  const codecs: Array<'gz' | 'zst'> = loadZstd() ? ['gz', 'zst'] : ['gz'];
  for (const c of codecs)
    it(`hold features as a list of structs, equal to the JSONL rows (${c})`, async () => {
      for (const seed of [1, 2, 3, 4, 5]) {
        const rows = docs(seed, 400);
        const buf = encodeParquet(rows, c);
        const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
        const schema = parquetMetadata(ab).schema.map((s) => s.name);
        expect(schema).toContain('confidence');
        const back = (await parquetReadObjects({ file: ab, compressors })) as unknown as ShardDoc[];
        const jsonl = rows.map((r) => JSON.parse(JSON.stringify({ ...r, features: r.features.map((f) => ({ ...f, category: f.category ?? null })) })));
        expect(back).toEqual(jsonl);
      }
    });
});
