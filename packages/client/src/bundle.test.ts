// What npm would publish (dist/, built through turbo): its package.json names files that exist and nothing private,
// it loads, it imports only the client's own dependencies (the `ws` package from the Node entry only), and it holds
// nothing of the server: no run-time import of @qualmeet/api (its types only, in the declarations), no server
// modules, no secrets.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { turboBuild } from "../../../scripts/lib/webBuild.ts";

const packageDir = path.resolve(import.meta.dirname, "..");
const dist = path.join(packageDir, "dist");
const read = (file: string) => readFile(path.join(dist, file), "utf8");

beforeAll(() => turboBuild(path.resolve(packageDir, "../.."), "@qualmeet/client", { quiet: true }), 300_000);

/** Every module specifier a built file imports (static, side-effect and dynamic imports, re-exports). */
function importsOf(code: string): string[] {
  const patterns = [/\bfrom\s*["']([^"']+)["']/g, /\bimport\s*["']([^"']+)["']/g, /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g];
  return [...new Set(patterns.flatMap((pattern) => [...code.matchAll(pattern)].map((m) => m[1]!)))];
}

/** The built files an entry loads, itself included (relative imports followed). */
async function graphOf(entry: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const visit = async (file: string) => {
    if (files.has(file)) return;
    const code = await read(file);
    files.set(file, code);
    for (const specifier of importsOf(code)) if (specifier.startsWith("./")) await visit(path.posix.normalize(specifier));
  };
  await visit(entry);
  return files;
}

const packagesImported = (graph: Map<string, string>) => [...new Set([...graph.values()].flatMap(importsOf).filter((s) => !s.startsWith("./") && !s.startsWith("node:")))].sort();
const nodeModulesImported = (graph: Map<string, string>) => [...new Set([...graph.values()].flatMap(importsOf).filter((s) => s.startsWith("node:")))];

describe("the built package", () => {
  test("the browser entry imports only @trpc/client and superjson, none of Node's modules", async () => {
    const browser = await graphOf("index.js");
    expect(packagesImported(browser)).toEqual(["@trpc/client", "superjson"]);
    expect(nodeModulesImported(browser)).toEqual([]);
  });

  test("the Node entry adds the ws package (and Node's own modules, for bots), nothing else", async () => {
    const node = await graphOf("node.js");
    expect(packagesImported(node)).toEqual(["@trpc/client", "superjson", "ws"]);
    expect(nodeModulesImported(node)).toContain("node:dgram");
  });

  test("no built file holds server code, environment reads or secrets", async () => {
    const files = (await readdir(dist)).filter((f) => f.endsWith(".js"));
    // (its own name appears in a message: "in Node, use @qualmeet/client/node")
    const forbidden = [/@qualmeet\/(?!client)/, /ioredis/, /@prisma/, /mediasoup/, /next-auth/, /pino/, /NEXTAUTH_SECRET|DATABASE_URL|REDIS_URL|TURN_SECRET/];
    // a page has no environment to read (in Node, the bot helper reads FFMPEG_PATH and PATH to find ffmpeg)
    const browserFiles = new Set((await graphOf("index.js")).keys());
    for (const file of files) {
      const code = await read(file);
      for (const pattern of browserFiles.has(file) ? [...forbidden, /process\.env/] : forbidden) {
        expect({ file, pattern: String(pattern), found: pattern.test(code) }).toMatchObject({ found: false });
      }
    }
  });

  test("the declarations refer to @qualmeet/api for types only", async () => {
    const declarations = (await readdir(dist)).filter((f) => f.endsWith(".d.ts"));
    const apiLines = (await Promise.all(declarations.map(read))).flatMap((code) => code.split("\n")).filter((line) => line.includes("@qualmeet/api"));
    expect(apiLines.length).toBeGreaterThan(0);
    for (const line of apiLines) expect(line).toMatch(/^\s*(import type|export type) .* from "@qualmeet\/api";$/);
  });

  test("its package.json names files that exist and only public dependencies, and the entries load", async () => {
    const manifest = JSON.parse(await read("package.json")) as {
      private?: boolean;
      exports: Record<string, { types: string; default: string } | string>;
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
    };
    expect(manifest.private).toBeUndefined();
    for (const [name, target] of Object.entries(manifest.exports)) {
      for (const file of typeof target === "string" ? [target] : [target.types, target.default]) await expect(read(file), `${name}: ${file}`).resolves.toBeTruthy();
    }
    const declared = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });
    expect(declared.filter((name) => name.startsWith("@qualmeet/"))).toEqual([]);
    expect(packagesImported(await graphOf("node.js")).filter((name) => !declared.includes(name))).toEqual([]);
    expect(await read("README.md")).toMatch(/^# @qualmeet\/client/);

    const node = (await import(path.join(dist, "node.js"))) as Record<string, unknown>;
    for (const name of ["createWebClient", "createRealtimeConnection", "createQualmeetClient", "nodeWebSocket", "refusalOf", "withRefusals"])
      expect(typeof node[name]).toBe("function");
  });
});
