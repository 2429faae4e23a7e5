import type { NextConfig } from "next";
import { STATIC_SECURITY_HEADERS } from "./src/server/securityHeaders";

const nextConfig: NextConfig = {
  // Workspace packages export their TypeScript source.
  transpilePackages: ["@qualmeet/api", "@qualmeet/challenge", "@qualmeet/config", "@qualmeet/db", "@qualmeet/log"],
  // Native addons and Node-only clients stay out of the bundle and load from node_modules at run time.
  serverExternalPackages: ["@node-rs/argon2", "ioredis", "pg", "@prisma/adapter-pg", "@prisma/client", "pino"],
  poweredByHeader: false,
  // every answer, files included; the CSP (per-request nonce) and HSTS are set in src/proxy.ts
  headers: async () => [{ source: "/:path*", headers: [...STATIC_SECURITY_HEADERS] }],
  // The test command type-checks every workspace once (turbo typecheck); checking again here only made each
  // build slower.
  typescript: { ignoreBuildErrors: true },
  reactStrictMode: true,
  experimental: {
    // forbidden(): the admin page answers 403 for signed-in non-administrators
    authInterrupts: true,
  },
};

export default nextConfig;
