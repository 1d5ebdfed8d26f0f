#!/usr/bin/env node
// Loads the TypeScript entry point through tsx's loader in this same process, so the
// command works from a checkout without a build step and signals (Ctrl-C) reach the
// command itself rather than a wrapper process.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
