import "./polyfillPromiseWithResolvers.js";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import * as restate from "@restatedev/restate-sdk";
import { phaseboardRun } from "./phaseboardRun.js";
import { phaseboardStepJob } from "./phaseboardStepJob.js";
import { runEvents } from "./RunEvents.js";
import { runInbox } from "./RunInbox.js";
import { runParking } from "./RunParking.js";
import { isRequestIdentityKey } from "./requestIdentity.js";
import { stepJobFlags } from "./StepJobFlags.js";
import { stepJobQueue } from "./StepJobQueue.js";
import { stepJobShard } from "./StepJobShard.js";
import { stepJobWaits } from "./StepJobWaits.js";

export interface RestateEndpointServer {
  /** The port it listens on (127.0.0.1 unless `host` says otherwise). */
  port: number;
  close(): Promise<void>;
}

/**
 * Serves Phaseboard's Restate services (the run workflow, the step job queues, the run
 * inboxes, feeds and parking) as one deployment that a Restate cluster calls; register it once with
 * `registerDeployment`.
 *
 * @example
 * const endpoint = await serveRestateEndpoint({ port: 9080 });
 * await registerDeployment(adminUrl, `http://127.0.0.1:${endpoint.port}`);
 */
export async function serveRestateEndpoint(
  options: {
    port?: number;
    host?: string;
    /**
     * The cluster's request identity public keys (`publickeyv1_…`): when given, a call not
     * signed by one of them is refused (401), so only that cluster can drive the services.
     */
    identityKeys?: string[];
  } = {},
): Promise<RestateEndpointServer> {
  const keys = options.identityKeys ?? [];
  const bad = keys.find((key) => !isRequestIdentityKey(key));
  if (bad !== undefined) {
    throw new Error(`not a Restate request identity public key (publickeyv1_…): ${bad}`);
  }
  const services = restate
    .endpoint()
    .bind(phaseboardRun)
    .bind(phaseboardStepJob)
    .bind(stepJobQueue)
    .bind(stepJobShard)
    .bind(stepJobFlags)
    .bind(runInbox)
    .bind(runEvents)
    .bind(runParking)
    .bind(stepJobWaits);
  const endpoint = keys.length > 0 ? services.withIdentityV1(...keys) : services;
  const server = http2.createServer(endpoint.http2Handler());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}
