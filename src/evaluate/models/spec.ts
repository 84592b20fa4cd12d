import path from 'node:path';
import type { Model } from './types.js';
import { UsageError } from '../../errors.js';

/**
 * Parse a model spec: `ngram:<path>[?conditioned]`, `openai:<base-url>#<model>` (completions,
 * scored by prompt log-probabilities), `openai-chat:<base-url>#<model>` (chat completions,
 * generation-based forms), `command:<cmd>`, `predictions:<file>[?chat]`.
 */
export async function openModel(spec: string): Promise<Model> {
  const i = spec.indexOf(':');
  const kind = i < 0 ? spec : spec.slice(0, i);
  const rest = i < 0 ? '' : spec.slice(i + 1);
  switch (kind) {
    case 'ngram': {
      const [file, q] = rest.split('?');
      const { NgramModel } = await import('./ngram.js');
      return new NgramModel(path.resolve(file), q === 'conditioned');
    }
    case 'openai':
    case 'openai-chat': {
      const h = rest.lastIndexOf('#');
      if (h < 0) throw new UsageError(`${kind} model spec needs #<model>: ${kind}:<base-url>#<model> (got ${spec})`);
      const url = rest.slice(0, h);
      if (!/^https?:\/\//.test(url)) throw new UsageError(`${kind} base URL must start with http:// or https:// (got ${url})`);
      const { OpenAIModel, OpenAIChatModel } = await import('./openai.js');
      return kind === 'openai' ? new OpenAIModel(url, rest.slice(h + 1)) : new OpenAIChatModel(url, rest.slice(h + 1));
    }
    case 'command': {
      if (!rest.trim()) throw new UsageError('command model spec needs a command: command:"python my_model.py"');
      const { CommandModel } = await import('./command.js');
      return new CommandModel(rest.replace(/^"(.*)"$/, '$1'));
    }
    case 'predictions': {
      const { PredictionsModel } = await import('./predictions.js');
      // `?chat`: answers of a model without prompt log-probabilities (choice tasks as forced choice)
      const chat = rest.endsWith('?chat');
      return new PredictionsModel(path.resolve(chat ? rest.slice(0, -5) : rest), chat);
    }
    default:
      throw new UsageError(`unknown model spec '${spec}': use ngram:<path>, openai:<base-url>#<model>, openai-chat:<base-url>#<model>, command:<cmd> or predictions:<file>`);
  }
}
