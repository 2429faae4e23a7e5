// Without servers: docs/api.md is what the routers say (`npm run docs:api` rewrites it), it shows each procedure's
// limits and types as declared, and a procedure the generator cannot fully read still gets a section.
import { readFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { env } from "@qualmeet/config";
import { createTRPCRouter, publicProcedure } from "../trpc.ts";
import { API_DOC, describeProcedures, loadApiProcedures } from "./apiProcedures.ts";
import { renderApiDoc } from "./render.ts";

// a developer's shell may size limits its own way: the docs show the defaults all the same
process.env.RATE_LIMIT_CHAT_PER_10S = "999";
const procedures = await loadApiProcedures();
const doc = renderApiDoc(procedures, env);
// these read the configuration as they load: after loadApiProcedures has put placeholders for the servers' variables
const { KNOCKS } = await import("../meeting/lobby.ts");
const { DEFAULT_POLICY } = await import("../moderation/policy.ts");

/** The section of one procedure, from its anchor to the next one. */
function sectionOf(text: string, anchor: string): string {
  const start = text.indexOf(`<a id="${anchor}"></a>`);
  expect(start, `no section for ${anchor}`).toBeGreaterThanOrEqual(0);
  const end = text.indexOf("<a id=", start + 1);
  return text.slice(start, end === -1 ? undefined : end);
}

describe("API reference (docs/api.md)", () => {
  test("docs/api.md is the generated one (regenerate: npm run docs:api)", async () => {
    const committed = await readFile(API_DOC, "utf8").catch(() => "(docs/api.md is missing)");
    expect(committed, "docs/api.md differs from the routers: run npm run docs:api and commit it").toBe(doc);
  });

  test("every procedure of both routers has a section, listed in the contents", () => {
    expect(procedures.length).toBeGreaterThan(100);
    for (const p of procedures) {
      expect(doc).toContain(`](#${p.server}.${p.path})`);
      expect(sectionOf(doc, `${p.server}.${p.path}`)).toContain(`#### \`${p.path}\``);
    }
  });

  test("transport, kind, rule, limit, input and output as the routers declare them", () => {
    const send = sectionOf(doc, "realtime.chat.send");
    expect(send).toContain("- transport: WebSocket, the realtime node (`REALTIME_PUBLIC_URL`)");
    expect(send).toContain("- kind: mutation");
    expect(send).toContain("- who may call it: guest or user, conversation member");
    expect(send).toContain(
      `- rate limit: messages: ${env.RATE_LIMIT_CHAT_PER_10S} per 10 s per user (address block when signed out) (bucket \`chat:send\`, count set by \`RATE_LIMIT_CHAT_PER_10S\`)`,
    );
    expect(send).toContain("conversationId: string; // uuid");
    expect(send).toContain("replyToId?: string; // uuid");

    // an output read from the TypeScript types: a Prisma enum's values, a nullable object, a Date
    const me = sectionOf(doc, "web.auth.me");
    expect(me).toContain("- transport: HTTP, the web app's `/api/trpc`");
    expect(me).toContain("Input:\n\nnone");
    expect(me).toContain('role: "ADMIN" | "USER"');
    expect(me).toContain("} | null");
    expect(me).toContain(`- rate limit: none beyond the address block's ${env.RATE_LIMIT_GLOBAL_PER_MIN} calls a minute`);
    expect(sectionOf(doc, "web.chat.history")).toMatch(/messages: \{[^]*createdAt: Date;[^]*\}\[\];/);
    // a subscription documents what it yields (tracked events arrive as { id, data })
    expect(sectionOf(doc, "realtime.chat.events")).toMatch(/Output \(each event\):\n\n```ts\n\{\n {2}id: string;\n {2}data:/);
  });

  test("the limits shown are the defaults, whatever RATE_LIMIT_* the shell that writes the docs sets", () => {
    expect(process.env.RATE_LIMIT_CHAT_PER_10S).toBeUndefined();
    expect(env.RATE_LIMIT_CHAT_PER_10S).not.toBe(999);
    expect(doc).not.toContain("999");
  });

  test("limits the handler checks itself are shown with the handler's own numbers", () => {
    expect(sectionOf(doc, "realtime.lobby.knock")).toContain(
      `knocks that wait for the host: ${KNOCKS.capacity} per ${KNOCKS.windowMs / 60_000} minutes per user (bucket \`lobby:knock\`, checked by the handler)`,
    );
    const start = sectionOf(doc, "realtime.random.start");
    const { ip, device } = DEFAULT_POLICY.buckets.start;
    expect(start).toContain(`Start presses: ${ip.capacity} a minute per address block (bucket \`${ip.scope}\`, checked by the handler)`);
    expect(start).toContain(`Start presses: ${device.capacity} a minute per device (bucket \`${device.scope}\`, checked by the handler)`);
  });

  test("a procedure without an access rule, with a Date, a transform and a refinement still renders", () => {
    const router = createTRPCRouter({
      draft: createTRPCRouter({
        save: publicProcedure
          .input(
            z.object({
              at: z.date(),
              code: z
                .string()
                .trim()
                .transform((code) => code.toUpperCase()),
              count: z
                .number()
                .int()
                .refine((n) => n % 2 === 0, "even"),
            }),
          )
          .output(z.object({ savedAt: z.date(), id: z.string().uuid() }))
          .mutation(() => ({ savedAt: new Date(), id: "00000000-0000-4000-8000-000000000000" })),
      }),
    });
    const [draft] = describeProcedures({ web: router, realtime: createTRPCRouter({}) }, () => new Map());
    const section = sectionOf(renderApiDoc([draft!], env), "web.draft.save");
    expect(section).toContain("- who may call it: not declared (add `.meta(access(...))`: the authorization tests fail without it)");
    expect(section).toMatch(/at: Date;\n {2}code: string;\n {2}count: number; \/\/ integer/);
    expect(section).toContain("Output:\n\n```ts\n{\n  savedAt: Date;\n  id: string; // uuid\n}");
  });

  test("an input parser that is not a zod schema fails with a message saying what to do", () => {
    const router = createTRPCRouter({ odd: publicProcedure.input((raw: unknown) => String(raw)).query(({ input }) => input) });
    expect(() => describeProcedures({ web: router, realtime: createTRPCRouter({}) }, () => new Map())).toThrow(
      "web odd: its input parser is not a zod schema, and docs/api.md is written from zod schemas: use one",
    );
  });
});
