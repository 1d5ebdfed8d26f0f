/** Applying or creating a migration failed; `cause` holds the engine's error. */
export class MigrationError extends Error {
  readonly code = "MIGRATION_FAILED";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MigrationError";
  }
}
