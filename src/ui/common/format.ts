// Numbers as the page prints them: grouped digits, readable sizes and
// durations. One locale for everyone, so the page reads the same in tests.

const grouped = new Intl.NumberFormat('en-US');
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export function formatCount(n: number): string {
  return grouped.format(n);
}

export function formatBytes(bytes: number | bigint): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${oneDecimal.format(value)} ${units[unit] ?? ''}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${oneDecimal.format(ms / 1000)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

/** Rows per second; 0 until time has passed. */
export function formatRate(rows: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (rows * 1000) / elapsedMs : 0;
  return grouped.format(Math.round(rate));
}

/** A moment in the browser's time zone, `2026-12-04 16:05:09`. */
export function formatDateTime(ms: number): string {
  const time = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${time.getFullYear()}-${two(time.getMonth() + 1)}-` +
    `${two(time.getDate())} ${two(time.getHours())}:` +
    `${two(time.getMinutes())}:${two(time.getSeconds())}`
  );
}
