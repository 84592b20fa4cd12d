import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

const SRC = path.resolve(import.meta.dirname, '../src');

/** Every value the CLI imports from the library (src/ outside src/cli/), by its exported name, with the importing file. */
function cliImports(): Array<{ name: string; file: string }> {
  const out: Array<{ name: string; file: string }> = [];
  const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.ts') ? [path.join(d, e.name)] : []));
  for (const file of walk(path.join(SRC, 'cli'))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|const)\s*(?:type\s*)?\{([^}]*)\}\s*(?:from\s*|=\s*await import\()'([^']+)'/g)) {
      if (m[0].startsWith('import type')) continue;
      const target = path.resolve(path.dirname(file), m[2]);
      if (!target.startsWith(SRC + path.sep) || target.startsWith(path.join(SRC, 'cli') + path.sep)) continue;
      for (const part of m[1].split(',').map((x) => x.trim()).filter(Boolean)) {
        if (part.startsWith('type ')) continue;
        out.push({ name: part.split(/\s+as\s+|\s*:\s*/)[0], file: path.relative(SRC, file) });
      }
    }
  }
  return out;
}

describe('public API', () => {
  it('exports exactly the documented names', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "CachedModel",
        "Cascade",
        "CharNgram",
        "ConfigError",
        "DEFAULT_DEDUP",
        "DEFAULT_LANGUAGES",
        "DedupIndex",
        "ELIGIBILITY_RULES",
        "ExitCode",
        "ExtractorRegistry",
        "FeatureExtractor",
        "GateFailed",
        "InputError",
        "LanguageJudge",
        "LexiconMatcher",
        "NgramModel",
        "OpenAIModel",
        "ReviewStore",
        "UsageError",
        "VernacularError",
        "ageOn",
        "agreementReport",
        "applyRules",
        "assertUseful",
        "assignLocale",
        "buildContext",
        "buildEvalSets",
        "buildReportHtml",
        "classification",
        "configSchema",
        "coverageMarkdown",
        "discover",
        "discoverCsv",
        "evalRunMany",
        "exclusionReason",
        "expandInputs",
        "exportLmEval",
        "findPii",
        "formatOf",
        "gateContext",
        "importReviewCsv",
        "junitXml",
        "k8sPlan",
        "keyedHash",
        "loadConfig",
        "loadLexicons",
        "loadObjections",
        "loadRules",
        "loadSuite",
        "localeOf",
        "mapRow",
        "mappingProblems",
        "meanEstimate",
        "measureBuild",
        "mergeConfig",
        "normaliseAuthorId",
        "openModel",
        "openRows",
        "planTargets",
        "plausibleLanguages",
        "ratioEstimate",
        "readCsv",
        "readJsonl",
        "readManifest",
        "readParquet",
        "readRuns",
        "referenceRates",
        "resolveSecret",
        "reviewCsv",
        "reviewServer",
        "revoke",
        "runFeatures",
        "runFilter",
        "runFlow",
        "runSegment",
        "runShards",
        "runSuite",
        "sampleColumns",
        "sampleForReview",
        "sampleLocale",
        "scoreJudge",
        "scrubPii",
        "separation",
        "serveModel",
        "shardsDirOf",
        "slurmPlan",
        "toBcp47",
        "toIso3",
        "tokenize",
        "trainBaseline",
        "trainJudges",
        "trainJudgesOnFile",
        "verifyShards",
        "writeSuiteRequests",
      ]
    `);
  });

  it('its header is true: every library value the CLI imports is exported, or named in the header as deliberately internal', () => {
    const header = fs.readFileSync(path.join(SRC, 'index.ts'), 'utf8').split('*/')[0];
    const internal = header.slice(header.indexOf('Deliberately internal'));
    const imports = cliImports();
    expect(imports.length).toBeGreaterThan(40); // the scan finds the CLI's imports (not vacuous)
    const missing = imports.filter(({ name }) => !(name in api) && !internal.includes(`\`${name}\``));
    expect(missing).toEqual([]);
    // and what the header calls internal really is not exported
    const named = [...internal.matchAll(/`(\w+)`/g)].map((m) => m[1]);
    expect(named.filter((n) => n in api)).toEqual([]);
  });
});

