import type { NetworkInterfaceInfo } from "node:os";
import { describe, expect, it } from "vitest";
import { lanAddress } from "./lanAddress.js";

const info = (address: string, internal = false, family: "IPv4" | "IPv6" = "IPv4") =>
  ({ address, family, internal, netmask: "", mac: "", cidr: null }) as NetworkInterfaceInfo;

describe("lanAddress", () => {
  it("picks the private IPv4 address of a network interface", () => {
    expect(
      lanAddress({
        lo: [info("127.0.0.1", true)],
        docker0: [info("203.0.113.9")],
        wlan0: [info("fe80::1", false, "IPv6"), info("192.168.1.23")],
      }),
    ).toBe("192.168.1.23");
  });

  it("finds none on a machine with only loopback and link-local addresses", () => {
    expect(
      lanAddress({
        lo: [info("127.0.0.1", true), info("::1", true, "IPv6")],
        eth0: [info("169.254.3.4")],
      }),
    ).toBeUndefined();
  });
});
