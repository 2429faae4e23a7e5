import { randomBytes } from "node:crypto";
import type { PrismaClient } from "../../packages/db/src/index.ts";
import { hashPassword } from "../../packages/api/src/services/password.ts";

/**
 * The first administrator: from ADMIN_EMAIL/ADMIN_PASSWORD (validated by packages/config), or with a generated
 * password printed once. Does nothing when an administrator exists already.
 */
export async function ensureFirstAdmin(db: PrismaClient, wanted: { email: string; password: string | undefined }, log: (line: string) => void): Promise<void> {
  if (await db.user.findFirst({ where: { role: "ADMIN" }, select: { id: true } })) return;
  const email = wanted.email.trim().toLowerCase();
  const generated = wanted.password === undefined;
  const password = wanted.password ?? randomBytes(12).toString("base64url");
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
