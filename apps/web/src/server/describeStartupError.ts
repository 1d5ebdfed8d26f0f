import type { ServerConfig } from "./config.js";

/**
 * One line that names what stopped the server from starting, for people rather than
 * stack traces: a port in use, an address that is not local, an unwritable database.
 */
export function describeStartupError(
  error: unknown,
  config: Pick<ServerConfig, "host" | "port"> | undefined,
): string {
  const where = config ? `${config.host}:${config.port}` : "the configured address";
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case "EADDRINUSE":
      return `port ${config?.port ?? "?"} on ${config?.host ?? "?"} is already in use: stop the other process or set PORT to a free port`;
    case "EADDRNOTAVAIL":
      return `cannot listen on ${where}: HOST is not an address of this machine`;
    case "EACCES":
      return `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`;
    case "ENOTFOUND":
      return `cannot listen on ${where}: HOST does not resolve`;
    default:
      return error instanceof Error
        ? (error.message.split("\n")[0] ?? error.message)
        : String(error);
  }
}
