// "Export CSV" on /admin/audit: the same filter parameters as the page's URL, every matching entry as a download.
// auditCsvExport checks the caller is an administrator before it reads a row (401/403 otherwise).
import { auditCsvExport, getRedis } from "@qualmeet/api";
import { CLIENT_IP_HEADER } from "@qualmeet/api/client-ip";
import { getDb } from "@qualmeet/db";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export function GET(req: Request): Promise<Response> {
  return auditCsvExport({
    db: getDb(),
    redis: getRedis(),
    cookie: req.headers.get("cookie"),
    ip: req.headers.get(CLIENT_IP_HEADER),
    query: new URL(req.url).searchParams,
  });
}
