import path from 'node:path';
import { trainBaseline } from '../../evaluate/train.js';
import { UsageError } from '../../errors.js';
import { shardsDirOf } from '../../shards/manifest.js';
import { makeLog, type CommandResult, type GlobalOptions } from '../io.js';

/** `vernacular baseline train --build <dir>`: the n-gram baseline from the train split. */
export async function baselineTrain(_args: string[], o: { build: string; out?: string; order: number }): Promise<CommandResult> {
  const build = path.resolve(o.build);
  const out = path.resolve(o.out ?? path.join(build, 'baseline', 'ngram.json.gz'));
  const t = trainBaseline({ shardsDir: shardsDirOf(build), out, order: o.order });
  return { summary: { out, ...t }, text: `trained a ${o.order}-gram character LM on ${t.docs} train docs (${t.chars} chars, ${Object.keys(t.locales).length} locales) → ${path.relative(process.cwd(), out)}\nuse it as --model ngram:${path.relative(process.cwd(), out)} (or ?conditioned for the locale-conditioned variant)` };
}

/** `vernacular serve-model --model ngram:<path> --port P`. */
export async function serveModelCmd(_args: string[], o: { model: string; port: number; host: string; name: string }, g: GlobalOptions): Promise<CommandResult> {
  if (!o.model.startsWith('ngram:')) throw new UsageError('serve-model serves the built-in baseline: --model ngram:<path>');
  const { NgramModel } = await import('../../evaluate/models/ngram.js');
  const { serveModel } = await import('../../evaluate/serve.js');
  const [file, q] = o.model.slice(6).split('?');
  const server = await serveModel(new NgramModel(path.resolve(file), q === 'conditioned'), { host: o.host, port: o.port, name: o.name });
  const addr = server.address() as { port: number };
  makeLog(g)(`serving ${o.model} as an OpenAI-compatible API on http://${o.host}:${addr.port}/v1 (model name "${o.name}"); Ctrl-C stops`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return { summary: { stopped: true } };
}
