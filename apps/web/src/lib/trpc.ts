// The typed tRPC client of the web app's HTTP router (React Query bindings), linked by @qualmeet/client as any
// developer's client is: the same origin, the session cookie, batched calls.
import { createTRPCReact, type CreateTRPCReact } from "@trpc/react-query";
import { webLink } from "@qualmeet/client";
import type { AppRouter } from "@qualmeet/api";

export const trpc: CreateTRPCReact<AppRouter, unknown> = createTRPCReact<AppRouter>();

export function createHttpClient() {
  return trpc.createClient({ links: [webLink()] });
}

export { errorMessage, fieldErrors } from "@qualmeet/client";
