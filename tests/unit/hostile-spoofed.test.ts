import { describe, expect, test } from "bun:test";
import type { Inbound } from "../../src/event/build-event.ts";
import { query } from "../helpers/dns-client.ts";
import { handlerRig } from "../helpers/hostile-handler.ts";

/** Longer than bun's default 5 s: this file does a lot of work on purpose. */
const LONG_TEST_MS = 60_000;

/**
 * Forged sources at the handler: each message claims a made-up address,
 * as a spoofed UDP flood would. The tables must stay within their caps,
 * and no address or network may get more replies than its budget, also
 * not by pushing the table full.
 */
const q = query("www.example", "A");
const MILLION = 1_000_000;

/** The i-th forged IPv4 source: 10.0.0.0/8 in order, 256 to a /24. */
const v4 = (i: number) => `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
const net24 = (i: number) => i >>> 8;

/** Sends one query from each address; counts the replies per key. */
function flood(
  rig: ReturnType<typeof handlerRig>,
  count: number,
  address: (i: number) => string,
  key: (i: number) => number,
  replies: Map<number, number>,
): void {
  for (let i = 0; i < count; i++) {
    const k = key(i);
    const msg: Inbound = {
      bytes: q,
      transport: "UDP",
      address: address(i),
      port: 1024 + (i % 60000),
      reply: () => replies.set(k, (replies.get(k) ?? 0) + 1),
    };
    rig.handler.handle(msg);
  }
}

const most = (m: Map<number, number>) => Math.max(0, ...m.values());

describe("a million forged sources", () => {
  test(
    "the source table stops at its cap and no source gets more than -c",
    () => {
      const rig = handlerRig(
        { reqCount: 2, prefixCount: 10, maxSources: 100_000 },
        { keepEvents: false },
      );
      // 16 sources in each of 65,536 /24s, so that -c, not the network budget, binds.
      const spread = (i: number) => `10.${(i >>> 8) & 255}.${i & 255}.${i >>> 16}`;
      const perSource = new Map<number, number>();
      for (let pass = 0; pass < 3; pass++) flood(rig, MILLION, spread, (i) => i, perSource);
      const perNetwork = new Map<number, number>();
      for (const [source, n] of perSource) {
        perNetwork.set(source & 0xffff, (perNetwork.get(source & 0xffff) ?? 0) + n);
      }

      expect({
        recorded: rig.recorded,
        sources: rig.budget.size,
        networks: rig.limits.prefixes?.size,
        answeredSources: perSource.size,
        mostPerSource: most(perSource),
        mostPerNetwork: most(perNetwork),
        tableFull: rig.handler.counters.tableFull,
      }).toEqual({
        recorded: 3 * MILLION,
        sources: 100_000,
        networks: 65_536,
        // Only the 100,000 that found room were ever answered, twice each.
        answeredSources: 100_000,
        mostPerSource: 2,
        mostPerNetwork: 4,
        tableFull: 3 * (MILLION - 100_000),
      });
    },
    LONG_TEST_MS,
  );

  test(
    "sources crowded into few networks get no more than --prefix-count each",
    () => {
      const rig = handlerRig({ reqCount: 3, prefixCount: 10 }, { keepEvents: false });
      const perNetwork = new Map<number, number>();
      flood(rig, MILLION, v4, net24, perNetwork);
      // A million sources fill 3,907 /24s; each got ten replies, then silence.
      expect([rig.budget.size, perNetwork.size, most(perNetwork)]).toEqual([MILLION, 3_907, 10]);
      expect(rig.handler.counters.prefixLimited).toBe(MILLION - 3_907 * 10);
    },
    LONG_TEST_MS,
  );

  test(
    "filling the table does not hand a spent source or network a fresh budget",
    () => {
      const rig = handlerRig(
        { reqCount: 3, prefixCount: 5, maxSources: 1000 },
        { keepEvents: false },
      );
      const early = new Map<number, number>();
      flood(
        rig,
        3,
        () => "192.0.2.1",
        () => 0,
        early,
      );
      flood(
        rig,
        2,
        () => "192.0.2.2",
        () => 0,
        early,
      );
      const later = new Map<number, number>();
      // A million newcomers hammer the full table, then the spent ones ask again.
      flood(rig, MILLION, v4, () => 1, later);
      flood(
        rig,
        3,
        () => "192.0.2.1",
        () => 2,
        later,
      );
      flood(
        rig,
        3,
        () => "192.0.2.3",
        () => 3,
        later,
      );
      rig.clock.now += 60_000;
      flood(rig, MILLION, v4, () => 4, later);
      flood(
        rig,
        3,
        () => "192.0.2.1",
        () => 5,
        later,
      );

      expect([early.get(0), later.get(1), later.get(2), later.get(3), later.get(5)]).toEqual([
        5,
        // The 998 sources that found room fill four /24s, of five replies each.
        4 * 5,
        undefined,
        undefined,
        undefined,
      ]);
      expect([rig.budget.size, rig.limits.prefixes?.size]).toEqual([1000, 5]);
    },
    LONG_TEST_MS,
  );

  test(
    "forged IPv6 sources spread over one /48 share the budgets of their /56s",
    () => {
      const rig = handlerRig({ reqCount: 3, prefixCount: 10 }, { keepEvents: false });
      const perNetwork = new Map<number, number>();
      // 65,536 distinct /64s, 256 of them in each of the /48's 256 /56s.
      const address = (i: number) => `2001:db8:0:${(i & 0xffff).toString(16)}::${(i >>> 16) + 1}`;
      flood(rig, 4 * 65_536, address, (i) => (i & 0xffff) >>> 8, perNetwork);
      expect({
        networks: perNetwork.size,
        mostPerNetwork: most(perNetwork),
        sources: rig.budget.size,
        prefixes: rig.limits.prefixes?.size,
      }).toEqual({ networks: 256, mostPerNetwork: 10, sources: 4 * 65_536, prefixes: 256 });
    },
    LONG_TEST_MS,
  );

  test(
    "with every cap at its default, memory stays within the tables' sizes",
    () => {
      const rig = handlerRig({ reqCount: 3, prefixCount: 10 }, { keepEvents: false });
      const replies = new Map<number, number>();
      // One source in each of a million /24s: the network table's worst case.
      const oneInEach24 = (i: number) => `${10 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}.1`;
      flood(rig, MILLION, oneInEach24, () => 0, replies);
      expect([rig.budget.size, rig.limits.prefixes?.size]).toEqual([MILLION, MILLION]);
      // 2^21 slots of 16 bytes keep a million IPv4 networks under 70 % full.
      // (The IPv6 table, unused, keeps its first 1,024 slots of 20 bytes.)
      expect(rig.limits.prefixes?.bytes).toBe(2 ** 21 * 16 + 1024 * 20);
    },
    LONG_TEST_MS,
  );
});
