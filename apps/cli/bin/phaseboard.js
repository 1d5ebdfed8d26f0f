#!/usr/bin/env -S node --max-semi-space-size=4
// V8's young generation is capped at 4 MB semi-spaces (16 MB by default): `phaseboard
// serve` idles about 35 MB smaller, at no cost in request throughput.
//
// In a checkout, loads the TypeScript entry point through tsx's loader in this same
// process, so the command works without a build step and signals (Ctrl-C) reach the
// command itself rather than a wrapper process. The npm package ships no source: there it
// runs the esbuild bundle (scripts/package/pack.mjs).
import { existsSync } from "node:fs";

const source = new URL("../src/main.ts", import.meta.url);
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(source.href);
} else {
  await import("../dist/phaseboard.mjs");
}
