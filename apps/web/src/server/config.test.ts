import { mkdtempSync, realpathSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

const base = { PHASEBOARD_HOME: "/tmp/phaseboard-config-test", PHASEBOARD_PROJECT: "/tmp" };

describe("loadConfig: allowed hosts", () => {
  it("answers HOST and PHASEBOARD_ALLOWED_HOSTS besides the loopback names", () => {
    expect(loadConfig(base).allowedHosts).toEqual(["127.0.0.1"]);
    const config = loadConfig({
      ...base,
      HOST: "0.0.0.0",
      PHASEBOARD_TOKEN: "0123456789abcdef",
      PHASEBOARD_ALLOWED_HOSTS: " Board.example.test , [fd00::1],devbox ",
    });
    expect(config.allowedHosts).toEqual(["0.0.0.0", "board.example.test", "fd00::1", "devbox"]);
  });

  it("refuses an allowed host with a port, a scheme or a space, naming it", () => {
    for (const entry of ["devbox:4100", "http://devbox", "dev box"]) {
      expect(() => loadConfig({ ...base, PHASEBOARD_ALLOWED_HOSTS: entry }), entry).toThrow(
        ConfigError,
      );
      expect(() => loadConfig({ ...base, PHASEBOARD_ALLOWED_HOSTS: entry })).toThrow(
        `PHASEBOARD_ALLOWED_HOSTS: ${entry} is not a host name`,
      );
    }
  });
});

describe("loadConfig: the project", () => {
  it("registers the project through its symlinks, as the board's Add project does", () => {
    const real = mkdtempSync(join(tmpdir(), "phaseboard-real-"));
    const link = `${real}-link`;
    symlinkSync(real, link, "dir");
    expect(loadConfig({ ...base, PHASEBOARD_PROJECT: link }).projectDir).toBe(realpathSync(real));
  });
});
