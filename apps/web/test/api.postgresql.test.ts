// The API's flows again, with the board stored in PostgreSQL instead of SQLite.
import { describe, it } from "vitest";
import {
  POSTGRES_MISSING,
  postgresInstalled,
  runServersOnPostgres,
} from "./helpers/testDatabase.js";

if (postgresInstalled) {
  runServersOnPostgres();
  await import("./api.test.js");
} else {
  describe("the API on PostgreSQL", () => {
    it.skip(POSTGRES_MISSING, () => {});
  });
}
