// The web app's HTTP procedures (tRPC over fetch). In a browser the session cookie authenticates (sent also to
// another origin: credentials "include"); in Node a personal access token does (Authorization: Bearer qm_...).
import { createTRPCClient, httpBatchLink, httpLink, type TRPCClient, type TRPCLink } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "@qualmeet/api";
import { bearer } from "./token.ts";

export interface WebClientOptions {
  /** the web app's address, e.g. `https://meet.example.com`; empty (the default) for the page's own origin */
  url?: string;
  /** a personal access token (`qm_...`): the calls are its owner's, limited to its scopes; no cookie is sent */
  token?: string;
  /** a Cookie header to send from Node (a browser sends its own) */
  cookie?: string;
  /** more headers for every request */
  headers?: Record<string, string>;
  /** the fetch to use (default: the global one) */
  fetch?: typeof globalThis.fetch;
  /** several calls made together go in one request (default true) */
  batch?: boolean;
}

type FetchInput = Parameters<typeof globalThis.fetch>[0];

export const TRPC_HTTP_PATH = "/api/trpc";

function requestHeaders(options: WebClientOptions): Record<string, string> {
  const headers = { ...options.headers };
  if (options.token) headers.authorization = bearer(options.token);
  else if (options.cookie) headers.cookie = options.cookie;
  return headers;
}

/** The tRPC link for the web app's HTTP procedures, for a client you compose yourself (e.g. React Query's). */
export function webLink(options: WebClientOptions = {}): TRPCLink<AppRouter> {
  const headers = requestHeaders(options);
  const baseFetch = options.fetch;
  // a token call carries no cookie: the token alone decides who calls
  const credentials = options.token ? "omit" : "include";
  const linkOptions = {
    url: `${(options.url ?? "").replace(/\/+$/, "")}${TRPC_HTTP_PATH}`,
    transformer: superjson,
    headers: () => headers,
    fetch: (input: FetchInput, init?: RequestInit) => (baseFetch ?? globalThis.fetch)(input, { ...init, credentials }),
  };
  return options.batch === false ? httpLink(linkOptions) : httpBatchLink(linkOptions);
}

/** A typed client of the web app's HTTP procedures (`client.meeting.create.mutate(...)`). */
export function createWebClient(options: WebClientOptions = {}): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({ links: [webLink(options)] });
}
