import { afterAll, beforeAll, expect, test } from "vitest";
import type { types } from "mediasoup";
import { MediaError, Room, WorkerPool } from "./index.ts";
import { audioFromTo, nextEvent, waitFor } from "./test-helpers.ts";

let pool: WorkerPool;

beforeAll(async () => {
  pool = await WorkerPool.create({ numWorkers: 2, logLevel: "none", rtcMinPort: 45000, rtcMaxPort: 45999 });
});

afterAll(async () => {
  await pool?.close();
});

async function pidOf(router: types.Router): Promise<number> {
  for (const w of pool.workers) if ((await w.worker.dump()).routerIds.includes(router.id)) return w.pid;
  throw new Error(`router ${router.id} is on no live worker`);
}

test("pick() takes the least-loaded worker; loads() reports routers, consumers and CPU time", async () => {
  expect(pool.workers).toHaveLength(2);
  const first = pool.pick();
  const room = await Room.create({ pool, id: "load" });
  try {
    // the room's router went to the first pick; the next pick is the other worker
    const second = pool.pick();
    expect(second.pid).not.toBe(first.pid);
    expect(pool.pick(new Set([second.pid])).pid).toBe(first.pid);
    expect(pool.pick(new Set([first.pid, second.pid]))).toBeDefined(); // everything excluded: still a worker

    const { send } = await audioFromTo(room, "alice", ["bob"]);

    const loads = await pool.loads();
    expect(loads).toHaveLength(2);
    const mine = loads.find((l) => l.pid === first.pid)!;
    expect(mine).toMatchObject({ routers: 1, consumers: 1 });
    expect(mine.cpuMs).toBeGreaterThan(0);
    expect(loads.find((l) => l.pid === second.pid)).toMatchObject({ routers: 0, consumers: 0 });
    for (const c of send.iceCandidates) expect(c.port).toBeGreaterThanOrEqual(45000);
  } finally {
    room.close();
  }
  expect((await pool.loads()).map((l) => [l.routers, l.consumers])).toEqual([
    [0, 0],
    [0, 0],
  ]);
});

test("a killed worker is replaced; rooms on it emit workerdied and close; rooms elsewhere live on", async () => {
  const doomedRoom = await Room.create({ pool, id: "doomed" });
  const otherRoom = await Room.create({ pool, id: "other" }); // least-loaded: the other worker
  const doomedPid = await pidOf(doomedRoom.routers[0]!);
  expect(await pidOf(otherRoom.routers[0]!)).not.toBe(doomedPid);
  const victim = pool.workers.find((w) => w.pid === doomedPid)!;

  const peer = doomedRoom.addPeer("alice");
  await peer.createWebRtcTransport("send");
  const events: string[] = [];
  doomedRoom.on("workerdied", () => events.push("workerdied"));
  doomedRoom.on("close", () => events.push("close"));
  const poolDied = nextEvent<[number]>(pool, "workerdied");

  process.kill(victim.pid, "SIGKILL");
  expect(await poolDied).toEqual([victim.pid]);
  await waitFor(() => doomedRoom.closed, "the room on the dead worker to close");
  expect(events).toEqual(["workerdied", "close"]);
  expect(peer.closed).toBe(true);
  expect(otherRoom.closed).toBe(false);
  await expect(peer.createWebRtcTransport("recv")).rejects.toBeInstanceOf(MediaError);

  await pool.whenReplenished();
  expect(pool.workers).toHaveLength(2);
  expect(pool.workers.map((w) => w.pid)).not.toContain(victim.pid);
  // the signaling layer builds a new room: it works
  const reborn = await Room.create({ pool, id: "doomed" });
  const p = reborn.addPeer("alice");
  await p.createWebRtcTransport("send");
  reborn.close();
  otherRoom.close();
});

test("a room spread over two workers closes when its secondary worker dies", async () => {
  const room = await Room.create({ pool, id: "spread", maxConsumersPerRouter: 1 });
  try {
    await audioFromTo(room, "alice", ["bob", "carol"]);
    expect(room.routerCount()).toBe(2);
    const secondary = room.routers[1]!;
    const secondaryPid = await pidOf(secondary);
    expect(secondaryPid).not.toBe(await pidOf(room.routers[0]!));

    const died = nextEvent(room, "workerdied");
    process.kill(secondaryPid, "SIGKILL");
    await died;
    expect(room.closed).toBe(true);
    await pool.whenReplenished();
    expect(pool.workers).toHaveLength(2);
  } finally {
    room.close();
  }
});

test("WorkerPool.create validates its options", async () => {
  await expect(WorkerPool.create({ numWorkers: 0 })).rejects.toThrow(/numWorkers/);
  await expect(WorkerPool.create({ rtcMinPort: 5000, rtcMaxPort: 4000 })).rejects.toThrow(/rtcMinPort/);
});
