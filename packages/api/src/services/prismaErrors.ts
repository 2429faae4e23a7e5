/** Whether PostgreSQL refused a write because it would break a unique index (Prisma's P2002). */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "P2002";
}
