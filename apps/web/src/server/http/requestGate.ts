import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { ErrorCode } from "@phaseboard/contracts";

/** Host names every Phaseboard answers to, whatever it is configured with. */
export const LOOPBACK_HOST_NAMES: readonly string[] = ["127.0.0.1", "localhost", "::1"];

/** First path segments that reach the server's data (API, live events, MCP). */
const SERVER_SEGMENTS = new Set(["api", "ws", "mcp"]);

/** Methods that never change anything; every other method is state-changing. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface RequestGatePolicy {
  /**
   * Host names (no port) the server answers besides the loopback names: its configured
   * `HOST` and `PHASEBOARD_ALLOWED_HOSTS`. Compared case-insensitively, any port.
   */
  allowedHosts?: readonly string[];
  /** When set, every request to a server path must present it (PHASEBOARD_TOKEN). */
  token?: string | undefined;
  /** Route patterns anyone may call, token or not (health probe, webhooks). */
  publicRoutes?: ReadonlySet<string>;
  /**
   * Route patterns (`METHOD /pattern`) where the token may come as `?token=` because the
   * browser cannot send a header there: the WebSocket upgrade and `<img>`/download links.
   */
  queryTokenRoutes?: ReadonlySet<string>;
  /**
   * Credentials besides the token, each valid on some route patterns only: an agent step's
   * run token on `/mcp`. `verify` answers whether a presented value is one of them.
   */
  scopedCredentials?: {
    routes: ReadonlySet<string>;
    verify: (presented: string) => boolean;
  };
}

/** What the gate sees of a request: enough to decide, nothing framework-specific. */
export interface GateRequest {
  method: string;
  /** The request target exactly as received (origin-form, absolute-form, `*`). */
  url: string;
  headers: IncomingHttpHeaders;
  /** The router's pattern for the matched route (`/api/runs/:id`), when one matched. */
  routePattern?: string | undefined;
  /** The parsed query string; `token` is read from here. */
  query?: Record<string, unknown> | undefined;
}

export type GateDecision = { allowed: true } | { allowed: false; code: ErrorCode; message: string };

/**
 * Decides whether a request may reach Phaseboard, in this order: the request target is
 * origin-form; the `Host` is a loopback name or an allowed one (DNS rebinding); a
 * request to a server path carries the token when one is configured; a state-changing
 * request or WebSocket upgrade that names an `Origin` names the board's own; a
 * state-changing request's body is JSON (multipart only from the board's own origin).
 *
 * The path is judged after decoding and normalising it, and by the route the router
 * matched, so `/%61pi/…` or `//api/…` is the API here exactly as it is to the router.
 *
 * @example
 * const decision = decideRequest(
 *   { method: "POST", url: "/api/projects", headers: { host: "evil.test" } },
 *   { allowedHosts: [] },
 * ); // { allowed: false, code: "HOST_NOT_ALLOWED", … }
 */
export function decideRequest(request: GateRequest, policy: RequestGatePolicy): GateDecision {
  if (!request.url.startsWith("/")) {
    return refuse(
      "BAD_REQUEST",
      "Only origin-form request targets (a path starting with /) are served; Phaseboard is not a proxy",
    );
  }
  const host = parseHostHeader(request.headers.host);
  if (!host) return refuse("BAD_REQUEST", "The Host header is missing or malformed");
  if (!isAllowedHostName(host.name, policy.allowedHosts ?? [])) {
    return refuse(
      "HOST_NOT_ALLOWED",
      `Phaseboard does not answer to the host name ${host.name}: use 127.0.0.1 or localhost, or add it to PHASEBOARD_ALLOWED_HOSTS`,
    );
  }
  const serverPath = isServerRoute(request.routePattern) || isServerPath(request.url);
  const method = request.method.toUpperCase();
  const upgrade = isWebSocketUpgrade(request.headers);
  const stateChanging = !SAFE_METHODS.has(method);

  if (serverPath && policy.token && !policy.publicRoutes?.has(request.routePattern ?? "")) {
    const refusal = checkToken(request, method, policy as RequestGatePolicy & { token: string });
    if (refusal) return refusal;
  }
  if (stateChanging || upgrade) {
    const origin = request.headers.origin;
    if (origin !== undefined && !isSameOrigin(origin, host)) {
      return refuse(
        "ORIGIN_NOT_ALLOWED",
        `Requests from the page at ${origin || "(empty origin)"} may not change anything or open live events here; only the board's own pages may`,
      );
    }
  }
  if (stateChanging) {
    const refusal = checkContentType(request.headers, host);
    if (refusal) return refusal;
  }
  return { allowed: true };
}

/**
 * The path the router sees: absolute-form and query stripped, percent-decoded, repeated
 * slashes collapsed and dot segments resolved. An undecodable path answers `null`.
 */
export function normalisePath(url: string): string | null {
  let path = url.split("?")[0] ?? "";
  path = path.split("#")[0] ?? "";
  try {
    path = decodeURIComponent(path);
  } catch {
    return null;
  }
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  return `/${segments.join("/")}`;
}

/** True when the request target (decoded, normalised) addresses the API, /ws or /mcp. */
export function isServerPath(url: string): boolean {
  const path = normalisePath(url);
  // What cannot be decoded cannot be shown to be harmless.
  if (path === null) return true;
  // The router ignores matrix parameters (`/api;x`) on some settings: judge without them.
  const first = (path.split("/")[1] ?? "").split(";")[0] ?? "";
  return SERVER_SEGMENTS.has(first.toLowerCase());
}

function isServerRoute(pattern: string | undefined): boolean {
  if (!pattern) return false;
  const first = (pattern.split("/")[1] ?? "").toLowerCase();
  return SERVER_SEGMENTS.has(first);
}

export interface HostHeader {
  /** Lower-cased, brackets removed from an IPv6 literal. */
  name: string;
  port: string | undefined;
}

const HOST_PATTERN = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9.-]+))(?::(\d{1,5}))?$/i;

/**
 * Parses a `Host` header strictly: a name or a bracketed IPv6 literal, and a port. No
 * user info, no percent-encoding, nothing a URL parser would quietly reinterpret.
 */
export function parseHostHeader(value: string | undefined): HostHeader | null {
  if (!value) return null;
  const match = HOST_PATTERN.exec(value.trim());
  if (!match) return null;
  const name = (match[1] ?? match[2] ?? "").toLowerCase();
  if (!name) return null;
  return { name, port: match[3] };
}

function isAllowedHostName(name: string, allowed: readonly string[]): boolean {
  if (LOOPBACK_HOST_NAMES.includes(name)) return true;
  return allowed.some((entry) => normaliseHostName(entry) === name);
}

/** `[::1]` → `::1`, `Example.test` → `example.test`. */
export function normaliseHostName(name: string): string {
  const trimmed = name.trim().toLowerCase();
  return trimmed.startsWith("[") && trimmed.endsWith("]") ? trimmed.slice(1, -1) : trimmed;
}

/**
 * The `Origin` names the same scheme-less authority the request was sent to: the board
 * served by this server, or by a dev server that forwards to it keeping `Host`.
 * `Origin: null` (sandboxed frames, `file:` pages, redirects) never matches.
 */
function isSameOrigin(origin: string, host: HostHeader): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return false;
  if (parsed.username || parsed.password || (parsed.pathname !== "/" && parsed.pathname !== ""))
    return false;
  const originName = normaliseHostName(parsed.hostname);
  const defaultPort = parsed.protocol === "https:" ? "443" : "80";
  const originPort = parsed.port || defaultPort;
  const hostPort = host.port ?? defaultPort;
  return originName === host.name && originPort === hostPort;
}

function isWebSocketUpgrade(headers: IncomingHttpHeaders): boolean {
  return headers.upgrade?.toLowerCase() === "websocket";
}

function checkContentType(headers: IncomingHttpHeaders, host: HostHeader): GateDecision | null {
  const contentType = headers["content-type"];
  const hasBody =
    headers["transfer-encoding"] !== undefined ||
    (headers["content-length"] !== undefined && headers["content-length"] !== "0");
  if (contentType === undefined) {
    return hasBody
      ? refuse("UNSUPPORTED_MEDIA_TYPE", "A request body must be sent as application/json")
      : null;
  }
  const mediaType = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  if (mediaType === "application/json") return null;
  if (mediaType === "multipart/form-data") {
    const origin = headers.origin;
    if (origin !== undefined && isSameOrigin(origin, host)) return null;
    return refuse(
      "UNSUPPORTED_MEDIA_TYPE",
      "Uploads (multipart/form-data) are accepted only from the board's own pages: send an Origin header naming this server",
    );
  }
  return refuse(
    "UNSUPPORTED_MEDIA_TYPE",
    `Content type ${mediaType || "(empty)"} is not accepted here: send application/json`,
  );
}

function checkToken(
  request: GateRequest,
  method: string,
  policy: RequestGatePolicy & { token: string },
): GateDecision | null {
  const header = request.headers.authorization;
  const fromHeader = header?.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : null;
  const queryToken = request.query?.token;
  const queryAllowed = policy.queryTokenRoutes?.has(`${method} ${request.routePattern ?? ""}`);
  if (queryToken !== undefined && !queryAllowed) {
    return refuse(
      "UNAUTHORIZED",
      "?token= is accepted only on /ws and artifact downloads: send Authorization: Bearer <PHASEBOARD_TOKEN>",
    );
  }
  if (queryToken !== undefined && typeof queryToken !== "string") {
    return refuse("UNAUTHORIZED", "Send the access token once");
  }
  // Every credential a request presents must be valid: a header and a query token that
  // disagree are refused, so no layer (a proxy, a log) can act on the other one.
  const presented = [fromHeader, queryToken].filter((value): value is string => !!value);
  if (presented.length === 0) {
    return refuse(
      "UNAUTHORIZED",
      "This server requires an access token: send Authorization: Bearer <PHASEBOARD_TOKEN>",
    );
  }
  const expected = expectedDigest(policy.token);
  const scoped = policy.scopedCredentials;
  const scopedHere = scoped?.routes.has(request.routePattern ?? "") ?? false;
  for (const value of presented) {
    if (timingSafeEqual(digest(value), expected)) continue;
    if (scopedHere && scoped?.verify(value)) continue;
    return refuse("UNAUTHORIZED", "The access token is not valid");
  }
  return null;
}

const expectedDigests = new Map<string, Buffer>();
function expectedDigest(token: string): Buffer {
  let known = expectedDigests.get(token);
  if (!known) {
    known = digest(token);
    expectedDigests.set(token, known);
  }
  return known;
}

// Comparing fixed-length digests keeps the comparison constant-time whatever the length.
function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/**
 * A request target for logs: the value of every `token` query parameter (however its
 * name is encoded) replaced, the rest as received.
 *
 * @example
 * redactUrl("/ws?token=s3cret&project_id=p1"); // "/ws?token=[redacted]&project_id=p1"
 */
export function redactUrl(url: string): string {
  const at = url.indexOf("?");
  if (at === -1) return url;
  const query = url
    .slice(at + 1)
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      const rawKey = eq === -1 ? pair : pair.slice(0, eq);
      let key = rawKey;
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, " "));
      } catch {
        // An undecodable name is logged as it came.
      }
      return key.trim().toLowerCase() === "token" ? `${rawKey}=[redacted]` : pair;
    })
    .join("&");
  return `${url.slice(0, at)}?${query}`;
}

function refuse(code: ErrorCode, message: string): GateDecision {
  return { allowed: false, code, message };
}
