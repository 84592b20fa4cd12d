import path from 'node:path';
import type http from 'node:http';
import { CharNgram, NgramModel, saveBaseline } from '../../src/evaluate/models/ngram.js';
import { serveModel } from '../../src/evaluate/serve.js';
import { tmpDir } from '../helpers.js';

/** Training text for a tiny two-locale baseline: enough to give every position a real distribution. */
export const TRAIN: { [locale: string]: string[] } = {
  'de-AT': ['Servus, gemma heute no auf an Kaffee?', 'Des Sackerl is im Kasten, oba i hob koa Zeit.', 'Jänner is kalt, Paradeiser san teuer.', 'Grüß Gott! Heast, wos mochst du do?'],
  'de-DE': ['Moin, gehen wir heute noch einen Kaffee trinken?', 'Die Tüte ist im Schrank, aber ich habe keine Zeit.', 'Januar ist kalt, Tomaten sind teuer.', 'Guten Tag! Hör mal, was machst du da?'],
  'el-CY': ['Καλημέρα, ίντα μου λαλείς; Έν ξέρω.', 'Τζιαι εγώ έν θέλω να πάω 🙂'],
};
export const PREAMBLES: { [locale: string]: string } = { 'de-AT': 'Posted in Austria:\n', 'de-DE': 'Posted in Germany:\n', 'el-CY': 'Posted in Cyprus:\n' };

/** Train and save a 4-gram baseline (global + per locale) in a temp folder; returns its path. */
export function tinyBaseline(order = 4): string {
  const global = new CharNgram(order);
  const locales: { [l: string]: ReturnType<CharNgram['toJSON']> } = {};
  let chars = 0;
  for (const [l, texts] of Object.entries(TRAIN)) {
    const lm = new CharNgram(order);
    for (const t of texts) {
      global.add(t);
      lm.add(t);
      chars += t.length;
    }
    locales[l] = lm.finish().toJSON();
  }
  const file = path.join(tmpDir('vern-tiny-'), 'tiny.json.gz');
  saveBaseline(file, {
    format: 'vernacular-ngram-1',
    order,
    trainedOn: { build: 'test', docs: 10, chars, locales: Object.fromEntries(Object.entries(TRAIN).map(([l, t]) => [l, t.length])) },
    preambles: PREAMBLES,
    global: global.finish().toJSON(),
    locales,
  });
  return file;
}

export async function startServer(conditioned = false): Promise<{ model: NgramModel; server: http.Server; base: string; close: () => Promise<void> }> {
  const model = new NgramModel(tinyBaseline(), conditioned);
  const server = await serveModel(model, { host: '127.0.0.1', port: 0, name: 'baseline' });
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { model, server, base, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}
