import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { LoadedConfig } from '../config/schema.js';
import { InputError } from '../errors.js';

/** Everything a stage needs; executors only choose `rank` and `world`. */
export interface StageContext {
  stage: string;
  rank: number;
  world: number;
  /** The build's output folder; a stage writes under `<out>/<stage>/`. */
  out: string;
  loaded: LoadedConfig;
  secret: string;
  quiet: boolean;
  maxErrors?: number;
  /** Logger for human-readable lines (stderr); never receives record text. */
  log: (line: string) => void;
}

/** The partitions `i ≡ rank (mod world)` of `n`. */
export function myPartitions(n: number, rank: number, world: number): number[] {
  const out: number[] = [];
  for (let i = rank; i < n; i += world) out.push(i);
  return out;
}

export const partName = (i: number) => `part-${String(i).padStart(5, '0')}`;

/** A stable hash of any JSON value (keys sorted), for fingerprints. */
export function stableHash(value: unknown): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canon) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as never)[k])])) : v;
  return createHash('sha256').update(JSON.stringify(canon(value))).digest('hex');
}

/** Create the output folder or fail with a clear input error (exit 3). */
export function ensureWritableDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
    const probe = path.join(dir, `.write-probe-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (e) {
    throw new InputError(`output folder ${dir} is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
