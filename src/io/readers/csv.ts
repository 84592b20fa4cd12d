import Papa from 'papaparse';
import { StringDecoder } from 'node:string_decoder';
import { Transform } from 'node:stream';
import { openInput, type OnRead } from '../decompress.js';
import type { RawRow, RowSource } from '../rows.js';
import { InputError } from '../../errors.js';

/**
 * Read a CSV file (header row first) with papaparse in streaming mode. Rows keep their real
 * starting line number, counted from the text fed to the parser, so a quoted cell spanning
 * lines does not shift later numbers. Parser errors (unterminated quote, wrong field count)
 * become `bad` rows; values are never echoed in messages. A header naming a column twice is an
 * input error: papaparse would rename the second (`a_1`) and a gate reading `a` would see only
 * the first of two conflicting values.
 */
export async function* readCsv(file: string, delimiter: string, onRead?: OnRead): RowSource {
  // Newline offsets (in characters) not yet passed by the parser's cursor.
  const newlines: number[] = [];
  let nlHead = 0;
  let passed = 0; // newlines before the current row's start
  let offset = 0;
  // Offsets of replacement characters: bytes that were not valid UTF-8.
  const invalid: number[] = [];
  const decoder = new StringDecoder('utf8');
  const toText = new Transform({
    readableObjectMode: false,
    transform(chunk: Buffer, _e, cb) {
      const s = decoder.write(chunk);
      for (let i = s.indexOf('\uFFFD'); i !== -1; i = s.indexOf('\uFFFD', i + 1)) invalid.push(offset + i);
      for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) newlines.push(offset + i);
      offset += s.length;
      cb(null, s);
    },
    flush(cb) {
      const s = decoder.end();
      offset += s.length;
      cb(null, s);
    },
  });
  const input = openInput(file, onRead);
  input.on('error', (e) => toText.destroy(e));
  input.pipe(toText);

  const queue: RawRow[] = [];
  let done = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let paused = false;
  let rowStart = -1; // -1: the first data row, which starts after the header line
  const lineAt = (charOffset: number) => {
    while (nlHead < newlines.length && newlines[nlHead] < charOffset) {
      nlHead++;
      passed++;
    }
    if (nlHead > 4096) {
      newlines.splice(0, nlHead);
      nlHead = 0;
    }
    return passed + 1;
  };
  toText.on('error', (e) => {
    failure = e;
    wake?.();
  });
  const header: string[] = [];
  let headerChecked = false;
  Papa.parse(toText as unknown as File, {
    header: true,
    transformHeader(h: string) {
      header.push(h);
      return h;
    },
    delimiter,
    skipEmptyLines: 'greedy',
    step(results, parser) {
      if (!headerChecked) {
        headerChecked = true;
        const dup = header.find((h, j) => header.indexOf(h) !== j);
        if (dup !== undefined) {
          failure = new InputError(`${file}: the header names column '${dup}' more than once; a repeated column is ambiguous, so the file is not read`);
          parser.abort();
          wake?.();
          return;
        }
      }
      const line = rowStart < 0 ? 2 : lineAt(rowStart);
      // the cursor stands just past this row's line break, where the next row starts
      const cursor = results.meta.cursor;
      let badBytes = false;
      while (invalid.length && invalid[0] < cursor) {
        invalid.shift();
        badBytes = true;
      }
      rowStart = cursor;
      const errs = results.errors;
      if (badBytes) {
        queue.push({ line, bad: 'invalid UTF-8' });
      } else if (errs.length) {
        const e = errs.find((x) => x.code === 'MissingQuotes') ?? errs[0];
        const why =
          e.code === 'MissingQuotes'
            ? 'unterminated quoted field (the rest of the file cannot be split into rows)'
            : e.code === 'TooFewFields' || e.code === 'TooManyFields'
              ? `${e.message.replace(/:.*$/, '')} (${e.code})`
              : e.code;
        queue.push({ line, bad: why });
      } else {
        queue.push({ line, fields: results.data as { [k: string]: unknown } });
      }
      // Backpressure on the text stream, not the parser: papaparse's pause/resume shifts its cursor.
      if (queue.length >= 2048 && !paused) {
        paused = true;
        toText.pause();
      }
      wake?.();
    },
    complete() {
      done = true;
      wake?.();
    },
    error(e: Error) {
      failure = e;
      wake?.();
    },
  });
  while (true) {
    if (failure) throw failure;
    if (queue.length) {
      const rows = queue.splice(0, queue.length);
      if (paused) {
        paused = false;
        toText.resume();
      }
      yield rows;
      continue;
    }
    if (done) break;
    await new Promise<void>((r) => (wake = r));
    wake = undefined;
  }
  if (failure) throw failure;
}
