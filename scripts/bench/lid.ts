/**
 * Language-ID benchmark on lingua-rs's test data (web text, never trained on) for the 23 EU
 * official languages it covers, read from ../shared/data/lid-lingua. Only lines 1–500 of each
 * file are reported: lines 501–1000 are the dev half the cascade's ensemble weights were chosen
 * on (scripts/bench/lid-tune.ts), so they are left out here.
 *
 *   npx tsx scripts/bench/lid.ts [--per-lang 500] [--no-udhr]
 *
 * Prints in one run: per bucket (single words / word pairs / sentences) accuracy (`und` counted
 * wrong, as lingua counts "unknown") and abstention, with and without the language's typical
 * country, for the cascade and every peer present in node_modules (eld, franc-all, cld when built);
 * lingua's published figures on the same files; speed as a ratio to the fastest; the
 * second-country rows (sv-FI, fr-BE, en-MT, nl-BE, de-AT, el-CY); the cascade's confidence
 * calibration (coverage and accuracy where answered per threshold); the ten worst confusions.
 * UDHR snippets follow as a sanity check only: franc's trigram models are built from the UDHR,
 * so that figure is training-contaminated. Last, posts in scripts no modelled language uses
 * (Arabic, Hebrew, the Indic scripts, Chinese, …), answered from eld's table: UDHR snippets of
 * those languages (eld is not trained on the UDHR), accuracy and calibration per length.
 */
import { BUCKETS, LINGUA_DIR, LINGUA_LANGS, SECOND_COUNTRY, TEST_LINES, linguaItems, linguaPresent, publishedAccuracy, type Bucket, type LinguaItem } from './lingua-data.js';
import { snippets, snippetsOf, EU24, OTHER_SCRIPT_UDHR } from './udhr-snippets.js';
import { Cascade } from '../../src/segment/cascade.js';
import { FrancBackend } from '../../src/segment/backends/franc.js';
import { CldBackend, loadCld } from '../../src/segment/backends/cld.js';
import { EldBackend } from '../../src/segment/backends/eld.js';

const args = process.argv.slice(2);
const perLang = args.includes('--per-lang') ? Number(args[args.indexOf('--per-lang') + 1]) : TEST_LINES;
if (!(perLang >= 1 && perLang <= TEST_LINES)) {
  console.error(`lid bench: --per-lang must be 1–${TEST_LINES} (lines ${TEST_LINES + 1}–1000 are the dev half the weights were chosen on)`);
  process.exit(2);
}
const EU = Object.keys(EU24);

interface Runner {
  name: string;
  /** answer and confidence for one item; `country` undefined = no country */
  detect: (text: string, country?: string) => { code: string; score: number };
}

interface Tally {
  n: number;
  ok: number;
  und: number;
  secs: number;
  bytes: number;
  answers: Array<{ truth: string; code: string; score: number }>;
}

const pct = (a: number, b: number) => (b ? ((100 * a) / b).toFixed(1) : '-');

function run(r: Runner, items: LinguaItem[], country: (it: LinguaItem) => string | undefined): Tally {
  const t: Tally = { n: items.length, ok: 0, und: 0, secs: 0, bytes: 0, answers: [] };
  for (const it of items.slice(0, 200)) r.detect(it.text, country(it)); // warm-up
  const start = process.hrtime.bigint();
  const res = items.map((it) => r.detect(it.text, country(it)));
  t.secs = Number(process.hrtime.bigint() - start) / 1e9;
  items.forEach((it, i) => {
    t.bytes += Buffer.byteLength(it.text);
    const a = res[i];
    if (a.code === 'und') t.und++;
    else if (a.code === it.lang) t.ok++;
    t.answers.push({ truth: it.lang, code: a.code, score: a.score });
  });
  return t;
}

async function main() {
  if (!linguaPresent()) {
    console.error(`lid bench: lingua's test data not found at ${LINGUA_DIR} (expected <lang>/{single-words,word-pairs,sentences}.txt)`);
    process.exit(3);
  }
  const cascade = new Cascade({ languages: EU });
  const cascadeAll = new Cascade();
  const runners: Runner[] = [
    { name: 'cascade (EU-24)', detect: (t, c) => cascade.detect(t, c) },
    { name: `cascade (${cascadeAll.languages.length} langs)`, detect: (t, c) => cascadeAll.detect(t, c) },
  ];
  const restrict = (c?: string) => (c ? cascade.plausibleFor(c) : EU);
  const peer = (name: string, b: { detect(t: string, cand?: readonly string[]): Array<{ lang: string; score: number }> }): Runner => ({
    name,
    detect: (t, c) => {
      const g = b.detect(t, restrict(c))[0];
      return g ? { code: g.lang, score: g.score } : { code: 'und', score: 0 };
    },
  });
  try {
    runners.push(peer('eld 2.1 medium', await EldBackend.create()));
  } catch {
    /* eld absent */
  }
  runners.push(peer('franc-all', new FrancBackend(EU)));
  if (loadCld()) runners.push(peer('cld2 best effort', new CldBackend()));

  const data: { [b in Bucket]: LinguaItem[] } = { 'single-words': [], 'word-pairs': [], sentences: [] };
  for (const b of BUCKETS) data[b] = linguaItems(b, perLang);
  const res = new Map<string, Tally>();
  for (const r of runners) {
    for (const withCountry of [false, true]) {
      for (const b of BUCKETS) res.set(`${r.name}|${withCountry}|${b}`, run(r, data[b], (it) => (withCountry ? it.country : undefined)));
    }
  }

  console.log(`\nLanguage ID on lingua's test data (${LINGUA_DIR}), 23 EU languages, lines 1–${perLang} per language and bucket (501–1000: dev half, not reported), Node ${process.version}`);
  console.log('acc = correct / all (und counted wrong); und = abstained; answered = accuracy where an answer was given\n');
  console.log('| detector | country | single words acc (und) | word pairs acc (und) | sentences acc (und) | answered w / p / s |');
  console.log('|---|---|--:|--:|--:|--:|');
  for (const r of runners) {
    for (const withCountry of [false, true]) {
      const cells = BUCKETS.map((b) => res.get(`${r.name}|${withCountry}|${b}`)!);
      console.log(
        `| ${r.name} | ${withCountry ? 'typical' : 'none'} | ` +
          cells.map((t) => `${pct(t.ok, t.n)} (${pct(t.und, t.n)})`).join(' | ') +
          ` | ${cells.map((t) => pct(t.ok, t.n - t.und)).join(' / ')} |`,
      );
    }
  }
  for (const [label, col] of [['lingua high accuracy, published (75 candidates)', 'lingua-high-accuracy'], ['lingua low accuracy, published', 'lingua-low-accuracy'], ['CLD2, published by lingua', 'cld2'], ['whatlang, published by lingua', 'whatlang']] as const) {
    const p = publishedAccuracy(col);
    if (Object.keys(p).length) console.log(`| ${label} | none | ${BUCKETS.map((b) => (p[b] === undefined ? '-' : p[b]!.toFixed(1))).join(' | ')} | |`);
  }

  // speed: all buckets, no country, relative to the fastest
  const speed = runners.map((r) => {
    const ts = BUCKETS.map((b) => res.get(`${r.name}|false|${b}`)!);
    const bytes = ts.reduce((s, t) => s + t.bytes, 0);
    const secs = ts.reduce((s, t) => s + t.secs, 0);
    return { name: r.name, mbs: bytes / 1e6 / secs, perItem: (1e6 * secs) / ts.reduce((s, t) => s + t.n, 0) };
  });
  const fastest = Math.max(...speed.map((s) => s.mbs));
  console.log('\nSpeed (all three buckets, no country, one thread, one timed pass after a warm-up)\n');
  console.log('| detector | MB/s | µs per text | × fastest |');
  console.log('|---|--:|--:|--:|');
  for (const s of speed) console.log(`| ${s.name} | ${s.mbs.toFixed(2)} | ${s.perItem.toFixed(1)} | ${(s.mbs / fastest).toFixed(2)} |`);

  // second-country rows: the cascade with the typical country vs the second country
  console.log('\nSecond-country rows, cascade (EU-24): accuracy (und) with the typical country → with the second country\n');
  console.log('| language | typical | second | single words | word pairs | sentences |');
  console.log('|---|---|---|--:|--:|--:|');
  for (const [bcp47, cc] of SECOND_COUNTRY) {
    const l = LINGUA_LANGS[bcp47];
    const cells = BUCKETS.map((b) => {
      const items = data[b].filter((it) => it.bcp47 === bcp47);
      const a = run(runners[0], items, (it) => it.country);
      const s = run(runners[0], items, () => cc);
      return `${pct(a.ok, a.n)} (${pct(a.und, a.n)}) → ${pct(s.ok, s.n)} (${pct(s.und, s.n)})`;
    });
    console.log(`| ${bcp47} | ${l.country} | ${cc} | ${cells.join(' | ')} |`);
  }

  // calibration: coverage and accuracy where answered, if the user abstains below a threshold
  console.log('\nConfidence of the cascade (EU-24, no country): coverage / accuracy where answered, per minimum confidence\n');
  const ths = [0, 0.3, 0.5, 0.7, 0.9];
  console.log(`| bucket | ${ths.map((t) => `≥ ${t}`).join(' | ')} |`);
  console.log(`|---|${ths.map(() => '--:').join('|')}|`);
  for (const b of BUCKETS) {
    const ans = res.get(`${runners[0].name}|false|${b}`)!.answers;
    const cells = ths.map((th) => {
      const kept = ans.filter((a) => a.code !== 'und' && a.score >= th);
      return `${pct(kept.length, ans.length)} / ${pct(kept.filter((a) => a.code === a.truth).length, kept.length)}`;
    });
    console.log(`| ${b} | ${cells.join(' | ')} |`);
  }
  // mean stated confidence vs observed accuracy, in bins (is the confidence calibrated?)
  const all = BUCKETS.flatMap((b) => res.get(`${runners[0].name}|false|${b}`)!.answers).filter((a) => a.code !== 'und');
  const bins = [0, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0001];
  console.log('\n| stated confidence | answers | mean stated | observed accuracy |');
  console.log('|---|--:|--:|--:|');
  for (let i = 0; i < bins.length - 1; i++) {
    const inBin = all.filter((a) => a.score >= bins[i] && a.score < bins[i + 1]);
    if (!inBin.length) continue;
    const mean = inBin.reduce((s, a) => s + a.score, 0) / inBin.length;
    console.log(`| ${bins[i].toFixed(1)}–${Math.min(1, bins[i + 1]).toFixed(1)} | ${inBin.length} | ${mean.toFixed(2)} | ${pct(inBin.filter((a) => a.code === a.truth).length, inBin.length)} |`);
  }
  // expected calibration error over ten equal-width bins: Σ |stated − observed| weighted by answers
  let gap = 0;
  for (let i = 0; i < 10; i++) {
    const inBin = all.filter((a) => Math.min(9, Math.floor(a.score * 10)) === i);
    gap += Math.abs(inBin.reduce((s, a) => s + a.score - (a.code === a.truth ? 1 : 0), 0));
  }
  console.log(`\nExpected calibration error (ten bins, answered texts, no country): ${pct(gap, all.length)}%`);

  // worst confusions, all buckets
  for (const withCountry of [false, true]) {
    const conf = new Map<string, number>();
    for (const b of BUCKETS) {
      for (const a of res.get(`${runners[0].name}|${withCountry}|${b}`)!.answers) if (a.code !== a.truth) conf.set(`${a.truth}→${a.code}`, (conf.get(`${a.truth}→${a.code}`) ?? 0) + 1);
    }
    const top = [...conf].sort((x, y) => y[1] - x[1]).slice(0, 10);
    console.log(`\nTen worst confusions, cascade (EU-24), ${withCountry ? 'typical country' : 'no country'}, all buckets (of ${perLang * 3} per language): ${top.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  }

  // Greek answers on non-Greek text (the Greeklish rule's false positives show up here)
  for (const withCountry of [false, true]) {
    const cells = BUCKETS.map((b) => {
      const ans = res.get(`${runners[0].name}|${withCountry}|${b}`)!.answers.filter((a) => a.truth !== 'ell');
      return `${b} ${ans.filter((a) => a.code === 'ell').length} of ${ans.length}`;
    });
    console.log(`\nGreek (incl. Greeklish) answers on non-Greek text, cascade (EU-24), ${withCountry ? 'typical country' : 'no country'}: ${cells.join(', ')}`);
  }

  if (!args.includes('--no-udhr')) {
    const sn = snippets(20, 60, 100);
    let ok = 0;
    for (const s of sn) if (cascade.detect(s.text, s.country).code === s.lang) ok++;
    console.log(`\nSanity check, TRAINING-CONTAMINATED (franc's trigram models are built from the UDHR): cascade on 20–60-char UDHR snippets with the country, ${sn.length} snippets: ${pct(ok, sn.length)}%`);
  }

  // posts in scripts no modelled language uses: answered from eld's table (not trained on the UDHR)
  console.log(`\nOther scripts (OTHER_SCRIPT_LANGUAGES, answered from eld's table, which is not trained on the UDHR): cascade (31 languages), no country, UDHR snippets of ${Object.keys(OTHER_SCRIPT_UDHR).length} languages, 100 per language and length`);
  console.log('\n| snippet length | snippets | accuracy | ECE | worst confusions |\n|---|--:|--:|--:|---|');
  for (const [min, max] of [[10, 30], [20, 60], [60, 150]]) {
    const sn = snippetsOf(OTHER_SCRIPT_UDHR, min, max, 100);
    let ok = 0;
    const conf = new Map<string, number>();
    const bins = Array.from({ length: 10 }, () => ({ stated: 0, right: 0 }));
    for (const x of sn) {
      const r = cascadeAll.detect(x.text);
      const bin = bins[Math.min(9, Math.floor(r.score * 10))];
      bin.stated += r.score;
      if (r.code === x.lang) (ok++, bin.right++);
      else conf.set(`${x.lang}→${r.code}`, (conf.get(`${x.lang}→${r.code}`) ?? 0) + 1);
    }
    const ece = bins.reduce((e, b) => e + Math.abs(b.stated - b.right), 0) / sn.length;
    const worst = [...conf].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(`| ${min}–${max} chars | ${sn.length} | ${pct(ok, sn.length)} | ${(100 * ece).toFixed(1)}% | ${worst || 'none'} |`);
  }
}

main();
