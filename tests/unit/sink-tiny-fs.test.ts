import { Database } from "bun:sqlite";
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UdpotError } from "../../src/errors.ts";
import { openJsonlSink } from "../../src/sinks/jsonl-sink.ts";
import type { Sink } from "../../src/sinks/sink.ts";
import { openSqliteSink } from "../../src/sinks/sqlite-sink.ts";
import { sampleEvent } from "./sink-fixtures.ts";

// Real ENOSPC and EROFS need small filesystems of our own. As root, tmpfs
// mounts work here; anywhere they do not, these tests are skipped.
const base = mkdtempSync(join(tmpdir(), "udpot-tinyfs-"));
const full = join(base, "full");
const readOnly = join(base, "ro");
mkdirSync(full);
mkdirSync(readOnly);
const mountedFull = mount(full, "size=256k");
const mountedRo = mountedFull && mount(readOnly, "size=64k,ro");

function mount(dir: string, options: string): boolean {
  return spawnSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir]).status === 0;
}

afterEach(() => {
  if (!mountedFull) return;
  for (const name of readdirSync(full)) rmSync(join(full, name), { recursive: true, force: true });
});
afterAll(() => {
  if (mountedRo) spawnSync("umount", [readOnly]);
  if (mountedFull) spawnSync("umount", [full]);
  rmSync(base, { recursive: true, force: true });
});

/** Writes numbered events, flushing every `batch`, until a flush throws; returns the count. */
function fillUntilFull(sink: Sink, batch: number): number {
  for (let port = 0; port < 100_000; port++) {
    sink.write(sampleEvent({ src_port: port }));
    if (port % batch !== batch - 1) continue;
    try {
      sink.flush();
    } catch {
      return port + 1;
    }
  }
  throw new Error("the filesystem never filled up");
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

function jsonlPorts(path: string): number[] {
  const text = readFileSync(path, "utf8");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line).src_port);
}

describe.skipIf(!mountedFull)("a full disk", () => {
  test("JSONL: the flush fails, and once space is freed the cut line is completed", () => {
    const filler = join(full, "filler");
    writeFileSync(filler, Buffer.alloc(64 * 1024));
    const path = join(full, "log.jsonl");
    const sink = openJsonlSink(path, { rotate: false });
    const recorded = fillUntilFull(sink, 10);
    expect(sink.pending()).toBeGreaterThan(0);

    rmSync(filler);
    sink.close();
    // Every line whole, none twice, none missing.
    expect(jsonlPorts(path)).toEqual(range(0, recorded));
  });

  test("JSONL: a line cut short in a removed file is written whole in the new one", () => {
    const path = join(full, "log.jsonl");
    const sink = openJsonlSink(path, { rotate: false });
    const recorded = fillUntilFull(sink, 10);
    const old = readFileSync(path, "utf8");
    const complete = old.split("\n").length - 1;

    rmSync(path);
    sink.close();
    expect(jsonlPorts(path)).toEqual(range(complete, recorded));
  });

  test("SQLite: the batch fails as a whole, is kept, and is written once space is freed", () => {
    const filler = join(full, "filler");
    writeFileSync(filler, Buffer.alloc(64 * 1024));
    const path = join(full, "db.sqlite3");
    const sink = openSqliteSink(path);
    const recorded = fillUntilFull(sink, 50);
    expect(sink.pending()).toBe(50);
    expect(() => sink.flush()).toThrow("database or disk is full");

    rmSync(filler);
    sink.close();
    const db = new Database(path, { readonly: true });
    const ports = db.query<{ src_port: number }, []>("SELECT src_port FROM dns ORDER BY id").all();
    db.close();
    expect(ports.map((row) => row.src_port)).toEqual(range(0, recorded));
  });
});

describe.skipIf(!mountedRo)("a read-only filesystem", () => {
  test.each([
    ["JSONL", () => openJsonlSink(join(readOnly, "log.jsonl"), { rotate: false })],
    ["JSONL with rotation", () => openJsonlSink(join(readOnly, "log.jsonl"), { rotate: true })],
    ["SQLite", () => openSqliteSink(join(readOnly, "db.sqlite3"))],
  ])("%s refuses to start", (_, open) => {
    expect(open).toThrow(UdpotError);
  });
});
