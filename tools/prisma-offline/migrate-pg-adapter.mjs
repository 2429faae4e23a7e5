// Shims that make @prisma/adapter-pg 7.10 usable by the wasm schema engine (see comments).
import { fromProject } from "./resolve.mjs";

const { PrismaPg } = await fromProject("@prisma/adapter-pg");
const { ColumnTypeEnum } = await fromProject("@prisma/driver-adapter-utils");
const { default: pg } = await fromProject("pg");
const pgcs = await fromProject("pg-connection-string");
const parsePgUrl = pgcs.parse ?? pgcs.default?.parse ?? pgcs.default;

/**
 * Workaround 1: @prisma/adapter-pg 7.10 has no column-type mapping for Postgres' internal "char" type
 * (OID 18: pg_constraint.contype, pg_class.relkind, ... read by the schema describer) and throws
 * "Column type 'char' could not be deserialized". The pg client below relabels such columns as text so
 * the adapter accepts them, and remembers their positions on the rows array; patchQueryable() then
 * reports them to the engine as ColumnTypeEnum.Character (the describer calls get_char on them: plain
 * Text breaks on PG18, whose pg_constraint also lists NOT NULL constraints).
 */
class CatalogFriendlyClient extends pg.Client {
  query(...args) {
    const fix = (res) => {
      for (const r of Array.isArray(res) ? res : [res]) {
        const charCols = [];
        (r?.fields ?? []).forEach((f, i) => {
          if (f.dataTypeID === 18) {
            f.dataTypeID = 25;
            charCols.push(i);
          }
        });
        if (charCols.length && r.rows) Object.defineProperty(r.rows, "__charCols", { value: charCols });
      }
      return res;
    };
    const last = args.length - 1;
    if (typeof args[last] === "function") {
      const cb = args[last]; // pg.Pool#query uses the callback form
      args[last] = (err, res) => cb(err, err ? res : fix(res));
    }
    const r = super.query(...args);
    return r && typeof r.then === "function" ? r.then(fix) : r;
  }
}

let queryablePatched = false;
function patchQueryable(adapter) {
  if (queryablePatched) return;
  let proto = Object.getPrototypeOf(adapter);
  while (proto && !Object.prototype.hasOwnProperty.call(proto, "queryRaw")) proto = Object.getPrototypeOf(proto);
  if (!proto) throw new Error("adapter-pg internals changed: no queryRaw on prototype chain");
  const orig = proto.queryRaw;
  /**
   * Workaround 4: adapter-pg's executeScript splits the script on every ";", which cuts dollar-quoted
   * function bodies (triggers) apart. Send the whole script in one simple-protocol query, as the native
   * engine does; PostgreSQL runs its statements in order.
   */
  let scriptProto = Object.getPrototypeOf(adapter);
  while (scriptProto && !Object.prototype.hasOwnProperty.call(scriptProto, "executeScript")) scriptProto = Object.getPrototypeOf(scriptProto);
  if (!scriptProto) throw new Error("adapter-pg internals changed: no executeScript on prototype chain");
  scriptProto.executeScript = async function (script) {
    try {
      await this.client.query(script);
    } catch (error) {
      this.onError(error);
    }
  };
  proto.queryRaw = async function (q) {
    const res = await orig.call(this, q);
    for (const i of res.rows?.__charCols ?? []) res.columnTypes[i] = ColumnTypeEnum.Character;
    return res;
  };
  queryablePatched = true;
}

/**
 * Workaround 2: PrismaPg.connectToShadowDb() does `new Pool({...config, database: shadow})`, but pg lets
 * `connectionString` override `database`, so with a URL config the "shadow" pool silently points at the
 * MAIN database. Always hand PrismaPg discrete fields, never a connectionString.
 */
export function pgConfig(url, database) {
  const c = parsePgUrl(url);
  return {
    host: c.host ?? undefined,
    port: c.port ? Number(c.port) : undefined,
    user: c.user ?? undefined,
    password: c.password ?? undefined,
    database: database ?? c.database ?? undefined,
    ssl: c.ssl,
    max: 2,
    Client: CatalogFriendlyClient,
  };
}

/**
 * Workaround 3: PrismaPg's shadow-db dispose runs DROP DATABASE before closing the shadow pool
 * ("database ... is being accessed by other users"). Own implementation: close first, then drop.
 */
export class MigratePg extends PrismaPg {
  constructor(url) {
    super(pgConfig(url));
    this.url = url;
  }
  async connect() {
    const a = await super.connect();
    patchQueryable(a);
    return a;
  }
  async connectToShadowDb() {
    const shadowUrl = process.env.SHADOW_DATABASE_URL;
    if (shadowUrl) {
      // Dedicated shadow server (e.g. @prisma/dev's shadow port, or PGlite which cannot CREATE DATABASE):
      // wipe it first, since the wasm engine does not reset an external shadow db itself.
      const shadow = await new PrismaPg(pgConfig(shadowUrl)).connect();
      await shadow.executeScript(`DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;`);
      return shadow;
    }
    const main = await this.connect();
    // PGlite-based servers (pglite-socket, @prisma/dev) accept CREATE DATABASE but every connection lands
    // in the same single database, so the "shadow" would be the MAIN db. Refuse.
    const v = await main.queryRaw({ sql: "select version()", args: [], argTypes: [] });
    if (/PGlite|wasm32/.test(String(v.rows[0][0]))) {
      await main.dispose();
      const msg = "PGlite server detected: set SHADOW_DATABASE_URL to a separate, disposable database";
      console.error(msg); // the engine only reports "Failed to connect to the shadow database"
      throw new Error(msg);
    }
    const name = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
    await main.executeScript(`CREATE DATABASE "${name}"`);
    const shadow = await new PrismaPg(pgConfig(this.url, name)).connect();
    const closeShadow = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await closeShadow();
      await main.executeScript(`DROP DATABASE IF EXISTS "${name}"`);
      await main.dispose();
    };
    return shadow;
  }
}
