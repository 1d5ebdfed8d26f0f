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

  it("refuses a DATABASE_URL that is not a SQLite file", () => {
    expect(() => resolveDatabaseLocation({ DATABASE_URL: "postgres://localhost/pb" })).toThrow(
      InvalidDatabaseUrlError,
    );
  });
});
