import path from 'node:path';
import { ReviewStore } from '../../review/store.js';
import { importReviewCsv, reviewCsv, sampleForReview } from '../../review/export.js';
import { agreementReport, agreementText } from '../../review/report.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { InputError } from '../../errors.js';
import { makeLog, type CommandResult, type GlobalOptions } from '../io.js';
import { readManifest, shardsDirOf } from '../../shards/manifest.js';

export const reviewDb = (build: string) => path.join(path.resolve(build), 'review', 'review.sqlite');

/** `vernacular review export`: a stratified sample as CSV (and registered for import and serve). */
export async function reviewExport(_args: string[], o: { build: string; locale: string; n: number; stratify: string; out: string; bom?: boolean; seed: number }): Promise<CommandResult> {
  if (o.stratify !== 'feature' && o.stratify !== 'none') throw new InputError(`--stratify must be feature or none (got ${o.stratify})`);
  const samples = sampleForReview(shardsDirOf(path.resolve(o.build)), o.locale, o.n, o.stratify, o.seed);
  const store = ReviewStore.open(reviewDb(o.build));
  try {
    store.addSamples(samples);
  } finally {
    store.close();
  }
  writeFileAtomic(path.resolve(o.out), reviewCsv(samples, { bom: o.bom }));
  const features = new Set(samples.flatMap((s) => s.features.map((f) => f.feature)));
  return { summary: { out: o.out, samples: samples.length, features: features.size }, text: `wrote ${samples.length} ${o.locale} samples covering ${features.size} features to ${o.out}` };
}

export async function reviewImport(args: string[], o: { build: string; reviewer: string }): Promise<CommandResult> {
  const [file] = args;
  const store = ReviewStore.open(reviewDb(o.build));
  try {
    const r = importReviewCsv(store, path.resolve(file), o.reviewer);
    return { summary: r, text: `imported ${r.judgments} judgments by ${o.reviewer} from ${file}` };
  } finally {
    store.close();
  }
}

export async function reviewAddReviewer(args: string[], o: { build: string }): Promise<CommandResult> {
  const [name] = args;
  const store = ReviewStore.open(reviewDb(o.build));
  try {
    const token = store.addReviewer(name);
    return { summary: { reviewer: name, token }, text: `reviewer ${name} added; their sign-in token (shown once, only its hash is stored):\n${token}` };
  } finally {
    store.close();
  }
}

export async function reviewAgreement(_args: string[], o: { build: string; threshold: number; out?: string }): Promise<CommandResult> {
  const store = ReviewStore.open(reviewDb(o.build));
  try {
    const r = agreementReport(store.judgments(), o.threshold);
    if (o.out) writeFileAtomic(path.resolve(o.out), JSON.stringify(r, null, 2) + '\n');
    return { summary: r, text: agreementText(r, o.threshold) };
  } finally {
    store.close();
  }
}

export async function reviewServe(_args: string[], o: { build: string; port: number; host: string; locale?: string; n: number; allowHost?: string[]; idleMinutes?: number; maxMinutes?: number }, g: GlobalOptions): Promise<CommandResult> {
  const { reviewServer } = await import('../../review/server.js');
  const store = ReviewStore.open(reviewDb(o.build));
  if (!store.samples().length) {
    const locales = o.locale ? [o.locale] : [...new Set(readManifest(shardsDirOf(path.resolve(o.build))).shards.map((s) => s.locale))].sort() as string[];
    for (const l of locales) store.addSamples(sampleForReview(shardsDirOf(path.resolve(o.build)), l, o.n, 'feature'));
  }
  const server = await reviewServer(store, { host: o.host, port: o.port, allowHosts: o.allowHost, idleMinutes: o.idleMinutes, maxMinutes: o.maxMinutes });
  const addr = server.address() as { port: number };
  makeLog(g)(`review page on http://${o.host}:${addr.port}/ (${store.samples().length} samples); add reviewers with \`vernacular review add-reviewer <name> --build ${o.build}\`; Ctrl-C stops`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  store.close();
  return { summary: { stopped: true } };
}
