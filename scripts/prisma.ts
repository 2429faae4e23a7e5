// Prisma CLI, offline: the native schema engine cannot be downloaded here, so every command runs with the
// WebAssembly-backed stand-in in tools/prisma-offline. Commands that need a database get a throwaway
// embedded PostgreSQL unless DATABASE_URL is set.
//   tsx scripts/prisma.ts generate
//   tsx scripts/prisma.ts new <name>                  (writes the migration that brings the migrations to schema.prisma)
//   tsx scripts/prisma.ts migrate <args>              (any other `prisma migrate` command)
//   tsx scripts/prisma.ts check [schema]              (fails when the schema and the migrations disagree)
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { spawn } from "node:child_process";
import { execFileSync } from "node:child_process";
import { startPostgres } from "./lib/postgres.ts";
import { freePort } from "./lib/ports.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const shim = path.join(root, "tools/prisma-offline/schema-engine-shim.mjs");

export function prisma(args: string[], env: Record<string, string | undefined> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, "node_modules/prisma/build/index.js"), ...args], {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: shim, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1", ...env } as NodeJS.ProcessEnv,
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

async function withDatabase(fn: (url: string) => Promise<number>): Promise<number> {
  if (process.env.DATABASE_URL) return fn(process.env.DATABASE_URL);
  const dir = await mkdtemp(path.join(os.tmpdir(), "qualmeet-prisma-"));
  const server = await startPostgres({ dataDir: path.join(dir, "pg"), port: await freePort(), database: "qualmeet" });
  try {
    return await fn(server.url);
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case "generate":
      return prisma(["generate"]);
    case "migrate":
      return withDatabase((url) => prisma(["migrate", ...rest], { DATABASE_URL: url }));
    case "new": {
      // `prisma migrate dev` needs a shadow database factory the WebAssembly engine lacks; the diff from the
      // committed migrations to the schema is the same SQL, written where `migrate dev` would write it.
      const name = rest[0];
      if (!name || !/^[a-z0-9_]+$/.test(name)) {
        console.error("usage: npm run db:new -- <name_in_snake_case>");
        return 2;
      }
      return withDatabase(async (url) => {
        const sql = execFileSync(
          process.execPath,
          [path.join(root, "node_modules/prisma/build/index.js"), "migrate", "diff", "--from-migrations", "prisma/migrations", "--to-schema", "prisma/schema.prisma", "--script"],
          {
            cwd: root,
            env: { ...process.env, DATABASE_URL: url, PRISMA_SCHEMA_ENGINE_BINARY: shim, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
            encoding: "utf8",
          },
        );
        if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
          console.log("schema.prisma and the migrations already agree: no migration written");
          return 0;
        }
        const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
        const dir = path.join(root, "prisma/migrations", `${stamp}_${name}`);
        await mkdir(dir, { recursive: true });
        await writeFile(path.join(dir, "migration.sql"), sql);
        console.log(`wrote ${path.relative(root, dir)}/migration.sql`);
        return 0;
      });
    }
    case "check":
      return withDatabase((url) =>
        prisma(["migrate", "diff", "--from-migrations", "prisma/migrations", "--to-schema", rest[0] ?? "prisma/schema.prisma", "--exit-code"], { DATABASE_URL: url }),
      );
    default:
      console.error("usage: tsx scripts/prisma.ts generate | new <name> | migrate <args> | check [schema]");
      return 2;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
