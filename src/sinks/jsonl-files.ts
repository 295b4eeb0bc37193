import { createReadStream, createWriteStream, readdirSync } from "node:fs";
import { rm, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { messageOf } from "../errors.ts";
import { sinkLog } from "./failure-reports.ts";

/** Read size for gzip: small enough that each step of the stream is short. */
const GZIP_READ_BYTES = 64 * 1024;

/**
 * The file of one UTC day: `log.jsonl` -> `log.2026-01-06.jsonl`; a name
 * without an extension gets the date appended (`log` -> `log.2026-01-06`).
 */
export function datedPath(path: string, day: string): string {
  const { stem, extension } = splitName(basename(path));
  return join(dirname(path), `${stem}.${day}${extension}`);
}

/**
 * Plain (not yet gzipped) day files of `path` for days before `today`, oldest
 * first: what a previous run left when it stopped before the day changed.
 */
export function plainDayFilesBefore(path: string, today: string): string[] {
  const { stem, extension } = splitName(basename(path));
  const pattern = new RegExp(
    `^${escapeRegExp(stem)}\\.(\\d{4}-\\d{2}-\\d{2})${escapeRegExp(extension)}$`,
  );
  const days: string[] = [];
  for (const name of readdirSync(dirname(path))) {
    const day = pattern.exec(name)?.[1];
    if (day !== undefined && day < today) days.push(day);
  }
  return days.sort().map((day) => datedPath(path, day));
}

/**
 * Gzips finished day files one after another, off the event loop: node:zlib
 * streams compress on a worker thread (measured: the loop kept ~90 % of its
 * turns while a 40 MB file was compressed), where gzipSync would block it.
 */
export class Compressor {
  #queue: Promise<void> = Promise.resolve();

  /** Queues `path` -> `path.gz`; the plain file is removed once the gzip is complete. */
  add(path: string): void {
    this.#queue = this.#queue.then(() => gzipFile(path));
  }

  /** Resolves when every queued file has been handled. */
  idle(): Promise<void> {
    return this.#queue;
  }
}

async function gzipFile(path: string): Promise<void> {
  const target = `${path}.gz`;
  try {
    await pipeline(
      createReadStream(path, { highWaterMark: GZIP_READ_BYTES }),
      createGzip(),
      createWriteStream(target),
    );
    await unlink(path);
  } catch (error) {
    // A half-written .gz must not pass for the day's log; the plain file
    // stays and the next start tries again.
    await rm(target, { force: true }).catch(() => {});
    sinkLog().warn(`cannot gzip ${path}, left as it is: ${messageOf(error)}`);
  }
}

function splitName(name: string): { stem: string; extension: string } {
  const dot = name.lastIndexOf(".");
  // A leading dot starts a hidden name, not an extension.
  if (dot <= 0) return { stem: name, extension: "" };
  return { stem: name.slice(0, dot), extension: name.slice(dot) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
