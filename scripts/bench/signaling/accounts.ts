// Set-up: accounts and meetings created in bulk in the database (sign-ins: ../stack.ts).
import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { hashPassword } from "../../../packages/api/src/services/password.ts";
import { MEETING_CODE_ALPHABET } from "../../../packages/api/src/schemas.ts";
import { MEETING_SIZE } from "./options.ts";

export function meetingCode(): string {
  const bytes = randomBytes(8);
  return [...bytes].map((b) => MEETING_CODE_ALPHABET[b % MEETING_CODE_ALPHABET.length]).join("");
}

export async function createAccounts(databaseUrl: string, count: number, password: string): Promise<Array<{ id: string; email: string }>> {
  // one argon2 hash for all of them (hashing 1,000 passwords would take ~30 s)
  const hash = await hashPassword(password);
  const accounts = Array.from({ length: count }, (_, i) => ({ id: randomUUID(), email: `bench-${i}-${randomBytes(4).toString("hex")}@example.test` }));
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO "User" ("id", "name", "email", "passwordHash", "updatedAt")
       SELECT id, name, email, $4, now() FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(id, name, email)`,
      [accounts.map((a) => a.id), accounts.map((_, i) => `Bench ${i}`), accounts.map((a) => a.email), hash],
    );
  } finally {
    await client.end();
  }
  return accounts;
}

export async function createMeetings(databaseUrl: string, hosts: string[]): Promise<Array<{ id: string; code: string }>> {
  const codes = new Set<string>();
  while (codes.size < hosts.length) codes.add(meetingCode());
  const meetings = [...codes].map((code) => ({ id: randomUUID(), code }));
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // SFU from the first participant on, where meetings have a mesh threshold (P2P up to N participants)
    const threshold = await client.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'Meeting' AND column_name = 'p2pMaxParticipants'`);
    const [column, value] = threshold.rowCount ? [`, "p2pMaxParticipants"`, ", 0"] : ["", ""];
    await client.query(
      `INSERT INTO "Meeting" ("id", "code", "title", "hostId", "maxParticipants", "mode"${column})
       SELECT id, code, title, host, $5, 'SFU'${value} FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[]) AS t(id, code, title, host)`,
      [meetings.map((m) => m.id), meetings.map((m) => m.code), meetings.map((_, i) => `Bench meeting ${i}`), hosts, MEETING_SIZE],
    );
  } finally {
    await client.end();
  }
  return meetings;
}
