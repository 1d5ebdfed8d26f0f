import { isIP } from "node:net";
import { networkInterfaces } from "node:os";

/**
 * Whether `url` would reach this server itself (a loopback, unspecified or own-interface
 * address, or its bound host, on its port): a webhook there would post the server's own
 * notifications back to its API.
 */
export function pointsAtSelf(url: string, self: { host: string; port: number }): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const port = Number(parsed.port || (parsed.protocol === "https:" ? 443 : 80));
  if (port !== self.port) return false;
  const host = parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === self.host.toLowerCase()) return true;
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 0) return false;
  if (host.startsWith("127.") || host === "::1" || host === "0.0.0.0" || host === "::") {
    return true;
  }
  if (/^::ffff:127\./.test(host)) return true;
  return Object.values(networkInterfaces())
    .flat()
    .some((address) => address?.address.toLowerCase() === host);
}
