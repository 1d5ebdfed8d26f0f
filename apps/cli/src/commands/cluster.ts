import { join } from "node:path";
import { resolvePhaseboardHome } from "@phaseboard/db";
import type { Command } from "commander";
import { LocalRestateCluster } from "../cluster/LocalRestateCluster.js";
import { Output } from "../output/Output.js";
import { type JsonOptions, withExamples, withJsonOption } from "../program/commandOptions.js";

/** The development cluster of this `$PHASEBOARD_HOME`. */
export function localCluster(env: NodeJS.ProcessEnv = process.env): LocalRestateCluster {
  const offset = Number(env.PHASEBOARD_CLUSTER_PORT_OFFSET ?? 0);
  if (!Number.isInteger(offset) || offset < 0 || offset > 4_000) {
    throw new Error("PHASEBOARD_CLUSTER_PORT_OFFSET must be a whole number from 0 to 4000");
  }
  return new LocalRestateCluster({
    dir: join(resolvePhaseboardHome(env), "cluster"),
    portOffset: offset,
  });
}

export function registerClusterCommand(program: Command): void {
  const cluster = program
    .command("cluster")
    .description(
      "a local 3-node Restate cluster for development (data in $PHASEBOARD_HOME/cluster)",
    );
  cluster
    .command("up")
    .description("start the three nodes (keeping their data) and wait until they form the cluster")
    .action(async () => {
      const nodes = localCluster();
      const out = new Output({});
      out.spin("starting 3 Restate nodes");
      try {
        await nodes.start();
      } finally {
        out.stopSpinner();
      }
      out.line(`cluster up: 3 nodes, ingress ${nodes.ingressUrl}, admin ${nodes.adminUrl}`);
      out.line(`data and logs: ${nodes.dir}`);
      out.line(`request identity (workers' --identity-key): ${nodes.identity().publicKey}`);
    });
  const status = cluster
    .command("status")
    .description("the nodes' processes and the cluster's members as restatectl sees them")
    .action(async (options: JsonOptions) => {
      const nodes = localCluster();
      const out = new Output(options);
      const processes = nodes.status();
      const members = processes.some((node) => node.running)
        ? await nodes.members().catch(() => [])
        : [];
      const report = {
        dir: nodes.dir,
        ingress: nodes.ingressUrl,
        admin: nodes.adminUrl,
        identity_key: nodes.publicKey() ?? null,
        nodes: processes.map((node) => ({
          ...node,
          member: members.find((member) => member.name === node.name)?.alive ?? false,
        })),
      };
      out.result(report, (value) => {
        for (const node of value.nodes) {
          out.line(
            `${node.name}  ${node.running ? `running (pid ${node.pid})` : "stopped"}  ${node.member ? "member" : "not a member"}  ingress :${node.ports.ingress}  admin :${node.ports.admin}`,
          );
        }
        const alive = value.nodes.filter((node) => node.member).length;
        out.line(`${alive} of ${value.nodes.length} nodes are cluster members`);
      });
    });
  withJsonOption(status);
  cluster
    .command("down")
    .description("stop the three nodes; their data stays for the next `cluster up`")
    .action(async () => {
      const stopped = await localCluster().stop();
      new Output({}).line(
        stopped.length > 0 ? `stopped ${stopped.join(", ")}` : "the cluster was not running",
      );
    });
  withExamples(cluster, [
    "phaseboard cluster up",
    "phaseboard cluster status --json",
    "phaseboard cluster down",
  ]);
}
