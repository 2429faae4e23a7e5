// Every Redis key of the proof-of-work challenge, in one place.

/** A solved challenge, remembered until it expires so that it is accepted once (value: "1"). */
export const usedChallengeKey = (signature: string): string => `challenge:used:${signature}`;

/** How many challenges one caller (scope + key) was given lately: the next one is harder (counter with TTL). */
export const issuedCountKey = (scope: string, key: string): string => `challenge:issued:${scope}:${key}`;
