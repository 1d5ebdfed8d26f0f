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

describe("loadConfig: execution backend", () => {
  it("is local unless PHASEBOARD_BACKEND says restate, with the cluster's first node by default", () => {
    expect(loadConfig(base).backend).toEqual({ kind: "local" });
    expect(loadConfig({ ...base, PHASEBOARD_BACKEND: "restate" }).backend).toEqual({
      kind: "restate",
      ingress: "http://127.0.0.1:18080",
      admin: "http://127.0.0.1:19070",
      worker: "local",
    });
    const custom = loadConfig({
      ...base,
      PHASEBOARD_BACKEND: "restate",
      PHASEBOARD_RESTATE_INGRESS: "http://restate.internal:8080",
      PHASEBOARD_RESTATE_ADMIN: "https://restate.internal:9070",
      PHASEBOARD_RESTATE_WORKER: "build-box-1",
    }).backend;
    expect(custom).toMatchObject({
      ingress: "http://restate.internal:8080",
      worker: "build-box-1",
    });
  });

  it("refuses an unknown backend, an address that is not http(s), and a bad worker id, naming the setting", () => {
    expect(() => loadConfig({ ...base, PHASEBOARD_BACKEND: "temporal" })).toThrow(
      "PHASEBOARD_BACKEND must be local or restate",
    );
    for (const address of ["127.0.0.1:8080", "ftp://host:1", "http://host:1/some/path"]) {
      expect(() => loadConfig({ ...base, PHASEBOARD_RESTATE_INGRESS: address }), address).toThrow(
        "PHASEBOARD_RESTATE_INGRESS must be an http(s) address",
      );
    }
    expect(() => loadConfig({ ...base, PHASEBOARD_RESTATE_ADMIN: "nope" })).toThrow(
      "PHASEBOARD_RESTATE_ADMIN must be an http(s) address",
    );
    expect(() => loadConfig({ ...base, PHASEBOARD_RESTATE_WORKER: "../etc" })).toThrow(
      "PHASEBOARD_RESTATE_WORKER must be",
    );
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

describe("loadConfig: run port blocks", () => {
  it("hands out 20000-29999 in blocks of 10 unless PHASEBOARD_PORT_RANGE and PHASEBOARD_PORT_BLOCK say otherwise", () => {
    expect(loadConfig(base).ports).toEqual({ first: 20_000, last: 29_999, size: 10 });
    expect(
      loadConfig({ ...base, PHASEBOARD_PORT_RANGE: "41000-41099", PHASEBOARD_PORT_BLOCK: "5" })
        .ports,
    ).toEqual({ first: 41_000, last: 41_099, size: 5 });
  });

  it("refuses a range that is not first-last within 1024-65535, and a block larger than the range", () => {
    for (const range of ["20000", "30000-20000", "80-90", "20000-70000", "a-b"]) {
      expect(() => loadConfig({ ...base, PHASEBOARD_PORT_RANGE: range }), range).toThrow(
        `PHASEBOARD_PORT_RANGE: ${range} is not a port range`,
      );
    }
    expect(() =>
      loadConfig({ ...base, PHASEBOARD_PORT_RANGE: "40000-40004", PHASEBOARD_PORT_BLOCK: "10" }),
    ).toThrow("PHASEBOARD_PORT_BLOCK=10 is larger than PHASEBOARD_PORT_RANGE (40000-40004)");
    expect(() => loadConfig({ ...base, PHASEBOARD_PORT_BLOCK: "0" })).toThrow(
      "PHASEBOARD_PORT_BLOCK must be at least 1",
    );
  });
});
