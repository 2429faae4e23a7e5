import type { NextConfig } from "next";

/** Same for every answer (pages, API answers, files); the CSP (per-request nonce) and HSTS are set in src/proxy.ts. */
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  // other sites learn our origin at most, never a meeting code in a path
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  // meetings need the camera, microphone and screen sharing, only on our own pages (no embedded frame gets them)
  { key: "Permissions-Policy", value: "camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=(), usb=()" },
  // for browsers without CSP frame-ancestors
  { key: "X-Frame-Options", value: "DENY" },
];

const nextConfig: NextConfig = {
  // Workspace packages export their TypeScript source.
  transpilePackages: ["@qualmeet/api", "@qualmeet/challenge", "@qualmeet/client", "@qualmeet/config", "@qualmeet/db", "@qualmeet/log"],
  // Native addons and Node-only clients stay out of the bundle and load from node_modules at run time.
  serverExternalPackages: ["@node-rs/argon2", "ioredis", "pg", "@prisma/adapter-pg", "@prisma/client", "pino"],
  poweredByHeader: false,
  headers: async () => [{ source: "/:path*", headers: securityHeaders }],
  // The test command type-checks every workspace once (turbo typecheck); checking again here only made each
  // build slower.
  typescript: { ignoreBuildErrors: true },
  reactStrictMode: true,
  // Test hooks (window.__qualmeet, window.__listenTogether) exist only in the build tests make (buildWeb's
  // testHooks): inlined at build time, so the product's bundle holds none of their code.
  env: { QUALMEET_TEST_HOOKS: process.env.QUALMEET_TEST_HOOKS === "1" ? "1" : "" },
  experimental: {
    // forbidden(): the admin page answers 403 for signed-in non-administrators
    authInterrupts: true,
  },
};

export default nextConfig;
