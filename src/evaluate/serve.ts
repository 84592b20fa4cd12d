import http from 'node:http';
import { NgramModel } from './models/ngram.js';

/**
 * Serve the n-gram baseline as an OpenAI-compatible API on loopback: `GET /v1/models`,
 * `POST /v1/completions` (echo + logprobs with max_tokens 0 for scoring; generation otherwise),
 * `POST /v1/chat/completions` (generation). Tokens are characters, so the log-probabilities of
 * an echoed prompt are exactly what the model computes in process.
 */
export function serveModel(model: NgramModel, o: { host: string; port: number; name?: string }): Promise<http.Server> {
  const name = o.name ?? 'baseline';
  const server = http.createServer(async (req, res) => {
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      if (req.method === 'GET' && req.url === '/v1/models') return send(200, { object: 'list', data: [{ id: name, object: 'model', owned_by: 'vernacular' }] });
      if (req.method !== 'POST') return send(404, { error: { message: 'not found' } });
      let body = '';
      for await (const c of req) body += c;
      let j: { prompt?: string; max_tokens?: number; echo?: boolean; logprobs?: number; stop?: string | string[]; messages?: Array<{ content: string }> };
      try {
        j = JSON.parse(body);
      } catch {
        return send(400, { error: { message: 'body is not JSON' } });
      }
      const stop = j.stop === undefined ? [] : Array.isArray(j.stop) ? j.stop : [j.stop];
      if (req.url === '/v1/completions') {
        const prompt = String(j.prompt ?? '');
        const max = j.max_tokens ?? 16;
        let text = max > 0 ? (await model.generate([{ context: prompt, until: stop, maxTokens: max }]))[0] : '';
        let logprobs;
        if (j.echo) {
          const chars = Array.from(prompt);
          const lps = model.charLogprobs('', prompt);
          let off = 0;
          logprobs = { tokens: chars, token_logprobs: lps, text_offset: chars.map((c) => ((off += c.length), off - c.length)), top_logprobs: null };
          text = prompt + text;
        }
        return send(200, { object: 'text_completion', model: name, choices: [{ index: 0, text, logprobs: logprobs ?? null, finish_reason: 'stop' }] });
      }
      if (req.url === '/v1/chat/completions') {
        const prompt = (j.messages ?? []).map((m) => m.content).join('\n');
        const text = (await model.generate([{ context: prompt, until: stop.length ? stop : ['\n'], maxTokens: j.max_tokens ?? 80 }]))[0];
        return send(200, { object: 'chat.completion', model: name, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] });
      }
      return send(404, { error: { message: `no route ${req.url}` } });
    } catch (e) {
      return send(500, { error: { message: (e as Error).message } });
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve(server));
  });
}
