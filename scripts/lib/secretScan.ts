// Looks for secrets in files the browser downloads (the web app's client bundle, .next/static): a secret
// inlined at build time (a NEXT_PUBLIC_ variable set from one, a server module pulled into a page) is public.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

export interface Secret {
  /** what it is, for the report: "NEXTAUTH_SECRET", "DATABASE_URL's password" */
  name: string;
  value: string;
}

export interface SecretFound {
  name: string;
  file: string;
}

/** The secrets of a configuration: every secret variable that is set, and the URLs' passwords on their own. */
export function secretsOf(env: Record<string, string | undefined>): Secret[] {
  const secrets: Secret[] = [];
  for (const name of ["NEXTAUTH_SECRET", "TURN_SECRET", "ADMIN_PASSWORD", "HEALTH_DETAILS_TOKEN", "DATABASE_URL", "REDIS_URL"]) {
    const value = env[name];
    if (!value) continue;
    secrets.push({ name, value });
    if (name.endsWith("_URL")) {
      const password = decodeURIComponent(new URL(value).password);
      // a short password would match by chance ("postgres"); the whole URL is searched anyway
      if (password.length >= 8) secrets.push({ name: `${name}'s password`, value: password });
    }
  }
  return secrets;
}

/** Every way a value can be written in a JavaScript or JSON file: as it is, JSON-escaped, URL-encoded, base64. */
function spellings(value: string): string[] {
  return [...new Set([value, JSON.stringify(value).slice(1, -1), value.replaceAll("/", "\\/"), encodeURIComponent(value), Buffer.from(value).toString("base64")])];
}

async function* filesUnder(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(full);
    else yield full;
  }
}

/**
 * Which secrets appear in a file under `dir`, and where; also any PostgreSQL or Redis URL with a password
 * (another environment's secrets, e.g. from a build cached elsewhere). Returns [] when the bundle is clean.
 */
export async function scanForSecrets(dir: string, secrets: Secret[]): Promise<SecretFound[]> {
  const found: SecretFound[] = [];
  const credentialUrl = /\b(?:postgres(?:ql)?|rediss?):\/\/[^\s"'`/:@]*:[^\s"'`/@]+@/;
  for await (const file of filesUnder(dir)) {
    const text = await readFile(file, "latin1");
    const relative = path.relative(dir, file);
    for (const secret of secrets) if (spellings(secret.value).some((s) => text.includes(s))) found.push({ name: secret.name, file: relative });
    if (credentialUrl.test(text)) found.push({ name: "a database or Redis URL with a password", file: relative });
  }
  return found;
}
