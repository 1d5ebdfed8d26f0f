import { join } from "node:path";
import { runAgent } from "@phaseboard/agent-cli";
import { resolvePhaseboardHome } from "@phaseboard/db";
import {
  checkRestateReachable,
  checkWorkerId,
  isRequestIdentityKey,
  type RestateEndpointServer,
  RestateUnreachableError,
  registerDeployment,
  StepWorker,
  serveRestateEndpoint,
} from "@phaseboard/restate-backend";
import type { Command } from "commander";
import { CliError } from "../errors/CliError.js";
import { UsageError } from "../errors/UsageError.js";
import { withExamples } from "../program/commandOptions.js";
import { localCluster } from "./cluster.js";

interface WorkerOptions {
  id?: string;
  ingress?: string;
  admin?: string;
  endpointPort?: string;
  identityKey?: string[];
  concurrency?: string;
}

/**
 * The request identity keys the endpoint trusts: `--identity-key`, else
 * `$PHASEBOARD_RESTATE_IDENTITY_KEY` (comma-separated), else the local development
 * cluster's (`phaseboard cluster up` makes it). None: the endpoint takes unsigned calls,
 * which the worker says when it starts.
 */
function identityKeys(options: WorkerOptions, env: NodeJS.ProcessEnv): string[] {
  const given =
    options.identityKey ??
    env.PHASEBOARD_RESTATE_IDENTITY_KEY?.split(",")
      .map((key) => key.trim())
      .filter(Boolean);
  if (given && given.length > 0) {
    const bad = given.find((key) => !isRequestIdentityKey(key));
    if (bad !== undefined) {
      throw new UsageError(
        `--identity-key ${bad}: expected the cluster's request identity public key, publickeyv1_…`,
      );
    }
    return given;
  }
  const local = localCluster(env).publicKey();
  return local ? [local] : [];
}

function httpAddress(flag: string, value: string): string {
  try {
    const url = new URL(value);
    if ((url.protocol === "http:" || url.protocol === "https:") && url.pathname === "/") {
      return url.origin;
    }
  } catch {
    // Reported below.
  }
  throw new UsageError(
    `${flag} must be an http(s) address without a path, like http://127.0.0.1:18080`,
  );
}

function whole(flag: string, value: string, min: number, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}`);
  }
  return number;
}

export function registerWorkerCommand(program: Command): void {
  const command = program
    .command("worker")
    .description(
      "run the steps of the runs pinned to this machine on the restate backend (outbound connections only)",
    )
    .option("--id <id>", "this worker's name (default $PHASEBOARD_RESTATE_WORKER or local)")
    .option(
      "--ingress <url>",
      "Restate ingress (default $PHASEBOARD_RESTATE_INGRESS or the local cluster's)",
    )
    .option(
      "--admin <url>",
      "Restate admin API (default $PHASEBOARD_RESTATE_ADMIN or the local cluster's)",
    )
    .option(
      "--endpoint-port <port>",
      "also serve the run engine on this loopback port and register it with the cluster",
    )
    .option(
      "--identity-key <publickeyv1_…>",
      "with --endpoint-port: only serve calls signed by this cluster key (repeatable; default $PHASEBOARD_RESTATE_IDENTITY_KEY or the local cluster's)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("--concurrency <n>", "steps run at once (default 4)")
    .action(async (options: WorkerOptions) => {
      const env = process.env;
      let workerId: string;
      try {
        workerId = checkWorkerId(options.id ?? env.PHASEBOARD_RESTATE_WORKER ?? "local");
      } catch (error) {
        throw new UsageError(error instanceof Error ? error.message : String(error));
      }
      const ingress = httpAddress(
        "--ingress",
        options.ingress ?? env.PHASEBOARD_RESTATE_INGRESS ?? "http://127.0.0.1:18080",
      );
      const admin = httpAddress(
        "--admin",
        options.admin ?? env.PHASEBOARD_RESTATE_ADMIN ?? "http://127.0.0.1:19070",
      );
      const endpointPort =
        options.endpointPort === undefined
          ? undefined
          : whole("--endpoint-port", options.endpointPort, 1, 65_535);
      const concurrency =
        options.concurrency === undefined ? 4 : whole("--concurrency", options.concurrency, 1, 64);
      const keys = endpointPort === undefined ? [] : identityKeys(options, env);
      try {
        await checkRestateReachable({ ingress, admin });
      } catch (error) {
        if (error instanceof RestateUnreachableError) {
          throw new CliError(error.message, { code: error.code, exitCode: 1 });
        }
        throw error;
      }
      let endpoint: RestateEndpointServer | undefined;
      if (endpointPort !== undefined) {
        endpoint = await serveRestateEndpoint({ port: endpointPort, identityKeys: keys });
        if (keys.length === 0) {
          console.warn(
            "worker: the engine endpoint takes unsigned calls; give it the cluster's key with --identity-key",
          );
        }
        await registerDeployment(admin, `http://127.0.0.1:${endpoint.port}`);
      }
      const worker = new StepWorker({
        ingressUrl: ingress,
        workerId,
        stateDir: join(resolvePhaseboardHome(env), "workers", workerId),
        concurrency,
        runAgent,
        onJob: (event) =>
          console.log(
            `${event.phase === "started" ? "started" : event.ok ? "completed" : "failed"} ${event.job.runId} ${event.job.stepKey}`,
          ),
      });
      const { requeued } = await worker.start();
      // Listening before saying "pulling": whoever reads that line may stop the worker at once.
      const stopped = new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      console.log(
        `worker ${workerId} pulling step jobs from ${ingress}${requeued > 0 ? ` (${requeued} interrupted step(s) to run again)` : ""}${endpoint ? `; engine endpoint on 127.0.0.1:${endpoint.port}${keys.length > 0 ? " (signed calls only)" : ""}` : ""}`,
      );
      await stopped;
      await worker.stop();
      await endpoint?.close();
    });
  withExamples(command, [
    "phaseboard worker --id build-box-1",
    "phaseboard worker --endpoint-port 9080   # one machine: engine and steps",
  ]);
}
