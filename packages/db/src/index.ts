export {
  createDbClient,
  type DbClient,
  POSTGRES_CONNECT_TIMEOUT_MS,
  providerOfClient,
} from "./createDbClient.js";
export {
  createSqliteAdapterFactory,
  SQLITE_BUSY_TIMEOUT_MS,
} from "./createSqliteAdapterFactory.js";
export {
  type DatabaseLocation,
  DatabaseLocationError,
  type DatabaseProvider,
  databaseProviderOf,
  describePostgresUrl,
  ensureDatabaseFolder,
  InvalidDatabaseUrlError,
  resolveDatabaseLocation,
  resolvePhaseboardHome,
} from "./databaseLocation.js";
export { Prisma, PrismaClient } from "./generated/prisma/client.js";
export type * from "./generated/prisma/models.js";
export { createMigration } from "./migrations/createMigration.js";
export { MigrationError } from "./migrations/MigrationError.js";
export { diffMigrationsToSchema, migrateDatabase } from "./migrations/migrateDatabase.js";
export { defaultMigrationPaths, type MigrationPaths } from "./migrations/migrationPaths.js";
export { DatabaseUnreachableError } from "./postgres/checkPostgres.js";
export { openPostgresChannel, type PostgresChannel } from "./postgres/openPostgresChannel.js";
export {
  findPostgresBinDir,
  type PostgresCluster,
  startPostgresCluster,
} from "./postgres/startPostgresCluster.js";
