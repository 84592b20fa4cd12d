import fs from 'node:fs';
import path from 'node:path';

/**
 * An external sort of fixed-size binary records whose first `keyBytes` bytes are the sort key,
 * big-endian (so byte order is key order). Records are collected in one buffer of at most
 * `budget` bytes; a full buffer is sorted and spilled to a run file under `dir`; `sorted()` then
 * merges the runs (a binary heap over buffered readers). Peak memory is the budget whatever the
 * number of records: the buffer plus 12 bytes per buffered record for the sort while filling,
 * and at merge time one read buffer per run that together fit the budget (each 256 KB, less
 * when there are many runs, at least MIN_READ); when even that is too many runs, groups of runs
 * are first merged into longer ones (a pass over the data per level; a 32 MB sorter merges up to
 * 512 runs, some 10 GB of records, in one pass). The sort and the merge are stable (ties go to
 * the earlier record, the earlier run), but callers should not lean on it: make the last key
 * field a sequence number (the doc index) when order matters.
 */
/**
 * The record buffer of the last sorter closed in this process, handed to the next one that fits
 * it within its own budget (and at least its first block): a process that runs several sort tasks one after another (a
 * `--world 1` pass over all bands) allocates and first touches those pages once, not per task.
 * At most one is kept, and only a sorter's own buffer (never more than its budget).
 */
let spare: Buffer | undefined;

/** A merge reader's buffer: at most this, */
const MAX_READ = 1 << 18;
/** and at least this (fewer bytes per read would cost more seeks than a further merge pass). */
const MIN_READ = 1 << 16;
/** Runs merged at once never need fewer than this many (tiny test budgets). */
const MIN_FAN_IN = 16;

export class ExternalSorter {
  readonly recordSize: number;
  readonly keyBytes: number;
  private readonly dir: string;
  private readonly cap: number;
  private readonly budget: number;
  /** run files named so far (spills and merged runs) */
  private seq = 0;
  private spills = 0;
  /** the sort's arrays (first key bytes, order, scratch: the 12 B per record of the budget) and the write buffer, kept from spill to spill: made anew each time they would be garbage the collector frees late, a peak that grew with the number of spills */
  private work?: { keys: Uint32Array; ord: Uint32Array; tmp: Uint32Array; count: Uint32Array; out: Buffer };
  private buf: Buffer;
  private n = 0;
  private runs: string[] = [];
  /** records added in all */
  count = 0;
  /** bytes written to run files */
  spilled = 0;

  constructor(o: { recordSize: number; keyBytes: number; budget: number; dir: string }) {
    if (o.keyBytes < 4 || o.keyBytes > o.recordSize) throw new Error('extsort: keyBytes must be in [4, recordSize]');
    this.recordSize = o.recordSize;
    this.keyBytes = o.keyBytes;
    this.dir = o.dir;
    this.budget = o.budget;
    // the sort takes 12 bytes per record (key, order, scratch) next to the record itself
    this.cap = Math.max(16, Math.floor(o.budget / (o.recordSize + 12)));
    const first = Math.min(this.cap, 4096) * o.recordSize;
    if (spare && spare.length >= first && spare.length <= this.cap * o.recordSize) {
      this.buf = spare;
      spare = undefined;
    } else this.buf = Buffer.allocUnsafe(first);
  }

  /** Room for one more record: returns the buffer and the offset to write it at. */
  slot(): [Buffer, number] {
    if (this.n === this.cap) this.spill();
    if ((this.n + 1) * this.recordSize > this.buf.length) {
      const b = Buffer.allocUnsafe(Math.min(this.cap, this.n * 2) * this.recordSize);
      this.buf.copy(b, 0, 0, this.n * this.recordSize);
      this.buf = b;
    }
    this.count++;
    return [this.buf, this.n++ * this.recordSize];
  }

  /**
   * The buffered records' order: a stable LSD radix sort (two 16-bit passes) on the first 4 key
   * bytes — equal keys keep the order they were added in — then the rest of the key where those tie.
   */
  private arrays(n: number): NonNullable<ExternalSorter['work']> {
    if (!this.work || this.work.keys.length < n) {
      // sized for the records at hand, at most the cap (a sort that never fills its buffer stays small)
      const m = Math.min(this.cap, Math.max(n, this.work ? this.work.keys.length * 2 : 0));
      this.work = { keys: new Uint32Array(m), ord: new Uint32Array(m), tmp: new Uint32Array(m), count: this.work?.count ?? new Uint32Array(65536), out: this.work?.out ?? Buffer.allocUnsafe(Math.max(1, Math.floor((1 << 20) / this.recordSize)) * this.recordSize) };
    }
    return this.work;
  }

  private order(): Uint32Array {
    const { n, buf, recordSize: rs, keyBytes: kb } = this;
    const w = this.arrays(n);
    const keys = w.keys.subarray(0, n);
    for (let i = 0; i < n; i++) keys[i] = buf.readUInt32BE(i * rs);
    let ord = w.ord.subarray(0, n);
    let tmp = w.tmp.subarray(0, n);
    for (let i = 0; i < n; i++) ord[i] = i;
    // small buffers: a comparison sort (the radix passes cost 2 × 64K counters)
    if (n < 4096) ord.sort((a, b) => keys[a] - keys[b] || a - b);
    const count = w.count;
    for (const shift of n < 4096 ? [] : [0, 16]) {
      count.fill(0);
      for (let i = 0; i < n; i++) count[(keys[i] >>> shift) & 0xffff]++;
      let sum = 0;
      for (let b = 0; b < 65536; b++) {
        const c = count[b];
        count[b] = sum;
        sum += c;
      }
      for (let i = 0; i < n; i++) {
        const o = ord[i];
        tmp[count[(keys[o] >>> shift) & 0xffff]++] = o;
      }
      [ord, tmp] = [tmp, ord];
    }
    if (kb > 4) {
      const cmp = (a: number, b: number) => buf.compare(buf, b * rs + 4, b * rs + kb, a * rs + 4, a * rs + kb) || a - b;
      for (let s = 0; s < n; ) {
        const head = keys[ord[s]];
        let e = s + 1;
        let inOrder = true;
        while (e < n && keys[ord[e]] === head) {
          if (cmp(ord[e - 1], ord[e]) > 0) inOrder = false;
          e++;
        }
        if (!inOrder) ord.subarray(s, e).sort(cmp);
        s = e;
      }
    }
    return ord;
  }

  private spill(): void {
    if (!this.n) return;
    fs.mkdirSync(this.dir, { recursive: true });
    const file = this.runFile();
    this.writeSorted(file);
    this.runs.push(file);
    this.spills++;
    this.spilled += this.n * this.recordSize;
    this.n = 0;
  }

  private writeSorted(file: string): void {
    const ord = this.order();
    const rs = this.recordSize;
    const fd = fs.openSync(file, 'w');
    try {
      const out = this.work!.out;
      const per = out.length / rs;
      for (let i = 0; i < ord.length; ) {
        let k = 0;
        for (; k < per && i < ord.length; k++, i++) this.buf.copy(out, k * rs, ord[i] * rs, ord[i] * rs + rs);
        fs.writeSync(fd, out, 0, k * rs);
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * Every record in key order: `each(buf, offset)` per record (the bytes are valid only during
   * the call). Can be called again (a second pass re-merges the runs); `close()` deletes them.
   */
  sorted(each: (buf: Buffer, off: number) => void): void {
    if (!this.runs.length) {
      // everything fits: sort in memory, no file
      const ord = this.order();
      for (let i = 0; i < ord.length; i++) each(this.buf, ord[i] * this.recordSize);
      return;
    }
    this.spill();
    this.buf = Buffer.alloc(0);
    this.work = undefined;
    // the readers of one merge share the budget; too many runs for that: merge groups of them first
    const fanIn = Math.max(MIN_FAN_IN, Math.floor(this.budget / MIN_READ));
    while (this.runs.length > fanIn) this.mergePass(fanIn);
    this.merge(this.runs, each);
  }

  private runFile(): string {
    return path.join(this.dir, `run-${String(this.seq++).padStart(5, '0')}.bin`);
  }

  /** One level of merging: each group of `fanIn` consecutive runs into one run (consecutive, so equal keys keep their order). */
  private mergePass(fanIn: number): void {
    const rs = this.recordSize;
    const next: string[] = [];
    for (let g = 0; g < this.runs.length; g += fanIn) {
      const group = this.runs.slice(g, g + fanIn);
      if (group.length === 1) {
        next.push(group[0]);
        continue;
      }
      const file = this.runFile();
      const fd = fs.openSync(file, 'w');
      try {
        const out = Buffer.allocUnsafe(Math.max(1, Math.floor((1 << 20) / rs)) * rs);
        let k = 0;
        this.merge(group, (buf, off) => {
          buf.copy(out, k, off, off + rs);
          k += rs;
          if (k === out.length) {
            fs.writeSync(fd, out, 0, k);
            this.spilled += k;
            k = 0;
          }
        });
        if (k) fs.writeSync(fd, out, 0, k);
        this.spilled += k;
      } finally {
        fs.closeSync(fd);
      }
      for (const f of group) fs.rmSync(f, { force: true });
      next.push(file);
    }
    this.runs = next;
  }

  /** Heap-merges run files into `each`; ties go to the earlier file. Read buffers: the budget over the runs, within [MIN_READ, MAX_READ] (at least one record). */
  private merge(files: string[], each: (buf: Buffer, off: number) => void): void {
    const rs = this.recordSize;
    const kb = this.keyBytes;
    const per = Math.max(1, Math.floor(Math.min(MAX_READ, Math.max(MIN_READ, this.budget / files.length)) / rs));
    const readers = files.map((file) => ({ fd: fs.openSync(file, 'r'), buf: Buffer.allocUnsafe(per * rs), len: 0, at: 0, pos: 0, index: 0 }));
    try {
      const fill = (r: (typeof readers)[number]): boolean => {
        if (r.at < r.len) return true;
        r.len = fs.readSync(r.fd, r.buf, 0, r.buf.length, r.pos);
        r.pos += r.len;
        r.at = 0;
        return r.len >= rs;
      };
      readers.forEach((r, i) => (r.index = i));
      const heap = readers.filter(fill);
      const less = (a: (typeof readers)[number], b: (typeof readers)[number]) => {
        const c = a.buf.compare(b.buf, b.at, b.at + kb, a.at, a.at + kb);
        return c < 0 || (c === 0 && a.index < b.index);
      };
      const down = (i: number) => {
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < heap.length && less(heap[l], heap[m])) m = l;
          if (r < heap.length && less(heap[r], heap[m])) m = r;
          if (m === i) return;
          [heap[i], heap[m]] = [heap[m], heap[i]];
          i = m;
        }
      };
      for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
      while (heap.length) {
        const top = heap[0];
        each(top.buf, top.at);
        top.at += rs;
        if (!fill(top)) {
          heap[0] = heap[heap.length - 1];
          heap.pop();
        }
        if (heap.length) down(0);
      }
    } finally {
      for (const r of readers) fs.closeSync(r.fd);
    }
  }

  /** Number of run files spilled (0: everything was sorted in memory). */
  get runCount(): number {
    return this.spills;
  }

  close(): void {
    for (const f of this.runs) fs.rmSync(f, { force: true });
    this.runs = [];
    if (this.buf.length) spare = this.buf;
    this.buf = Buffer.alloc(0);
    this.n = 0;
    this.work = undefined;
  }
}
