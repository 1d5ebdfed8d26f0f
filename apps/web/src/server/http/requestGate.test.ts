import { describe, expect, it } from "vitest";
import {
  decideRequest,
  type GateRequest,
  isServerPath,
  normalisePath,
  parseHostHeader,
  type RequestGatePolicy,
  redactUrl,
} from "./requestGate.js";

const token = "0123456789abcdef-secret";
const policy: RequestGatePolicy = {
  token,
  allowedHosts: ["board.example.test"],
  publicRoutes: new Set(["/api/health"]),
  queryTokenRoutes: new Set(["GET /ws", "GET /api/artifacts/:id"]),
};

function request(overrides: Partial<GateRequest>): GateRequest {
  return {
    method: "GET",
    url: "/api/projects",
    headers: { host: "127.0.0.1:4100", authorization: `Bearer ${token}` },
    ...overrides,
  };
}

describe("the request gate", () => {
  it("judges the decoded, normalised path, as the router does", () => {
    for (const url of [
      "/%61pi/projects",
      "/ap%69/projects",
      "/a%70i/docs/json",
      "//api/projects",
      "/./api/projects",
      "/x/../api/projects",
      "/API/projects",
      "/%77s",
      "/ws;x",
      "/mcp",
    ]) {
      expect(isServerPath(url), url).toBe(true);
    }
    expect(isServerPath("/assets/app.js")).toBe(false);
    expect(isServerPath("/runs/abc?x=/api")).toBe(false);
    expect(isServerPath("/%E0%A4%A")).toBe(true);
    expect(normalisePath("/a%2Fb/../c")).toBe("/a/c");
  });

  it("refuses encoded API paths without a token", () => {
    const decision = decideRequest(
      request({ url: "/%61pi/projects", headers: { host: "127.0.0.1:4100" } }),
      policy,
    );
    expect(decision).toMatchObject({ allowed: false, code: "UNAUTHORIZED" });
  });

  it("refuses a request the router matched to an API route, whatever its spelling", () => {
    const decision = decideRequest(
      request({ url: "/odd", routePattern: "/api/projects", headers: { host: "localhost" } }),
      policy,
    );
    expect(decision).toMatchObject({ allowed: false, code: "UNAUTHORIZED" });
  });

  it("refuses absolute-form and asterisk request targets", () => {
    for (const url of ["http://127.0.0.1:4100/api/projects", "*"]) {
      expect(decideRequest(request({ url }), policy)).toMatchObject({
        allowed: false,
        code: "BAD_REQUEST",
      });
    }
  });

  it("answers loopback host names on any port, and the allowed ones", () => {
    for (const host of [
      "127.0.0.1",
      "127.0.0.1:4100",
      "localhost:1",
      "LOCALHOST",
      "[::1]",
      "[::1]:4100",
    ]) {
      expect(decideRequest(request({ headers: { host } }), {}), host).toEqual({ allowed: true });
    }
    const named = request({ headers: { host: "Board.example.test:8443" } });
    expect(decideRequest(named, {})).toMatchObject({ allowed: false, code: "HOST_NOT_ALLOWED" });
    expect(decideRequest(named, { allowedHosts: ["board.example.test"] })).toEqual({
      allowed: true,
    });
  });

  it("refuses a foreign Host, as a DNS-rebinding page would send", () => {
    for (const host of [
      "evil.test",
      "evil.test:4100",
      "127.0.0.1.evil.test",
      "localhost.",
      "evil.test@127.0.0.1",
      "127.0.0.2",
      "[::2]:4100",
      "0x7f000001",
    ]) {
      expect(decideRequest(request({ headers: { host } }), policy), host).toMatchObject({
        allowed: false,
      });
    }
    expect(decideRequest(request({ headers: { host: "evil.test" } }), policy)).toMatchObject({
      code: "HOST_NOT_ALLOWED",
    });
    expect(decideRequest(request({ headers: {} }), policy)).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("refuses a foreign or null Origin on state-changing requests and upgrades", () => {
    const post = (origin: string, extra: Record<string, string> = {}) =>
      decideRequest(
        request({
          method: "POST",
          url: "/api/workflow-executions/r1/cancel",
          headers: { host: "127.0.0.1:4100", origin, ...extra },
        }),
        {},
      );
    expect(post("http://127.0.0.1:4100")).toEqual({ allowed: true });
    for (const origin of [
      "null",
      "",
      "http://127.0.0.1:5173",
      "http://localhost:4100",
      "http://evil.test",
      "file://",
    ]) {
      expect(post(origin), origin).toMatchObject({ allowed: false, code: "ORIGIN_NOT_ALLOWED" });
    }
    const upgrade = decideRequest(
      request({
        url: "/ws",
        headers: { host: "127.0.0.1:4100", upgrade: "websocket", origin: "http://127.0.0.1:3000" },
      }),
      {},
    );
    expect(upgrade).toMatchObject({ allowed: false, code: "ORIGIN_NOT_ALLOWED" });
    // Reads are not state-changing: CORS already keeps their answers from a foreign page.
    expect(
      decideRequest(request({ headers: { host: "localhost", origin: "http://evil.test" } }), {}),
    ).toEqual({ allowed: true });
  });

  it("accepts the board served by a dev server that keeps the Host it was asked for", () => {
    const decision = decideRequest(
      request({
        method: "POST",
        url: "/api/projects",
        headers: {
          host: "localhost:5173",
          origin: "http://localhost:5173",
          "content-type": "application/json",
          "content-length": "2",
        },
      }),
      {},
    );
    expect(decision).toEqual({ allowed: true });
  });

  it("accepts only JSON bodies on state-changing requests, multipart only from the board", () => {
    const post = (headers: Record<string, string>) =>
      decideRequest(
        request({ method: "POST", headers: { host: "127.0.0.1:4100", ...headers } }),
        {},
      );
    expect(
      post({ "content-type": "application/json; charset=utf-8", "content-length": "2" }),
    ).toEqual({ allowed: true });
    expect(post({ "content-length": "0" })).toEqual({ allowed: true });
    expect(post({})).toEqual({ allowed: true });
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "text/plain; charset=application/json",
    ]) {
      expect(post({ "content-type": type, "content-length": "2" }), type).toMatchObject({
        allowed: false,
        code: "UNSUPPORTED_MEDIA_TYPE",
      });
    }
    expect(post({ "content-length": "2" })).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE" });
    const multipart = { "content-type": "multipart/form-data; boundary=x", "content-length": "9" };
    expect(post(multipart)).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE" });
    expect(post({ ...multipart, origin: "http://127.0.0.1:4100" })).toEqual({ allowed: true });
  });

  it("takes ?token= only on the WebSocket upgrade and artifact downloads", () => {
    const noHeader = { host: "127.0.0.1:4100" };
    const withQuery = (url: string, routePattern: string, method = "GET") =>
      decideRequest(
        request({ method, url, routePattern, headers: noHeader, query: { token } }),
        policy,
      );
    expect(withQuery(`/ws?token=${token}`, "/ws")).toEqual({ allowed: true });
    expect(withQuery(`/api/artifacts/a1?token=${token}`, "/api/artifacts/:id")).toEqual({
      allowed: true,
    });
    const elsewhere = withQuery(`/api/projects?token=${token}`, "/api/projects");
    expect(elsewhere).toMatchObject({ allowed: false, code: "UNAUTHORIZED" });
    expect(elsewhere.allowed || elsewhere.message).toMatch(/accepted only on \/ws/);
  });

  it("refuses a token sent both as header and query unless both are the token", () => {
    const both = (headerToken: string, queryToken: string) =>
      decideRequest(
        request({
          url: "/ws",
          routePattern: "/ws",
          headers: { host: "localhost", authorization: `Bearer ${headerToken}` },
          query: { token: queryToken },
        }),
        policy,
      );
    expect(both(token, token)).toEqual({ allowed: true });
    expect(both(token, "wrong")).toMatchObject({ allowed: false, code: "UNAUTHORIZED" });
    expect(both("wrong", token)).toMatchObject({ allowed: false, code: "UNAUTHORIZED" });
    const twice = decideRequest(
      request({
        url: "/ws",
        routePattern: "/ws",
        headers: { host: "localhost" },
        query: { token: [token, token] },
      }),
      policy,
    );
    expect(twice).toMatchObject({ allowed: false, code: "UNAUTHORIZED" });
  });

  it("parses Host strictly", () => {
    expect(parseHostHeader("[::1]:4100")).toEqual({ name: "::1", port: "4100" });
    expect(parseHostHeader("LocalHost")).toEqual({ name: "localhost", port: undefined });
    expect(parseHostHeader("a b")).toBeNull();
    expect(parseHostHeader("x@127.0.0.1")).toBeNull();
    expect(parseHostHeader("127.0.0.1%00")).toBeNull();
  });

  it("redacts every token query parameter, however its name is spelled", () => {
    expect(redactUrl("/ws?token=s3cret&project_id=p1")).toBe("/ws?token=[redacted]&project_id=p1");
    expect(redactUrl("/?%74oken=s3cret")).toBe("/?%74oken=[redacted]");
    expect(redactUrl("/a?x=1&TOKEN=s3cret&token=again")).toBe(
      "/a?x=1&TOKEN=[redacted]&token=[redacted]",
    );
    expect(redactUrl("/plain")).toBe("/plain");
  });
});
