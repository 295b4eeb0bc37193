import { describe, expect, test } from "bun:test";
import { describeRecvBuffer, recvBufferNotes } from "../../src/listen/recv-buffer.ts";

describe("describeRecvBuffer", () => {
  test.each([
    // Linux doubles what it grants and reports the double.
    ["granted in full", 1_048_576, 2_097_152, "linux", { granted: 1_048_576, capped: false }],
    ["capped by rmem_max", 8_388_608, 8_388_608, "linux", { granted: 4_194_304, capped: true }],
    ["system default kept", 0, 212_992, "linux", { granted: 106_496, capped: false }],
    [
      "no doubling elsewhere",
      1_048_576,
      1_048_576,
      "darwin",
      { granted: 1_048_576, capped: false },
    ],
  ] as const)("%s", (_name, asked, reported, platform, expected) => {
    expect(describeRecvBuffer(asked, reported, platform)).toEqual({ asked, reported, ...expected });
  });
});

describe("recvBufferNotes", () => {
  test("a capped buffer gets a warning naming the sysctl and the size to set", () => {
    const notes = recvBufferNotes(describeRecvBuffer(8_388_608, 8_388_608, "linux"));
    expect(notes).toEqual({
      info: "UDP receive buffer: 4194304 bytes granted of 8388608 asked (the kernel reports 8388608)",
      warning:
        "UDP receive buffer capped at 4194304 bytes by net.core.rmem_max (asked 8388608); " +
        "a flood will overflow it sooner. Raise it: sysctl -w net.core.rmem_max=8388608 " +
        "(see docs/flood.md)",
    });
  });

  test("a granted buffer and the system default get no warning", () => {
    const granted = recvBufferNotes(describeRecvBuffer(1_048_576, 2_097_152, "linux"));
    const systemDefault = recvBufferNotes(describeRecvBuffer(0, 212_992, "linux"));
    expect([granted.warning, systemDefault]).toEqual([
      null,
      { info: "UDP receive buffer: system default, 212992 bytes", warning: null },
    ]);
  });
});
