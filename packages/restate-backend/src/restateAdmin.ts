import { RestateUnreachableError } from "./RestateUnreachableError.js";

export interface RestateAddresses {
  /** Where runs are submitted and workers pull jobs (PHASEBOARD_RESTATE_INGRESS). */
  ingress: string;
  /** Where deployments are registered (PHASEBOARD_RESTATE_ADMIN). */
  admin: string;
}

async function probe(url: string, what: string, timeoutMs: number): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new RestateUnreachableError(
      url,
      `Restate ${what} at ${url} is unreachable (${error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error)}); start it (phaseboard cluster up) or fix its address`,
      { cause: error },
    );
  }
  if (!response.ok) {
    throw new RestateUnreachableError(
      url,
      `Restate ${what} at ${url} answered ${response.status}; it is not ready to run workflows`,
    );
  }
}

/**
 * Checks that both Restate addresses answer their health endpoints; throws
 * {@link RestateUnreachableError} naming the address that does not.
 *
 * @example
 * await checkRestateReachable({ ingress: "http://127.0.0.1:18080", admin: "http://127.0.0.1:19070" });
 */
export async function checkRestateReachable(
  addresses: RestateAddresses,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 3000;
  await probe(new URL("/health", addresses.admin).href, "admin API", timeoutMs);
  await probe(new URL("/restate/health", addresses.ingress).href, "ingress", timeoutMs);
}

/**
 * Registers (or re-registers) the deployment serving Phaseboard's services. Registering
 * the same endpoint twice is harmless: the second registration replaces the first
 * (`force`), which is also how a new version of the services is rolled out.
 */
export async function registerDeployment(adminUrl: string, endpointUrl: string): Promise<void> {
  const url = new URL("/deployments", adminUrl).href;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ uri: endpointUrl, force: true }),
    });
  } catch (error) {
    throw new RestateUnreachableError(adminUrl, `Restate admin API at ${adminUrl} is unreachable`, {
      cause: error,
    });
  }
  if (!response.ok) {
    throw new Error(
      `Restate refused the deployment ${endpointUrl}: ${response.status} ${await response.text()}`,
    );
  }
}

/** `text` as an SQL string literal for the admin API's queries. */
export function sqlText(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The rows the admin API's SQL view of the cluster (`POST /query`, e.g. over
 * `sys_invocation_status`) answers for `sql`; throws when the API refuses.
 */
export async function queryAdmin<Row>(adminUrl: string, sql: string): Promise<Row[]> {
  const response = await fetch(new URL("/query", adminUrl), {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query: sql }),
  });
  if (!response.ok) throw new Error(`Restate admin API refused the query: ${response.status}`);
  return ((await response.json()) as { rows?: Row[] }).rows ?? [];
}

/**
 * The id of the newest invocation of `service`'s `run` handler keyed `key`; undefined when
 * the cluster has none (never submitted, or ended and dropped after its retention).
 *
 * @example
 * const id = await findInvocation(admin, "PhaseboardRun", "run_abc~g2");
 */
export async function findInvocation(
  adminUrl: string,
  service: string,
  key: string,
): Promise<string | undefined> {
  const [row] = await queryAdmin<{ id?: string }>(
    adminUrl,
    `SELECT id FROM sys_invocation_status WHERE target_service_name = ${sqlText(service)} AND target_service_key = ${sqlText(key)} AND target_handler_name = 'run' ORDER BY created_at DESC LIMIT 1`,
  );
  return row?.id;
}
