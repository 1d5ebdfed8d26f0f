#!/usr/bin/env node
// Start-up benchmark: time from the start command to a healthy /api/health, and the idle
// server's resident memory, for `npm start` on an installed, unchanged checkout (setup's
// checks, then the esbuild bundle) against the previous way, the server run through tsx
// (`tsx src/server/main.ts`, without the install and generate the old setup also did on
// every start), measured in the same run. Each way has a PHASEBOARD_HOME of its own: a
// first start creates and migrates its database (printed, not counted), then ROUNDS
// starts on that unchanged home and a free port are measured; figures are medians.
//
//   node scripts/bench/startBench.mjs      (part of pnpm bench)
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const web = join(root, "apps", "web");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IDLE_MS = 3000;
const targets = { startMs: 3000, rssMb: 150 };

// Brings the checkout up to date first, so every measured start is an unchanged one.
const setup = spawnSync(process.execPath, [join(root, "scripts", "setup.mjs")], {
  stdio: "inherit",
});
if (setup.status !== 0) process.exit(setup.status ?? 1);

const ways = {
  "npm start (bundle)": { command: "npm", args: ["start", "--silent"], cwd: root },
  "tsx (previous)": {
    command: join(web, "node_modules", ".bin", "tsx"),
    args: ["src/server/main.ts"],
    cwd: web,
  },
};

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// CPU seconds the server process used (user + system), which the machine's other load
// inflates far less than wall time.
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
}

async function healthy(url) {
  try {
    return (await fetch(`${url}/api/health`)).ok;
  } catch {
    return false;
  }
}

async function startOnce(way, home) {
  const started = performance.now();
  const child = spawn(way.command, way.args, {
    cwd: way.cwd,
    env: {
      ...process.env,
      PORT: "0",
      PHASEBOARD_HOME: home,
      PHASEBOARD_PROJECT: root,
      PHASEBOARD_BUILDS: "off",
      DATABASE_URL: "",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  try {
    const url = await new Promise((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk) => {
        out += chunk;
        const match = /running at (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1]);
      });
      child.once("exit", (code) => reject(new Error(`${way.command} exited ${code}`)));
    });
    while (!(await healthy(url))) await new Promise((resolve) => setTimeout(resolve, 20));
    const startMs = performance.now() - started;
    // The server's own process (npm and tsx start it as a child): server.json names it.
    const { pid } = JSON.parse(readFileSync(join(home, "server.json"), "utf8"));
    const cpu = cpuSeconds(pid);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    return { startMs, cpuS: cpu, rssMb: rssMb(pid) };
  } finally {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(-child.pid, "SIGTERM");
    await exited;
  }
}

const homes = Object.fromEntries(
  Object.keys(ways).map((name) => [name, mkdtempSync(join(tmpdir(), "phaseboard-bench-start-"))]),
);
const results = {};
try {
  for (let round = 0; round <= ROUNDS; round++) {
    // Alternating the ways spreads the machine's background load over both.
    for (const [name, way] of Object.entries(ways)) {
      const result = await startOnce(way, homes[name]);
      const label = round === 0 ? "first start (new database, not counted)" : `round ${round}`;
      if (round > 0) results[name] = [...(results[name] ?? []), result];
      process.stderr.write(
        `bench: ${name} ${label}: ${result.startMs.toFixed(0)} ms, server CPU ${result.cpuS.toFixed(2)} s, ${result.rssMb.toFixed(0)} MB\n`,
      );
    }
  }
} finally {
  for (const home of Object.values(homes)) rmSync(home, { recursive: true, force: true });
}

const summary = Object.fromEntries(
  Object.entries(results).map(([name, list]) => [
    name,
    {
      startMs: median(list.map((r) => r.startMs)),
      cpuS: median(list.map((r) => r.cpuS)),
      rssMb: median(list.map((r) => r.rssMb)),
    },
  ]),
);
const now = summary["npm start (bundle)"];
const before = summary["tsx (previous)"];
console.log(`Start to healthy /api/health, median of ${ROUNDS} (PHASEBOARD_BUILDS=off):`);
for (const [name, figures] of Object.entries(summary)) {
  console.log(
    `  ${name.padEnd(20)} ${(figures.startMs / 1000).toFixed(2).padStart(6)} s   server CPU ${figures.cpuS.toFixed(2).padStart(5)} s   idle RSS ${figures.rssMb.toFixed(0).padStart(4)} MB`,
  );
}
console.log(
  `  ratio bundle/tsx:    start ${(now.startMs / before.startMs).toFixed(2)}x, CPU ${(now.cpuS / before.cpuS).toFixed(2)}x, RSS ${(now.rssMb / before.rssMb).toFixed(2)}x`,
);
console.log(
  `  targets: start < ${targets.startMs / 1000} s (${now.startMs < targets.startMs ? "met" : "missed"}), idle RSS < ${targets.rssMb} MB (${now.rssMb < targets.rssMb ? "met" : "missed"})`,
);
