/**
 * Benchmarks of agent-cli, each printed beside a baseline measured in the same run:
 * - parse throughput of a 50 MB recorded stream per dialect (MB/s), against bare line
 *   splitting of the same bytes;
 * - memory while a 50 MB stream flows through runAgent from a real child process (RSS
 *   sampled throughout: it must stay flat, not grow with the stream);
 * - spawn-to-first-event latency of runAgent with the fake CLI, against spawning the same
 *   Node script directly and waiting for its first byte.
 * The stream is generated here, from the recorded fixtures, and never committed.
 */
import { spawn } from "node:child_process";
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { agentAdapters } from "../src/adapters/agentAdapters.js";
import { runAgent } from "../src/runAgent.js";
import { createEventStream } from "../src/stream/createEventStream.js";
import { LineSplitter } from "../src/stream/LineSplitter.js";
import { fakeAgentEnv, fakeAgentsPath } from "../test/fixtures/fakeAgents.js";

const STREAM_BYTES = 50 * 1024 * 1024;
const LATENCY_RUNS = 15;
const MB = 1024 * 1024;
const fixtures = fileURLToPath(new URL("../test/fixtures/streams/", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "phaseboard-agent-bench-"));

/** The tool-calls stream repeated to `bytes`, with a 256 KB tool result now and then. */
async function generateStream(
  agent: "claude" | "codex" | "gemini",
  bytes: number,
): Promise<string> {
  const path = join(work, `${agent}.jsonl`);
  const template = readFileSync(join(fixtures, agent, "tool-calls.jsonl"), "utf8");
  const big = readFileSync(join(fixtures, agent, "big-line.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line.includes("{{big}}"))[0] as string;
  const fill = (text: string, turn: number) =>
    text
      .replaceAll("{{session_id}}", "0f9e8d7c-6b5a-4321-8fed-cba987654321")
      .replaceAll("{{model}}", "bench-model")
      .replaceAll("{{cwd}}", "/repo")
      .replaceAll("{{prompt}}", "Benchmark the parser")
      .replaceAll("{{permission_mode}}", "plan")
      .replaceAll("{{reply}}", `Turn ${turn} done.`)
      .replaceAll("{{big}}", "z".repeat(256 * 1024));
  const out = createWriteStream(path);
  let written = 0;
  for (let turn = 0; written < bytes; turn++) {
    const chunk = fill(turn % 20 === 0 ? `${template}${big}\n` : template, turn);
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise((resolve) => out.end(resolve));
  return path;
}

async function timeRead(path: string, onChunk: (chunk: Buffer) => void, onEnd: () => void) {
  const start = performance.now();
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
    onChunk(chunk as Buffer);
  }
  onEnd();
  return (performance.now() - start) / 1000;
}

/** Best of three, to keep a cold cache or a GC pause from deciding the figure. */
async function best(run: () => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) times.push(await run());
  return Math.min(...times);
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function parseThroughput() {
  console.log(`\n## Parse throughput of a ${STREAM_BYTES / MB} MB recorded stream (best of 3)\n`);
  console.log(
    "| dialect | lines | line splitting only (baseline) | split + JSON.parse | full parse to AgentEvents | full / baseline |",
  );
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const agent of ["claude", "codex", "gemini"] as const) {
    const path = await generateStream(agent, STREAM_BYTES);
    const size = statSync(path).size / MB;
    let lines = 0;
    const baseline = await best(() => {
      const splitter = new LineSplitter(() => lines++);
      lines = 0;
      return timeRead(
        path,
        (c) => splitter.push(c),
        () => splitter.end(),
      );
    });
    const jsonOnly = await best(() => {
      const splitter = new LineSplitter((line) => JSON.parse(line));
      return timeRead(
        path,
        (c) => splitter.push(c),
        () => splitter.end(),
      );
    });
    let events = 0;
    const full = await best(() => {
      events = 0;
      const stream = createEventStream(agentAdapters[agent], () => events++);
      return timeRead(
        path,
        (c) => stream.push(c),
        () => stream.end(),
      );
    });
    console.log(
      `| ${agent} | ${lines} | ${fmt(size / baseline)} MB/s | ${fmt(size / jsonOnly)} MB/s | ${fmt(size / full)} MB/s (${events} events) | ${fmt(baseline / full, 2)}× the speed |`,
    );
  }
}

async function memoryWhileStreaming() {
  const path = join(work, "claude.jsonl");
  const size = statSync(path).size / MB;
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const samples: number[] = [];
  let bytes = 0;
  let nextSample = 0;
  const start = performance.now();
  const result = await runAgent({
    agent: "claude",
    prompt: "Stream 50 MB",
    cwd: work,
    env: { HOME: work, ...fakeAgentEnv({ streamFile: path }) },
    onEvent: (event) => {
      if (event.type !== "raw") return;
      bytes += event.line.length + 1;
      if (bytes >= nextSample) {
        samples.push(process.memoryUsage().rss);
        nextSample += 5 * MB;
      }
    },
  });
  const seconds = (performance.now() - start) / 1000;
  const first = samples[1] ?? samples[0] ?? before;
  const peak = Math.max(...samples);
  console.log(`\n## ${fmt(size, 0)} MB through runAgent from a real child process\n`);
  console.log(
    `- status ${result.status}, ${fmt(size / seconds)} MB/s end to end (spawn, pipe, framing, parsing)`,
  );
  console.log(
    `- RSS before ${fmt(before / MB)} MB; after the first 10 MB ${fmt(first / MB)} MB; peak ${fmt(peak / MB)} MB over ${samples.length} samples (every 5 MB)`,
  );
  console.log(
    `- growth from 10 MB to the end: ${fmt((peak - first) / MB)} MB for ${fmt(size - 10, 0)} MB more streamed (flat means the stream is not kept)`,
  );
  console.log(`- process max RSS (getrusage): ${fmt(process.resourceUsage().maxRSS / 1024)} MB`);
}

/** Baseline: the same fake script spawned directly, until its first stdout byte. */
function rawSpawnLatency(cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(
      join(fakeAgentsPath(), "claude"),
      ["-p", "--output-format=stream-json", "--verbose", "--", "hi"],
      {
        cwd,
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    child.stdout.once("data", () => resolve(performance.now() - start));
    child.once("error", reject);
  });
}

async function runAgentLatency(cwd: string): Promise<number> {
  const start = performance.now();
  let first: number | undefined;
  await runAgent({
    agent: "claude",
    prompt: "hi",
    cwd,
    env: fakeAgentEnv(),
    onEvent: () => {
      first ??= performance.now() - start;
    },
  });
  return first ?? Number.NaN;
}

async function latency() {
  const raw: number[] = [];
  const agent: number[] = [];
  for (let i = 0; i < LATENCY_RUNS; i++) {
    raw.push(await rawSpawnLatency(work));
    agent.push(await runAgentLatency(work));
  }
  console.log(`\n## Spawn to first event, fake claude (median of ${LATENCY_RUNS}, interleaved)\n`);
  console.log(
    `- baseline, spawn the fake directly to its first stdout byte: ${fmt(median(raw))} ms`,
  );
  console.log(
    `- runAgent, call to first AgentEvent: ${fmt(median(agent))} ms (${fmt(median(agent) / median(raw), 2)}× the baseline)`,
  );
}

try {
  console.log(`# agent-cli benchmarks (Node ${process.version})`);
  await parseThroughput();
  await memoryWhileStreaming();
  await latency();
} finally {
  rmSync(work, { recursive: true, force: true });
}
