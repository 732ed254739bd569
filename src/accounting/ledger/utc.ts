/** UTC calendar arithmetic on epoch milliseconds (pure: the caller passes the time). */

/** Milliseconds in a UTC day. */
export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The first millisecond of the UTC month containing `ms`. */
export function monthStartUtc(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** The first millisecond of the UTC month after the one containing `ms`. */
export function nextMonthStartUtc(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** "2026-11-24" for a UTC day number (epoch ms / 86,400,000). */
export function dayLabel(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** "2026-11-24T13:00Z" for a UTC hour number (epoch ms / 3,600,000). */
export function hourLabel(hour: number): string {
  return `${new Date(hour * HOUR_MS).toISOString().slice(0, 13)}:00Z`;
}
