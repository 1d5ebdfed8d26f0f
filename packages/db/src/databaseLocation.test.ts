import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  InvalidDatabaseUrlError,
  resolveDatabaseLocation,
  resolvePhaseboardHome,
} from "./databaseLocation.js";

describe("resolveDatabaseLocation", () => {
  it("defaults to phaseboard.db under ~/.phaseboard", () => {
    expect(resolveDatabaseLocation({}).filePath).toBe(
      join(homedir(), ".phaseboard", "phaseboard.db"),
    );
  });

  it("puts the database under PHASEBOARD_HOME when it is set", () => {
    expect(resolveDatabaseLocation({ PHASEBOARD_HOME: "/srv/pb" })).toEqual({
      provider: "sqlite",
      url: "file:/srv/pb/phaseboard.db",
      filePath: "/srv/pb/phaseboard.db",
    });
    expect(resolvePhaseboardHome({ PHASEBOARD_HOME: "rel/home" })).toBe(resolve("rel/home"));
  });

  it("accepts DATABASE_URL as file:/abs, file:./relative, file:// and a bare path", () => {
    expect(resolveDatabaseLocation({ DATABASE_URL: "file:/data/x.db" }).filePath).toBe(
      "/data/x.db",
    );
    expect(resolveDatabaseLocation({ DATABASE_URL: "file:./x.db" }).filePath).toBe(resolve("x.db"));
    expect(resolveDatabaseLocation({ DATABASE_URL: "file:///data/y.db" }).filePath).toBe(
      "/data/y.db",
    );
    expect(resolveDatabaseLocation({ DATABASE_URL: "/data/z.db" }).url).toBe("file:/data/z.db");
  });

  it("selects PostgreSQL for a postgres:// or postgresql:// DATABASE_URL", () => {
    for (const url of ["postgresql://pb:secret@db:5433/board", "postgres://localhost/pb"]) {
      expect(resolveDatabaseLocation({ DATABASE_URL: url })).toEqual({
        provider: "postgresql",
        url,
      });
    }
  });

  it("refuses a DATABASE_URL that is neither a SQLite file nor a PostgreSQL database", () => {
    expect(() => resolveDatabaseLocation({ DATABASE_URL: "mysql://localhost/pb" })).toThrow(
      InvalidDatabaseUrlError,
    );
    expect(() => resolveDatabaseLocation({ DATABASE_URL: "postgresql://localhost" })).toThrow(
      "or a PostgreSQL database",
    );
  });

  it("never repeats the password of a refused URL", () => {
    expect(() =>
      resolveDatabaseLocation({ DATABASE_URL: "mysql://pb:hunter2@localhost/pb" }),
    ).toThrow('"mysql://pb:***@localhost/pb"');
  });
});
