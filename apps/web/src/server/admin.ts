// Every admin page calls this before it reads anything: a layout alone does not run on every navigation, so
// each page checks for itself (the procedures it calls check again, as adminProcedure).
import { forbidden, redirect } from "next/navigation";
import type { SessionUser } from "@qualmeet/api";
import { currentUser } from "./session";

/** The signed-in admin; a signed-out visitor goes to sign-in (and back to `path`), anyone else gets 403. */
export async function requireAdmin(path: string): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(path)}`);
  if (user.isGuest || user.role !== "ADMIN") forbidden();
  return user;
}
