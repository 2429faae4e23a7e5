// CSV for the audit log's export, safe to open in a spreadsheet (OWASP "CSV Injection"): a cell starting with
// = + - @ tab or carriage return would run as a formula in Excel, LibreOffice or Google Sheets (=HYPERLINK(...)
// leaks data, =cmd|... ran programs), so it gets a leading single quote, which spreadsheets show as text. Every
// cell is quoted and inner quotes doubled (RFC 4180), so commas, quotes and line breaks stay inside their cell.
import type { AuditEntry } from "./auditLog.ts";

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | null): string {
  if (value === null) return '""';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${text.replaceAll('"', '""')}"`;
}

/** One record, CRLF-terminated as RFC 4180 says. */
export const csvRecord = (cells: (string | null)[]): string => `${cells.map(csvCell).join(",")}\r\n`;

export const AUDIT_CSV_HEADER = ["id", "time (UTC)", "actor id", "actor name", "actor e-mail", "action", "target type", "target id", "reason", "ip", "data"];

export function auditCsvRecord(entry: AuditEntry): string {
  return csvRecord([
    entry.id,
    entry.createdAt.toISOString(),
    entry.actor?.id ?? null,
    entry.actor?.name ?? null,
    entry.actor?.email ?? null,
    entry.action,
    entry.targetType,
    entry.targetId,
    entry.reason,
    entry.ip,
    entry.data,
  ]);
}

/**
 * The first bytes of the file: the UTF-8 byte order mark, without which Excel reads the file in the machine's
 * legacy code page and garbles every name outside ASCII, then the header.
 */
export const auditCsvStart = (): string => `\uFEFF${csvRecord(AUDIT_CSV_HEADER)}`;
