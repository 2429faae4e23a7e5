// What a personal access token may do. A token-authenticated call reaches only procedures that name one of these
// with `.meta(tokenScope(...))`: every other procedure refuses tokens (FORBIDDEN), whatever the token's scopes.
export const API_TOKEN_SCOPES = ["chat:read", "chat:send", "meetings:manage", "meetings:join"] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

/** What each scope allows, as the settings page and docs say it. */
export const API_TOKEN_SCOPE_LABELS: Record<ApiTokenScope, string> = {
  "chat:read": "Read chat",
  "chat:send": "Send chat",
  "meetings:manage": "Manage meetings",
  "meetings:join": "Join meetings as a bot",
};
