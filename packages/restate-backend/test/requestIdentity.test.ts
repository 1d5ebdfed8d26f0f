import { connect } from "node:http2";
import { join } from "node:path";
import { tempDir } from "@phaseboard/test-kit";
import { afterAll, describe, expect, it } from "vitest";
import {
  isRequestIdentityKey,
  loadOrCreateRequestIdentity,
  publicKeyOf,
} from "../src/requestIdentity.js";
import { registerDeployment } from "../src/restateAdmin.js";
import { type RestateEndpointServer, serveRestateEndpoint } from "../src/serveRestateEndpoint.js";
import { type RestateNode, restateServerBinary, startRestateNode } from "./restateNode.js";

const binary = restateServerBinary();

/** A call straight to the endpoint, as a process that is not the cluster would make it. */
function unsignedCall(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${port}`);
    session.on("error", reject);
    const request = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/vnd.restate.invocation.v1",
    });
    request.on("response", (headers) => {
      resolve(Number(headers[":status"]));
      session.destroy();
    });
    request.on("error", reject);
    request.end();
  });
}

describe("request identity keys", () => {
  it("are made once per folder and read back as Restate writes them", () => {
    const dir = tempDir("identity");
    const first = loadOrCreateRequestIdentity(dir);
    expect(isRequestIdentityKey(first.publicKey)).toBe(true);
    expect(loadOrCreateRequestIdentity(dir)).toEqual(first);
    expect(loadOrCreateRequestIdentity(tempDir("identity")).publicKey).not.toBe(first.publicKey);
  });

  it("refuse a key that is not ed25519, and an endpoint given a malformed public key", async () => {
    const { generateKeyPairSync } = await import("node:crypto");
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    expect(() =>
      publicKeyOf(privateKey.export({ format: "pem", type: "pkcs8" }).toString()),
    ).toThrow(/must be ed25519/);
    await expect(serveRestateEndpoint({ identityKeys: ["publickeyv1_0OIl"] })).rejects.toThrow(
      /not a Restate request identity public key/,
    );
  });
});

describe.skipIf("missing" in binary)(
  "an endpoint that checks the cluster's request identity",
  () => {
    const endpoints: RestateEndpointServer[] = [];
    let node: RestateNode | undefined;
    afterAll(async () => {
      for (const endpoint of endpoints) await endpoint.close();
      await node?.stop();
    });

    it("serves the cluster that signs with its key, and refuses other callers", async () => {
      if ("missing" in binary) return;
      const dir = tempDir("restate-identity");
      const identity = loadOrCreateRequestIdentity(join(dir, "keys"));
      node = await startRestateNode(binary.path, dir, { identityKeyFile: identity.privateKeyFile });

      // The cluster's signed discovery call is accepted, and its invocations reach the services.
      const trusting = await serveRestateEndpoint({ identityKeys: [identity.publicKey] });
      endpoints.push(trusting);
      await registerDeployment(node.admin, `http://127.0.0.1:${trusting.port}`);
      const hello = await fetch(`${node.ingress}/PhaseboardStepJobs/box-1/hello`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "null",
      });
      expect(hello.status, await hello.clone().text()).toBe(200);
      expect(await hello.json()).toEqual({ requeued: 0 });

      // A caller without the cluster's key — a local process, a web page's fetch — is refused.
      expect(await unsignedCall(trusting.port, "/discover")).toBe(401);
      expect(await unsignedCall(trusting.port, "/invoke/PhaseboardStepJobs/complete")).toBe(401);

      // An endpoint that trusts another cluster's key refuses this cluster's discovery.
      const other = loadOrCreateRequestIdentity(join(dir, "other"));
      const stranger = await serveRestateEndpoint({ identityKeys: [other.publicKey] });
      endpoints.push(stranger);
      await expect(
        registerDeployment(node.admin, `http://127.0.0.1:${stranger.port}`),
      ).rejects.toThrow(/refused the deployment/);
    });
  },
);
