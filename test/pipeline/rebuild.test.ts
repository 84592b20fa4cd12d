import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { ROOT, cli, killWhen, readDecompressed, record, sampleBuild, snapshot, tmpDir, walk, writeConfig, writeJsonl } from '../helpers.js';

const AT = ['Servus, gemma heit no auf an Kaffee ins Tschecherl ums Eck?', 'Des is a Schmäh, oida, i hob kan Tau.', 'Heast, des Wetter is heit wieder a Wahnsinn, i bleib daham.', 'Mir is so fad, gemma auf a Bier oder an Spritzer?'];
const DE = ['Moin, hat jemand Lust auf einen Kaffee nachher in der Stadt?', 'Das Wetter ist heute echt schlecht, ich bleibe lieber zu Hause.', 'Ich habe gestern einen richtig guten Film gesehen, sehr zu empfehlen.', 'Wer kommt am Wochenende mit zum Fußball ins Stadion?'];

/** Every output of a build as text: files decompressed, Parquet read row by row. */
async function everything(out: string): Promise<string> {
  const blobs: string[] = [];
  for (const f of walk(out)) {
    if (f.endsWith('.parquet')) {
      const buf = fs.readFileSync(f);
      const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
      blobs.push(JSON.stringify(await parquetReadObjects({ file: ab, compressors })));
    } else blobs.push(readDecompressed(f).toString('utf8'));
  }
  return blobs.join('\n');
}

/** Posts of many authors in AT and DE; the objector's AT posts carry a canary and are the only AT posts of their file. */
function fixture(objectorFile: 'shared' | 'own') {
  const d = tmpDir('vern-rebuild-');
  const rows = (country: string, texts: string[], n: number, prefix: string) =>
    Array.from({ length: n }, (_, i) => record({ post_id: `${prefix}-${i}`, user_id: `${prefix}-u${i % 9}`, body: `${texts[i % texts.length]} (${prefix} ${i})`, country_code: country }));
  const objector = Array.from({ length: 6 }, (_, i) => record({ post_id: `obj-${i}`, user_id: 'objector-7', body: `${AT[i % AT.length]} CANARYOBJ${i}`, country_code: 'AT' }));
  const de = rows('DE', DE, 60, 'de');
  const at = rows('AT', AT, 60, 'at');
  if (objectorFile === 'shared') {
    writeJsonl(path.join(d, 'a.jsonl'), [...de, ...objector]);
    writeJsonl(path.join(d, 'b.jsonl'), at);
  } else {
    writeJsonl(path.join(d, 'a.jsonl'), de);
    writeJsonl(path.join(d, 'b.jsonl'), at);
    writeJsonl(path.join(d, 'c.jsonl'), objector);
  }
  fs.writeFileSync(path.join(d, 'objections.csv'), 'user_id,objected_at\nsomeone-else,2025-01-01\n');
  const cfg = (inputs: string[]) =>
    writeConfig(d, {
      inputs: inputs.map((p) => ({ path: p })),
      objections: { paths: ['objections.csv'], id_field: 'user_id' },
      segment: { locales: ['de-AT', 'de-DE'] },
      shards: { formats: ['jsonl', 'parquet'], balance: { strategy: 'uniform', min: 1 } },
      evaluate: { enabled: false },
    });
  return { d, cfg, inputs: objectorFile === 'shared' ? ['a.jsonl', 'b.jsonl'] : ['a.jsonl', 'b.jsonl', 'c.jsonl'] };
}

describe('rebuild into the same folder', () => {
  const workers = '2';
  it('a new objection reaches every stage\'s output (2 workers: ranks and merge passes)', async () => {
      const { d, cfg, inputs } = fixture('shared');
      const out = path.join(d, 'out');
      const first = cli(['run', '-c', cfg(inputs), '-o', out, '--workers', workers]);
      expect(first.status, first.stderr).toBe(0);
      // positive control: the objector's posts were in the build (segment, features, shards)
      const before = await everything(out);
      expect(before).toContain('CANARYOBJ0');
      fs.appendFileSync(path.join(d, 'objections.csv'), 'objector-7,2025-06-01\n');
      const second = cli(['run', '-c', cfg(inputs), '-o', out, '--workers', workers]);
      expect(second.status, second.stderr).toBe(0);
      const after = await everything(out);
      for (let i = 0; i < 6; i++) expect(after, `CANARYOBJ${i}`).not.toContain(`CANARYOBJ${i}`);
      expect(after).toContain('(at 1)'); // the other AT posts are still there
      // and the manifest names the registry the build was made with
      const m = JSON.parse(fs.readFileSync(path.join(out, 'shards', 'manifest.json'), 'utf8'));
      const st = JSON.parse(fs.readFileSync(path.join(out, 'filter', 'stats.json'), 'utf8'));
      expect(m.objections.sha256).toEqual(st.registry.hashes);
      expect(st.registry.authors).toBe(2);
    }, 300_000);

  it('an input dropped from the config leaves nothing of its partition behind, nor .tmp-<pid> files of a killed run', async () => {
    const { d, cfg, inputs } = fixture('own');
    const out = path.join(d, 'out');
    expect(cli(['run', '-c', cfg(inputs), '-o', out, '--workers', '1']).status).toBe(0);
    expect(await everything(out)).toContain('CANARYOBJ1');
    const planted = ['filter/docs/.part-00000.jsonl.zst.tmp-424242', 'segment/docs/de-AT/.part-00001.jsonl.gz.tmp-424242', 'features/docs/de-DE/.part-00000.jsonl.gz.tmp-1', 'signatures/de-AT/.part-00001.bin.tmp-7', 'filter/_done/.part-00000.json.tmp-5'];
    for (const f of planted) fs.writeFileSync(path.join(out, f), 'half-written');
    const r = cli(['run', '-c', cfg(inputs.filter((f) => f !== 'c.jsonl')), '-o', out, '--workers', '1']);
    expect(r.status, r.stderr).toBe(0);
    const after = await everything(out);
    for (let i = 0; i < 6; i++) expect(after).not.toContain(`CANARYOBJ${i}`);
    expect(after).toContain('(de 1)');
    expect(walk(out).filter((f) => /\.tmp-\d+$/.test(f))).toEqual([]);
  }, 300_000);
});

describe('run on a finished build: the evaluate step', () => {
  it('keeps what it wrote when nothing it reads changed, and starts over when one of its outputs was edited', async () => {
    const out = sampleBuild({ copy: true });
    const config = path.join(ROOT, 'corpora', 'sample', 'vernacular.yaml');
    const kept = () => new Map([...snapshot(path.join(out, 'eval')), ...snapshot(path.join(out, 'judge')), ...snapshot(path.join(out, 'baseline'))]);
    const before = kept();
    expect(before.has('_done/run.json')).toBe(true);
    // one worker: the stages skip in this process (no ranks to start), the same as with more
    const r = cli(['run', '-c', config, '-o', out, '--workers', '1']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/evaluate: .*\n  up to date/);
    // the summary still shows the judge and the comparison, read back from what was kept
    expect(r.stdout).toMatch(/Variety judge/);
    expect(r.stdout).toMatch(/vc acc/);
    const after = kept();
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [k, v] of before) expect(after.get(k)!.equals(v), k).toBe(true);
    // an edited suite is not kept: the step drops its stamp and starts over (killed once it has)
    fs.appendFileSync(path.join(out, 'eval', 'suite.yaml'), '# edited\n');
    const stamp = path.join(out, 'eval', '_done', 'run.json');
    expect(await killWhen(['run', '-c', config, '-o', out, '--workers', '1'], () => !fs.existsSync(stamp)), 'the edited suite was kept').toBe(true);
  }, 300_000);
});
