import { closeSync, fstatSync, openSync, writeSync } from "node:fs";
import { messageOf, UdpotError } from "../errors.ts";
import type { QueryEvent } from "../event/query-event.ts";
import { eventJsonOnce } from "./event-json.ts";
import { sinkLog } from "./failure-reports.ts";
import { Compressor, datedPath, plainDayFilesBefore } from "./jsonl-files.ts";
import { LineBuffer } from "./line-buffer.ts";
import type { Sink } from "./sink.ts";

const NEWLINE = 0x0a;

export interface JsonlOptions {
  /** Daily files `NAME.YYYY-MM-DD.EXT`; finished days are gzipped. */
  rotate: boolean;
  /** Clock for the day; tests move it across midnight. */
  now?: () => Date;
}

/** Events appended to a JSON Lines file, one object per line. */
export interface JsonlSink extends Sink {
  /** Closes the file and opens it again by name (SIGHUP, after logrotate moved it). */
  reopen(): void;
  /** Resolves when every gzip started so far has finished. */
  compressed(): Promise<void>;
}

/** Lines of one day, in arrival order. Without rotation the day is "". */
interface Segment {
  day: string;
  lines: LineBuffer;
}

/** Encoded lines being written; `offset` bytes of them are in the file. */
interface Chunk {
  day: string;
  bytes: Uint8Array;
  offset: number;
  lines: number;
}

/**
 * Opens `path` for appending (with `rotate`, today's dated file) and queues
 * the gzip of plain day files an earlier run left. Throws `UdpotError`
 * "startup" when the file cannot be opened.
 */
export function openJsonlSink(path: string, opts: JsonlOptions): JsonlSink {
  const sink = new JsonlFileSink(path, opts.rotate, opts.now ?? (() => new Date()));
  try {
    sink.start();
  } catch (error) {
    throw new UdpotError("startup", `cannot open JSON log ${path}: ${messageOf(error)}`);
  }
  return sink;
}

class JsonlFileSink implements JsonlSink {
  readonly name = "jsonl";
  #segments: Segment[] = [];
  /** An emptied LineBuffer, kept for its grown capacity. */
  #spare: LineBuffer | null = null;
  #chunk: Chunk | null = null;
  #pending = 0;
  #fd: number | null = null;
  #fdDay = "";
  #fdInode = -1;
  /** Latest day seen: lines never go to an earlier day's file, which may be gzipped already. */
  #floorDay = "";
  readonly #compressor = new Compressor();

  constructor(
    readonly path: string,
    readonly rotate: boolean,
    readonly now: () => Date,
  ) {}

  start(): void {
    if (!this.rotate) {
      this.#open("");
      return;
    }
    this.#floorDay = utcDay(this.now());
    this.#open(this.#floorDay);
    for (const file of plainDayFilesBefore(this.path, this.#floorDay)) this.#compressor.add(file);
  }

  write(event: QueryEvent): void {
    const day = this.rotate ? this.#dayOf(event.timestamp) : "";
    const line = eventJsonOnce(event);
    let last = this.#segments.at(-1);
    if (last?.day !== day) {
      last = { day, lines: this.#spare ?? new LineBuffer() };
      this.#spare = null;
      this.#segments.push(last);
    }
    last.lines.add(line);
    this.#pending++;
  }

  pending(): number {
    return this.#pending;
  }

  /** Writes every pending line; on error keeps what is unwritten and throws. */
  flush(): void {
    if (this.rotate) this.#floorDay = maxDay(this.#floorDay, utcDay(this.now()));
    for (let chunk = this.#nextChunk(); chunk !== null; chunk = this.#nextChunk()) {
      this.#writeChunk(chunk);
      this.#pending -= chunk.lines;
      this.#chunk = null;
    }
    // Past midnight with nothing left for the old day: finish its file now.
    if (this.#fd !== null && this.#fdDay < this.#floorDay) this.#closeFile(true);
  }

  reopen(): void {
    this.#closeFile(false);
    try {
      this.#open(this.#floorDay);
    } catch {
      // The next flush tries again and reports the failure.
    }
  }

  compressed(): Promise<void> {
    return this.#compressor.idle();
  }

  async close(): Promise<void> {
    try {
      this.flush();
    } finally {
      this.#closeFile(false);
      await this.#compressor.idle();
    }
  }

  #dayOf(timestamp: string): string {
    this.#floorDay = maxDay(this.#floorDay, timestamp.slice(0, 10));
    return this.#floorDay;
  }

  /** The chunk left by a failed write, else the oldest segment encoded as one chunk. */
  #nextChunk(): Chunk | null {
    if (this.#chunk !== null) return this.#chunk;
    const segment = this.#segments.shift();
    if (segment === undefined) return null;
    const lines = segment.lines.lines;
    this.#chunk = { day: segment.day, bytes: segment.lines.take(), offset: 0, lines };
    this.#spare = segment.lines;
    return this.#chunk;
  }

  /**
   * Writes the rest of `chunk`. `writeSync` is one write(2): on a full disk
   * it returns a short count and the next call throws, so `offset` always
   * says exactly how much reached the file.
   */
  #writeChunk(chunk: Chunk): void {
    this.#prepareFile(chunk);
    const fd = this.#fd as number;
    try {
      while (chunk.offset < chunk.bytes.length) {
        chunk.offset += writeSync(fd, chunk.bytes, chunk.offset, chunk.bytes.length - chunk.offset);
      }
    } catch (error) {
      const file = this.#fileOf(chunk.day);
      throw new Error(`cannot write to ${file}: ${messageOf(error)}`, { cause: error });
    }
  }

  /** Opens the file `chunk` belongs in, after rotation or removal of the current one. */
  #prepareFile(chunk: Chunk): void {
    if (this.#fd !== null && this.#fdDay !== chunk.day) this.#closeFile(true);
    if (this.#fd !== null && fstatSync(this.#fd).nlink === 0) {
      // Writes to an unlinked file succeed and vanish: start a new file.
      sinkLog().warn(`JSON log ${this.#fileOf(this.#fdDay)} was removed; creating it again`);
      this.#closeFile(false);
    }
    if (this.#fd !== null) return;
    const previousInode = this.#fdInode;
    try {
      this.#open(chunk.day);
    } catch (error) {
      const file = this.#fileOf(chunk.day);
      throw new Error(`cannot open ${file}: ${messageOf(error)}`, { cause: error });
    }
    // A line cut short in another file is written whole in this one.
    if (this.#fdInode !== previousInode && chunk.offset > 0) {
      chunk.offset = chunk.bytes.lastIndexOf(NEWLINE, chunk.offset - 1) + 1;
    }
  }

  #open(day: string): void {
    const fd = openSync(this.#fileOf(day), "a");
    this.#fd = fd;
    this.#fdDay = day;
    this.#fdInode = fstatSync(fd).ino;
  }

  /** Closes the current file; `finished` queues its gzip (its day is over). */
  #closeFile(finished: boolean): void {
    if (this.#fd === null) return;
    closeSync(this.#fd);
    this.#fd = null;
    if (finished && this.rotate) this.#compressor.add(this.#fileOf(this.#fdDay));
  }

  #fileOf(day: string): string {
    return this.rotate ? datedPath(this.path, day) : this.path;
  }
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function maxDay(a: string, b: string): string {
  return a > b ? a : b;
}
