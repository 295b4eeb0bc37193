/**
 * A port free for both UDP and TCP on 127.0.0.1 right now. Another process
 * could take it before the caller binds; tests accept that small race.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const udp = await Bun.udpSocket({ hostname: "127.0.0.1" });
    const port = udp.port;
    try {
      const tcp = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
      tcp.stop(true);
      udp.close();
      return port;
    } catch {
      udp.close();
    }
  }
  throw new Error("no free port found on 127.0.0.1");
}
