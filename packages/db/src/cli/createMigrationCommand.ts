// `pnpm db:migration <name>`: writes a new migration folder from the schema diff.
import { relative } from "node:path";
import { createMigration } from "../migrations/createMigration.js";

const name = process.argv[2];
if (!name) {
  console.error(
    "usage: pnpm db:migration <name>   (for example: pnpm db:migration add_run_labels)",
  );
  process.exit(2);
}
try {
  const created = await createMigration(name);
  if (!created) {
    console.log(
      "schema.prisma matches prisma/migrations and prisma/postgresql-migrations: nothing to write.",
    );
  } else {
    console.log(
      `wrote ${relative(process.cwd(), created.directory)}/migration.sql (${created.providers.join(" and ")})`,
    );
    console.log("Run `pnpm db:generate` to refresh the client; the server applies it at start.");
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
