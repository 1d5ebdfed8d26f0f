import { type NetworkInterfaceInfo, networkInterfaces } from "node:os";

/**
 * The machine's address on its local network: the first non-internal IPv4 address,
 * preferring private ranges (10/8, 172.16/12, 192.168/16) over others. Undefined when the
 * machine has none (only loopback or link-local addresses, or offline).
 */
export function lanAddress(
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string | undefined {
  const candidates = Object.values(interfaces)
    .flat()
    .filter(
      (info): info is NetworkInterfaceInfo =>
        info !== undefined && info.family === "IPv4" && !info.internal,
    )
    .map((info) => info.address)
    .filter((address) => !address.startsWith("169.254."));
  const isPrivate = (address: string) =>
    /^10\./.test(address) ||
    /^192\.168\./.test(address) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(address);
  return candidates.find(isPrivate) ?? candidates[0];
}
