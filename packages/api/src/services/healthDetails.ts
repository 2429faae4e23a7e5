// /healthz and /api/health answer anyone whether the service is up; what runs on a node (meetings, participant
// counts, worker load, node id) is for operators only: it tells outsiders who uses the service and when.
import { createHash, timingSafeEqual } from "node:crypto";
import { env } from "@qualmeet/config";

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * Whether a health request may read the details: it sends `Authorization: Bearer <HEALTH_DETAILS_TOKEN>`. With no
 * token configured nobody may. Compared in constant time (of the digests), so the token cannot be guessed by timing.
 */
export function mayReadHealthDetails(authorization: string | null | undefined): boolean {
  const token = env.HEALTH_DETAILS_TOKEN;
  const offered = /^Bearer (.+)$/.exec(authorization ?? "")?.[1];
  if (!token || !offered) return false;
  return timingSafeEqual(digest(offered), digest(token));
}
