/**
 * Parses a human duration into whole seconds: `90`, `90s`, `15m`, `1h`, `1h30m`, `7d`.
 * Returns undefined for anything else, so callers choose their own error.
 *
 * @example parseDuration('1h30m') // 5400
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  const parts = trimmed.match(/^(?:\d+[smhdw])+$/) ? trimmed.match(/\d+[smhdw]/g) : null;
  if (!parts) return undefined;
  return parts.reduce((sum, part) => sum + Number(part.slice(0, -1)) * units[part.slice(-1)]!, 0);
}

/**
 * A short human description of a span of seconds, rounded to the largest sensible unit.
 *
 * @example formatSpan(840) // '14 min'
 */
export function formatSpan(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  if (s < 60 * 86400) return `${Math.round(s / 86400)} d`;
  if (s < 730 * 86400) return `${Math.round(s / (30 * 86400))} months`;
  return `${Math.round(s / (365 * 86400))} years`;
}

/** "in 14 min" / "3 h ago" relative to `now` (both in seconds). */
export function formatRelative(at: number, now: number): string {
  const delta = at - now;
  if (delta === 0) return 'now';
  return delta > 0 ? `in ${formatSpan(delta)}` : `${formatSpan(delta)} ago`;
}

/** ISO 8601 in UTC, or undefined when the number is outside the Date range. */
export function formatIsoTime(seconds: number): string | undefined {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace('.000Z', 'Z');
}
