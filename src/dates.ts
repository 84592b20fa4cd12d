const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in month `m` (1–12) of year `y`, proleptic Gregorian. */
export function daysInMonth(y: number, m: number): number {
  return m === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0) ? 29 : DAYS_IN_MONTH[m - 1];
}

/**
 * Whether `s` starts with a `YYYY-MM-DD` the calendar has. Date.parse rolls impossible dates over
 * (`2025-04-31` → 1 May, `2001-02-29` → 1 March), which would let a wrong date decide an age or a
 * window; the gate fails closed on them instead.
 */
export function realDate(s: string): boolean {
  const y = +s.slice(0, 4);
  const m = +s.slice(5, 7);
  const d = +s.slice(8, 10);
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}
