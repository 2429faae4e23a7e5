import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { afterCursor, decodeCursor, encodeCursor, keysetPage } from "./keyset.ts";

describe("keyset paging", () => {
  it("a cursor leads back to the row it was made from", () => {
    const at = new Date("2026-12-03T10:00:00.123Z");
    expect(decodeCursor(encodeCursor({ at, id: "42" }))).toEqual({ at, id: "42" });
  });

  it("a made-up or damaged cursor is a clear BAD_REQUEST", () => {
    for (const bad of ["nonsense", Buffer.from('["yesterday","1"]').toString("base64url"), Buffer.from("{}").toString("base64url")]) {
      expect(() => decodeCursor(bad)).toThrowError(TRPCError);
    }
  });

  it("after a cursor means older rows for newest-first lists, ties broken by id", () => {
    const at = new Date("2026-12-03T10:00:00Z");
    expect(afterCursor(encodeCursor({ at, id: "b" }), "createdAt", "desc")).toEqual({ OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: "b" } }] });
    expect(afterCursor(null, "createdAt", "asc")).toEqual({});
  });

  it("the next cursor exists only when a further row was fetched", () => {
    const rows = [1, 2, 3].map((n) => ({ id: String(n), at: new Date(n * 1000) }));
    const full = keysetPage(rows, 2, (row) => row);
    expect(full.items.map((row) => row.id)).toEqual(["1", "2"]);
    expect(decodeCursor(full.nextCursor!)).toEqual({ at: rows[1]!.at, id: "2" });
    expect(keysetPage(rows, 3, (row) => row).nextCursor).toBeNull();
  });
});
