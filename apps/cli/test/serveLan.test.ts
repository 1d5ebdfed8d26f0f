import { describe, expect, it } from "vitest";
import { lanAddress } from "../src/serve/lanAddress.js";
import { phaseboard, sandbox, startPhaseboard } from "./phaseboardBinary.js";

describe("phaseboard serve --lan", () => {
  it.skipIf(!lanAddress())(
    "binds to the LAN address with a generated token and prints its URL and a QR code",
    async () => {
      const box = sandbox();
      expect((await phaseboard(box, ["init"])).code).toBe(0);
      const serve = startPhaseboard(box, ["serve", "--lan", "--port", "0"]);
      const [, url, token] = await serve.waitForOutput(
        /phone on the same network: (http:\/\/[^/\s]+)\/\?token=(\S+)/,
        90_000,
      );
      expect(new URL(url ?? "").hostname).toBe(lanAddress());
      expect(token?.length).toBeGreaterThanOrEqual(32);
      // The QR code: lines of half-block characters after the URL.
      await serve.waitForOutput(/[▀▄█]{10,}/);
      const withToken = await fetch(`${url}/api/projects`, {
        headers: { authorization: `Bearer ${decodeURIComponent(token ?? "")}` },
      });
      expect(withToken.status).toBe(200);
      const without = await fetch(`${url}/api/projects`);
      expect(without.status).toBe(401);
    },
    120_000,
  );

  it("refuses --lan together with --host", async () => {
    const box = sandbox();
    const result = await phaseboard(box, ["serve", "--lan", "--host", "0.0.0.0"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      "phaseboard: --lan and --host: choose one (--lan picks the LAN address itself)",
    );
  });
});
