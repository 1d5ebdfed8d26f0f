import { toCliError } from "../errors/toCliError.js";
import { findProjectDir } from "../project/findProjectDir.js";
import { type Connection, openConnection } from "./openConnection.js";

/**
 * Finds the project, connects (server or embedded), runs `fn` and always closes, so an
 * embedded server never outlives its command.
 */
export async function withConnection<T>(
  options: { project?: string | undefined },
  fn: (connection: Connection, projectDir: string) => Promise<T>,
  context: { runId?: string } = {},
): Promise<T> {
  const projectDir = findProjectDir(options);
  const connection = await openConnection({ projectDir });
  try {
    return await fn(connection, projectDir);
  } catch (error) {
    throw toCliError(error, context);
  } finally {
    await connection.close();
  }
}
