import path from 'node:path';
import { loadSuite, runSuite } from './run.js';
import { RequestRecorder } from './models/predictions.js';
import { JsonlWriter } from '../io/writers/jsonl.js';

/**
 * Every request a suite makes, one JSONL line each (`key`, `kind`, `request`), for a system that
 * cannot be called during a run: answer each by its key (`{"key", "logprob"}` or `{"key", "text"}`)
 * and evaluate with the model `predictions:<answers>`. `chat`: the requests of a model without
 * prompt log-probabilities (forced choice).
 */
export async function writeSuiteRequests(o: { suite: string; out: string; chat?: boolean }): Promise<{ out: string; requests: number; byKind: { loglikelihood: number; generate: number } }> {
  const suite = loadSuite(path.resolve(o.suite));
  const rec = new RequestRecorder(o.chat);
  await runSuite(rec, suite, { onSample: () => undefined, requestsOnly: true });
  const out = path.resolve(o.out);
  const w = new JsonlWriter(out);
  try {
    for (const r of rec.requests) {
      const p = w.write(r);
      if (p) await p;
    }
    await w.close();
  } catch (e) {
    w.abort();
    throw e;
  }
  const byKind = { loglikelihood: 0, generate: 0 };
  for (const r of rec.requests) byKind[r.kind]++;
  return { out, requests: rec.requests.length, byKind };
}
