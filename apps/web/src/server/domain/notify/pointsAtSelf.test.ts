import { describe, expect, it } from "vitest";
import { pointsAtSelf } from "./pointsAtSelf.js";

const self = { host: "127.0.0.1", port: 4321 };

describe("pointsAtSelf", () => {
  it("recognises the server's own port on loopback names and addresses", () => {
    expect(pointsAtSelf("http://127.0.0.1:4321/api/hooks/x", self)).toBe(true);
    expect(pointsAtSelf("http://localhost:4321/", self)).toBe(true);
    expect(pointsAtSelf("http://[::1]:4321/", self)).toBe(true);
    expect(pointsAtSelf("http://127.1.2.3:4321/", self)).toBe(true);
    expect(pointsAtSelf("http://0.0.0.0:4321/", self)).toBe(true);
    expect(pointsAtSelf("http://app.localhost:4321/", self)).toBe(true);
  });

  it("lets other ports and other hosts through", () => {
    expect(pointsAtSelf("http://127.0.0.1:4322/", self)).toBe(false);
    expect(pointsAtSelf("https://hooks.example.com/x", self)).toBe(false);
    expect(pointsAtSelf("http://hooks.example.com:4321/x", self)).toBe(false);
    expect(pointsAtSelf("http://127.0.0.1/", self)).toBe(false);
  });
});
