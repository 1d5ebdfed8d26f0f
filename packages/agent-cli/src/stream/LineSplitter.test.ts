import { describe, expect, it } from "vitest";
import { LineSplitter } from "./LineSplitter.js";

function split(chunks: (string | Buffer)[], end = true): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  if (end) splitter.end();
  return lines;
}

describe("LineSplitter", () => {
  it("emits one line per newline within a chunk", () => {
    expect(split(['{"a":1}\n{"b":2}\n'])).toEqual(['{"a":1}', '{"b":2}']);
  });

  it("joins a line split across many chunks", () => {
    expect(split(['{"a"', ":", '1}\n{"b"', ":2}\n"])).toEqual(['{"a":1}', '{"b":2}']);
  });

  it("keeps a multi-byte character split between chunks intact", () => {
    const bytes = Buffer.from("héllo · wörld\n");
    expect(split([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)])).toEqual([
      "héllo · wörld",
    ]);
  });

  it("strips a carriage return before the newline", () => {
    expect(split(["one\r\ntwo\r\n"])).toEqual(["one", "two"]);
  });

  it("emits a last line without newline only at the end", () => {
    expect(split(["a\nb"], false)).toEqual(["a"]);
    expect(split(["a\nb"])).toEqual(["a", "b"]);
  });

  it("keeps empty lines, which the caller may skip", () => {
    expect(split(["a\n\nb\n"])).toEqual(["a", "", "b"]);
  });

  it("assembles a 10 MB line arriving in 64 KB chunks", () => {
    const line = "y".repeat(10 * 1024 * 1024);
    const data = Buffer.from(`${line}\nafter\n`);
    const chunks: Buffer[] = [];
    for (let i = 0; i < data.length; i += 65_536) chunks.push(data.subarray(i, i + 65_536));
    const lines = split(chunks);
    expect(lines.length).toBe(2);
    expect(lines[0]?.length).toBe(line.length);
    expect(lines[1]).toBe("after");
  });
});
