import pg from "pg";
import { POSTGRES_CONNECT_TIMEOUT_MS } from "../createDbClient.js";

/** PostgreSQL's one-byte `"char"` type (pg_catalog's `relkind`, `contype`, …). */
const CHAR_OID = 18;
const TEXT_OID = 25;

type FieldResult = { fields?: { dataTypeID: number }[] };

/**
 * A pool for the schema engine. The engine reads the catalog to introspect a database,
 * and the catalog's `"char"` columns are a type the `pg` driver adapter refuses
 * ("Column type 'char' could not be deserialized"). node-postgres already returns them
 * as strings, so each result labels them as `text`, which the adapter accepts.
 */
export function createMigrationPool(url: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
  });
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const last = args.at(-1);
      if (typeof last === "function") {
        args[args.length - 1] = (error: unknown, result: unknown) =>
          last(error, error ? result : relabel(result));
        return query(...args);
      }
      const returned = query(...args);
      return returned instanceof Promise ? returned.then(relabel) : returned;
    };
  });
  return pool;
}

function relabel(result: unknown): unknown {
  for (const one of Array.isArray(result) ? result : [result]) {
    for (const field of (one as FieldResult | undefined)?.fields ?? []) {
      if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}
