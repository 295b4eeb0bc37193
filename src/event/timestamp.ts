/**
 * Event timestamps in the old tool's form, `2026-01-06T10:30:45.123456+00:00`
 * (Python's `datetime.isoformat()` on an aware UTC datetime).
 *
 * Formatting runs once per message, so the date-and-second prefix is cached:
 * at 100k messages a second it is rebuilt once per second, not per message.
 */

let cachedSecond = Number.NaN;
let cachedPrefix = "";

let wallOffsetMs = Date.now() - performance.now();
let offsetTakenAt = performance.now();

/**
 * Microseconds since the Unix epoch, with sub-millisecond resolution: the
 * monotonic clock for the fraction, set against the wall clock once a
 * second so that a clock synced after start (a container, NTP) is followed.
 */
export function nowMicros(): number {
  const mono = performance.now();
  if (mono - offsetTakenAt > 1000) {
    wallOffsetMs = Date.now() - mono;
    offsetTakenAt = mono;
  }
  return Math.floor((wallOffsetMs + mono) * 1000);
}

/** `epochMicros` as UTC ISO 8601 with six fraction digits and `+00:00`. */
export function formatTimestamp(epochMicros: number): string {
  const micros = Math.floor(epochMicros);
  const second = Math.floor(micros / 1_000_000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19);
  }
  // 1_000_000 + fraction always has seven digits; dropping the first pads to six.
  const fraction = String(1_000_000 + micros - second * 1_000_000).slice(1);
  return `${cachedPrefix}.${fraction}+00:00`;
}
