import type { QueryEvent } from "../event/query-event.ts";
import type { Sink } from "./sink.ts";

/** Where the console sink's text goes; a promise means "written when it resolves". */
export type TextOutput = (text: string) => void | Promise<void>;

/**
 * One line per event for `-v`, e.g.
 * `2026-01-06T10:30:45.123456+00:00 UDP 192.0.2.7:54321 www.example A IN relayed NOERROR 12ms`.
 * Lines are joined and written once per flush, not once per event.
 */
export function openConsoleSink(output: TextOutput = stdoutOutput()): Sink {
  return new ConsoleSink(output);
}

class ConsoleSink implements Sink {
  readonly name = "console";
  #lines: string[] = [];

  constructor(readonly output: TextOutput) {}

  write(event: QueryEvent): void {
    this.#lines.push(formatEventLine(event));
  }

  pending(): number {
    return this.#lines.length;
  }

  async flush(): Promise<void> {
    if (this.#lines.length === 0) return;
    // Taken before the write so that lines arriving meanwhile are kept;
    // a failed write puts the batch back in front of them.
    const batch = this.#lines;
    this.#lines = [];
    try {
      await this.output(`${batch.join("\n")}\n`);
    } catch (error) {
      this.#lines = batch.concat(this.#lines);
      throw error;
    }
  }

  close(): Promise<void> {
    return this.flush();
  }
}

/**
 * The event as one terminal-safe line. The parser already escapes names,
 * but whatever reaches a terminal is escaped again here, so no event can
 * move the cursor, change colours or split the line.
 */
export function formatEventLine(e: QueryEvent): string {
  const source = e.src_ip.includes(":") ? `[${e.src_ip}]` : e.src_ip;
  // The root name is "" in events; an empty field would shift the columns.
  const name = e.dns_name === "" ? "." : (e.dns_name ?? "-");
  let line = `${e.timestamp} ${e.transport} ${source}:${e.src_port} ${name}`;
  line += ` ${e.dns_type ?? "-"} ${e.dns_cls ?? "-"} ${e.action}`;
  if (e.rcode !== null) line += ` ${e.rcode}`;
  if (e.upstream_ms !== null) line += ` ${Math.round(e.upstream_ms)}ms`;
  if (e.error !== null) line += ` error: ${e.error}`;
  return escapeForTerminal(line);
}

const UNPRINTABLE = /[^\x20-\x7e]/;
const encoder = new TextEncoder();

/**
 * Every byte outside printable ASCII (0x20-0x7E) as `\DDD`, the decimal
 * form RFC 1035 section 5.1 uses for names; characters beyond ASCII are
 * escaped byte by byte of their UTF-8 form.
 */
export function escapeForTerminal(text: string): string {
  if (!UNPRINTABLE.test(text)) return text;
  let escaped = "";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0x20 && code <= 0x7e) escaped += char;
    else if (code < 0x80) escaped += decimalEscape(code);
    else for (const byte of encoder.encode(char)) escaped += decimalEscape(byte);
  }
  return escaped;
}

function decimalEscape(byte: number): string {
  return `\\${String(byte).padStart(3, "0")}`;
}

/** Bun's buffered stdout writer, flushed once per batch. */
function stdoutOutput(): TextOutput {
  const writer = Bun.stdout.writer();
  return async (text) => {
    writer.write(text);
    await writer.flush();
  };
}
