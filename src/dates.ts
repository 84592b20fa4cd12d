/**
 * Strict date and time parsing for the eligibility gate, without the engine's date parser (the
 * Date constructor or Date's parse method on a string): it accepts whatever the engine likes (`"2024-03-01 junk"`, `"1980-05-05
 * (approx)"`) and roll impossible dates over, which would let a wrong date decide an age or a
 * window. One documented grammar (README, "Dates"); anything else is NaN, and the gate excludes
 * the row as `invalid:<field>` (fail closed).
 */

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in month `m` (1–12) of year `y`, proleptic Gregorian. */
export function daysInMonth(y: number, m: number): number {
  return m === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0) ? 29 : DAYS_IN_MONTH[m - 1];
}

/** The first and last instants (ms) a date can name here: 0000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z. */
const MIN_MS = -62_167_219_200_000;
const MAX_MS = 253_402_300_799_999;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil; exact for every year). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The UTC calendar date of an instant (ms): [year, month 1–12, day]. */
export function civilFromMs(ms: number): [number, number, number] {
  const z = Math.floor(ms / 86_400_000) + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [era * 400 + yoe + (m <= 2 ? 1 : 0), m, d];
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** An instant in MIN_MS..MAX_MS as `YYYY-MM-DDTHH:MM:SS.sssZ` (what toISOString writes, without its throw). */
export function isoFromMs(ms: number): string {
  const [y, m, d] = civilFromMs(ms);
  const t = ms - Math.floor(ms / 86_400_000) * 86_400_000;
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${pad(Math.floor(t / 3_600_000), 2)}:${pad(Math.floor(t / 60_000) % 60, 2)}:${pad(Math.floor(t / 1000) % 60, 2)}.${pad(t % 1000, 3)}Z`;
}

/** `YYYY-MM-DD`, the whole string, on a day the calendar has. Returns [y, m, d] or undefined. */
export function parseDateOnly(s: string): [number, number, number] | undefined {
  const r = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!r) return undefined;
  const y = +r[1];
  const m = +r[2];
  const d = +r[3];
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m) ? [y, m, d] : undefined;
}

/** Whether `s` is exactly a `YYYY-MM-DD` the calendar has. */
export function realDate(s: string): boolean {
  return parseDateOnly(s) !== undefined;
}

// RFC 3339 `date-time`, upper-case T and Z only, no space for T, an offset always (no local time).
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/**
 * An RFC 3339 timestamp (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, the whole string) as epoch ms,
 * else NaN. Fractions of up to 9 digits are cut (not rounded) to the millisecond, so an instant
 * is never moved past the end of a window; no leap second (`:60`), no `24:00`, hours of an offset
 * 00–23. The instant must lie in 0000–9999 (UTC).
 */
export function parseRfc3339(s: string): number {
  const r = RFC3339.exec(s);
  if (!r) return NaN;
  const y = +r[1];
  const mo = +r[2];
  const d = +r[3];
  const h = +r[4];
  const mi = +r[5];
  const se = +r[6];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || se > 59) return NaN;
  const ms = r[7] === undefined ? 0 : +r[7].slice(0, 3).padEnd(3, '0');
  let off = 0;
  if (r[8] === undefined) {
    const oh = +r[10];
    const om = +r[11];
    if (oh > 23 || om > 59) return NaN;
    off = (r[9] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const t = daysFromCivil(y, mo, d) * 86_400_000 + ((h * 60 + mi) * 60 + se) * 1000 + ms - off;
  return t >= MIN_MS && t <= MAX_MS ? t : NaN;
}

/** How a timestamp column is written (config `fields.<field>_format`). */
export type TimeFormat = 'rfc3339' | 'epoch_s' | 'epoch_ms';

/**
 * A timestamp value in the column's declared format, as epoch ms, else NaN. `rfc3339`: a string
 * in that grammar (a number is invalid). `epoch_s` / `epoch_ms`: a finite non-negative integer,
 * as a number or as a string of ASCII digits (CSV has no numbers), within year 9999; fractions,
 * signs, exponents, spaces, 1e20, 1e999 and NaN are invalid.
 */
export function parseTimestamp(v: unknown, format: TimeFormat): number {
  if (format === 'rfc3339') return typeof v === 'string' ? parseRfc3339(v) : NaN;
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^\d+$/.test(v)) n = Number(v);
  else return NaN;
  if (!Number.isSafeInteger(n) || n < 0) return NaN;
  const ms = format === 'epoch_s' ? n * 1000 : n;
  return ms <= MAX_MS ? ms : NaN;
}

/**
 * A config or registry date: an RFC 3339 timestamp, or `YYYY-MM-DD` (its first instant, UTC).
 * NaN for anything else.
 */
export function parseDateOrTimestamp(s: unknown): number {
  if (typeof s !== 'string') return NaN;
  const d = parseDateOnly(s);
  return d ? daysFromCivil(d[0], d[1], d[2]) * 86_400_000 : parseRfc3339(s);
}
