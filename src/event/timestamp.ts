/**
 * Event timestamps in the old tool's form, `2026-01-06T10:30:45.123456+00:00`
 * (Python's `datetime.isoformat()` on an aware UTC datetime).
 *
 * Formatting runs once per message, so the text up to the millisecond is
 * cached (at 100k messages a second it is rebuilt about once per 100) and
 * the last three digits with the zone come from a table: one concatenation
 * per message, a quarter of the cost of formatting the fraction each time.
 */

/** `000+00:00` … `999+00:00`: the microsecond digits after the millisecond, and the zone. */
const MICROS_AND_ZONE = Array.from(
  { length: 1000 },
  (_, i) => `${String(i).padStart(3, "0")}+00:00`,
);

let cachedSecond = Number.NaN;
let cachedSecondText = "";
let cachedMilli = Number.NaN;
let cachedMilliText = "";

/** Wall clock minus the monotonic clock, in ms, with sub-millisecond precision. */
let wallOffsetMs = performance.timeOrigin;
let offsetCheckedAt = performance.now();

/**
 * Microseconds since the Unix epoch, with sub-millisecond resolution: the
 * monotonic clock for the fraction, checked against the wall clock once a
 * second so that a clock stepped after start (a container, NTP) is followed.
 */
export function nowMicros(): number {
  const mono = performance.now();
  if (mono - offsetCheckedAt > 1000) {
    offsetCheckedAt = mono;
    // Date.now() counts whole milliseconds, so it reads up to 1 ms behind
    // the precise offset; only a larger difference is the clock moving.
    // Taking it as it is would zero the microseconds of the next event.
    const drift = Date.now() - mono - wallOffsetMs;
    if (drift > 1 || drift < -2) wallOffsetMs += drift;
  }
  return Math.floor((wallOffsetMs + mono) * 1000);
}

/** `epochMicros` as UTC ISO 8601 with six fraction digits and `+00:00`. */
export function formatTimestamp(epochMicros: number): string {
  const micros = Math.floor(epochMicros);
  const milli = Math.floor(micros / 1000);
  if (milli !== cachedMilli) {
    cachedMilli = milli;
    cachedMilliText = milliText(milli);
  }
  return cachedMilliText + MICROS_AND_ZONE[micros - milli * 1000];
}

/** `2026-01-06T10:30:45.123`, the second's part cached too. */
function milliText(milli: number): string {
  const second = Math.floor(milli / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedSecondText = new Date(second * 1000).toISOString().slice(0, 19);
  }
  // 1000 + milliseconds always has four digits; dropping the first pads to three.
  return `${cachedSecondText}.${String(1000 + milli - second * 1000).slice(1)}`;
}
