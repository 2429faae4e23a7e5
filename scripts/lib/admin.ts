import { randomBytes } from "node:crypto";
import type { PrismaClient } from "../../packages/db/src/index.ts";
import { hashPassword } from "../../packages/api/src/services/password.ts";

/**
 * The first administrator: from ADMIN_EMAIL/ADMIN_PASSWORD, or generated and printed once. Does nothing
 * when an administrator exists already.
 */
export async function ensureFirstAdmin(db: PrismaClient, log: (line: string) => void): Promise<void> {
  if (await db.user.findFirst({ where: { role: "ADMIN" }, select: { id: true } })) return;
  const email = (process.env.ADMIN_EMAIL ?? "admin@qualmeet.local").trim().toLowerCase();
  const generated = !process.env.ADMIN_PASSWORD;
  const password = process.env.ADMIN_PASSWORD ?? randomBytes(12).toString("base64url");
  if (password.length < 8) throw new Error("ADMIN_PASSWORD must have at least 8 characters.");
  const passwordHash = await hashPassword(password);
  const admin = await db.user.upsert({
    where: { email },
    create: { email, name: "Administrator", passwordHash, role: "ADMIN" },
    update: { role: "ADMIN", passwordHash },
  });
  await db.auditLog.create({ data: { actorId: admin.id, action: "admin.bootstrap", targetType: "user", targetId: admin.id } });
  log(`created the first administrator: ${email}`);
  if (generated) log(`  generated password (shown once, change it or set ADMIN_PASSWORD): ${password}`);
}
