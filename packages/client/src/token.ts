// A personal access token travels as `Authorization: Bearer qm_...`. The server ignores a bearer value without the
// prefix (the call then runs as nobody), so a wrong value is refused here, where the mistake can be named.
const TOKEN_PATTERN = /^qm_[A-Za-z0-9_-]+$/;

/** The Authorization header value for a personal access token; throws on anything that is not one. */
export function bearer(token: string): string {
  if (!TOKEN_PATTERN.test(token)) throw new Error('Not a QualMeet API token: a token starts with "qm_" (create one on /settings/tokens).');
  return `Bearer ${token}`;
}
