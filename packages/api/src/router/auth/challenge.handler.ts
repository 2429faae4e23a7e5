import { issueChallenge, type IssuedChallenge } from "@qualmeet/challenge";
import { challengeSecret } from "../../env.ts";
import { registerSubject, signInChallenge } from "../../services/signInGuard.ts";
import type { Context } from "../../trpc.ts";
import type { ChallengeInput } from "./challenge.schema.ts";

/**
 * A proof-of-work challenge for the browser to solve before it signs in or registers; null when this sign-in needs
 * none (no failures from this address on this account lately). Registrations always need one.
 */
export async function challengeHandler({ ctx, input }: { ctx: Context; input: ChallengeInput }): Promise<{ challenge: IssuedChallenge | null }> {
  if (input.purpose === "signin") return { challenge: await signInChallenge(ctx.redis, ctx.ip, input.email) };
  return { challenge: await issueChallenge(ctx.redis, registerSubject(ctx.ip), { secret: challengeSecret() }) };
}
