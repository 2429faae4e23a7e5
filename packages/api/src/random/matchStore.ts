// RandomMatches (contract.ts) for moderation: the match records, the pairs never to be matched again, and taking
// someone out of random chat. Usable from any process with the Redis connection (no realtime node needed).
import type { Redis } from "ioredis";
import type { MatchRecord, RandomMatches, RandomPerson } from "./contract.ts";
import { AVOID_TTL_MS, randomKeys } from "./keys.ts";
import { matching } from "./matchScripts.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface StoredRecord extends MatchRecord {
  sharedInterests: string;
  textOnly: boolean;
}

export class RandomMatchStore implements RandomMatches {
  constructor(private readonly redis: Redis) {}

  async findMatch(matchId: string): Promise<MatchRecord | null> {
    if (!UUID.test(matchId)) return null;
    const raw = await this.redis.get(randomKeys.record(matchId));
    if (!raw) return null;
    const { a, b, startedAt, endedAt } = JSON.parse(raw) as StoredRecord;
    return { matchId, a, b, startedAt, endedAt };
  }

  async avoidPair(a: RandomPerson, b: RandomPerson): Promise<void> {
    await this.avoid(a, { userIds: [b.userId], deviceIds: [b.deviceId] });
    await this.avoid(b, { userIds: [a.userId], deviceIds: [a.deviceId] });
  }

  /** `person` is never matched with these users and devices (checked both ways by the matching script). */
  async avoid(person: Pick<RandomPerson, "userId" | "deviceId">, never: { userIds: string[]; deviceIds: string[] }): Promise<void> {
    const entries = [...never.userIds.map((id) => `u:${id}`), ...never.deviceIds.map((id) => `d:${id}`)];
    if (entries.length === 0) return;
    const multi = this.redis.multi();
    for (const key of [randomKeys.avoidUser(person.userId), randomKeys.avoidDevice(person.deviceId)]) {
      multi.sadd(key, ...entries).pexpire(key, AVOID_TTL_MS);
    }
    await multi.exec();
  }

  async removePerson(userId: string): Promise<void> {
    await matching(this.redis).randomLeave(userId, "removed", "");
  }
}
