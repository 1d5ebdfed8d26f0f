// When the generated Prisma client is current: it was generated from this schema by these
// Prisma versions (the generator and the runtime it targets), and generating finished.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { buildOutdated, recordBuild } from "../../../scripts/setup/stamps.mjs";

function paths(root) {
  const generated = join(root, "packages", "db", "src", "generated");
  return {
    stamp: join(generated, ".phaseboard-generate.json"),
    client: join(generated, "prisma", "client.ts"),
    schema: join(root, "prisma", "schema.prisma"),
  };
}

function versions(root) {
  const require = createRequire(join(root, "packages", "db", "package.json"));
  const versionOf = (name) => {
    try {
      return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")).version;
    } catch {
      return "missing";
    }
  };
  return `prisma:${versionOf("prisma")} @prisma/client:${versionOf("@prisma/client")}`;
}

/** Why the client must be generated, or undefined when it is current. */
export function prismaClientOutdated(root) {
  const { stamp, client } = paths(root);
  // The PostgreSQL variant is generated from the same schema in the same run.
  if (!existsSync(join(dirname(client), "..", "postgresql", "client.ts"))) {
    return "the PostgreSQL client is missing";
  }
  return buildOutdated(stamp, client, versions(root));
}

export function recordPrismaClient(root) {
  const { stamp, client, schema } = paths(root);
  recordBuild(stamp, client, [schema], versions(root));
}
