import type { listRunsQuerySchema } from "@phaseboard/contracts";
import { type DbClient, Prisma, providerOfClient } from "@phaseboard/db";
import type { z } from "zod";
import { HttpError } from "../../HttpError.js";

type Query = z.output<typeof listRunsQuerySchema>;
type Row = Record<string, unknown>;

const DATE_COLUMNS = [
  "heartbeat_at",
  "started_at",
  "completed_at",
  "paused_at",
  "cancelled_at",
  "archived_at",
  "created_at",
  "updated_at",
];
const JSON_COLUMNS = ["args", "state"];

/**
 * Every run column but `result`: a template's result has no size limit of its own, and a
 * page of cards must not carry (or even load) it. `GET …/:id` answers it.
 */
const LIST_COLUMNS = Object.values(Prisma.WorkflowRunScalarFieldEnum)
  .filter((column) => column !== "result")
  .map((column) => `r."${column}"`)
  .join(", ");

/**
 * The board's run list as one SQL statement: the page of runs, its template summary and
 * the card counts as correlated subqueries on indexed columns. Prisma's `include` +
 * `_count` issues a query per relation and costs several times more on a 100-card page,
 * which is the API's hottest read (see bench/serverBench.ts). Each card's cost and tokens
 * (its own agent steps) are two more such subqueries on the steps' run index: measured
 * against one GROUP BY over the page's steps in a CTE, they cost a third as much.
 */
export async function listRunsQuery(db: DbClient, query: Query) {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.project_id) {
    where.push("r.project_id = ?");
    params.push(query.project_id);
  }
  if (query.status) {
    where.push(`r.status IN (${query.status.map(() => "?").join(", ")})`);
    params.push(...query.status);
  }
  if (query.phase) {
    where.push("r.current_phase = ?");
    params.push(query.phase);
  }
  if (query.workflow_definition_id) {
    where.push("r.workflow_definition_id = ?");
    params.push(query.workflow_definition_id);
  }
  if (!query.include_archived) where.push("r.archived_at IS NULL");
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor);
    // The stored created_at value is compared as stored, whatever its encoding.
    where.push("(r.created_at < ? OR (r.created_at = ? AND r.id < ?))");
    params.push(cursor.createdAt, cursor.createdAt, cursor.id);
  }
  const sql = `SELECT ${LIST_COLUMNS}, CAST(r.created_at AS TEXT) AS cursor_created_at,
      d.name AS d_name, d.identifier AS d_identifier, d.phases AS d_phases,
      (SELECT count(*) FROM workflow_comments c WHERE c.workflow_run_id = r.id) AS n_comments,
      (SELECT count(*) FROM workflow_run_steps s WHERE s.workflow_run_id = r.id) AS n_steps,
      (SELECT count(*) FROM workflow_artifacts a JOIN workflow_run_steps s2 ON a.workflow_run_step_id = s2.id
        WHERE s2.workflow_run_id = r.id) AS n_artifacts,
      (SELECT COALESCE(SUM(s3.cost_usd), 0.0) FROM workflow_run_steps s3 WHERE s3.workflow_run_id = r.id) AS spent_usd,
      (SELECT COALESCE(SUM(s4.input_tokens), 0) + COALESCE(SUM(s4.output_tokens), 0) FROM workflow_run_steps s4
        WHERE s4.workflow_run_id = r.id) AS spent_tokens,
      pr.url AS pr_url, pr.number AS pr_number, pr.state AS pr_state, pr.checks AS pr_checks
    FROM workflow_runs r LEFT JOIN workflow_definitions d ON d.id = r.workflow_definition_id
      LEFT JOIN pull_requests pr ON pr.workflow_run_id = r.id
    ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
    ORDER BY r.created_at DESC, r.id DESC
    LIMIT ?`;
  const rows = await db.$queryRawUnsafe<Row[]>(
    providerOfClient(db) === "postgresql" ? numberPlaceholders(sql) : sql,
    ...params,
    query.limit + 1,
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  // The page's card links in one indexed query (most runs have none).
  const links = await db.runDependency.findMany({
    where: { run_id: { in: page.map((row) => String(row.id)) } },
    select: { run_id: true, after_run_id: true },
    orderBy: { created_at: "asc" },
  });
  const afterIds = new Map<string, string[]>();
  for (const link of links) {
    afterIds.set(link.run_id, [...(afterIds.get(link.run_id) ?? []), link.after_run_id]);
  }
  // The steps at work on the page's active runs: a card shows its current step and any
  // approval it waits for whether it was read before those steps started or after.
  const activeIds = page
    .filter((row) => ["running", "waiting", "paused"].includes(String(row.status)))
    .map((row) => String(row.id));
  const activeSteps = activeIds.length
    ? await db.workflowRunStep.findMany({
        where: { workflow_run_id: { in: activeIds }, status: { in: ["running", "waiting"] } },
        include: { session: true },
        orderBy: { sequence: "asc" },
      })
    : [];
  const stepsOf = new Map<string, typeof activeSteps>();
  for (const step of activeSteps) {
    stepsOf.set(step.workflow_run_id, [...(stepsOf.get(step.workflow_run_id) ?? []), step]);
  }
  return {
    data: page.map((row) => ({
      ...toRunSummary(row),
      after_ids: afterIds.get(String(row.id)) ?? [],
      steps: stepsOf.get(String(row.id)) ?? [],
    })),
    page: {
      next_cursor:
        rows.length > query.limit && last
          ? encodeCursor(String(last.cursor_created_at), String(last.id))
          : null,
      limit: query.limit,
    },
  };
}

/** PostgreSQL numbers its placeholders (`$1`); the statement above has no `?` in literals. */
function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function toRunSummary(row: Row) {
  const {
    d_name,
    d_identifier,
    d_phases,
    n_comments,
    n_steps,
    n_artifacts,
    spent_usd,
    spent_tokens,
    pr_url,
    pr_number,
    pr_state,
    pr_checks,
    cursor_created_at: _cursor,
    ...run
  } = row;
  for (const column of DATE_COLUMNS) run[column] = toIso(run[column]);
  for (const column of JSON_COLUMNS) run[column] = parseJson(run[column]);
  run.current_step_index = Number(run.current_step_index);
  return {
    ...run,
    workflow_definition:
      d_name === null || d_name === undefined
        ? null
        : {
            id: run.workflow_definition_id,
            name: d_name,
            identifier: d_identifier,
            phases: parseJson(d_phases),
          },
    _count: {
      comments: Number(n_comments),
      steps: Number(n_steps),
      artifacts: Number(n_artifacts),
    },
    cost_usd: Number(spent_usd),
    tokens: Number(spent_tokens),
    pull_request:
      pr_url === null || pr_url === undefined
        ? null
        : { url: pr_url, number: Number(pr_number), state: pr_state, checks: pr_checks },
  };
}

function toIso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  const date =
    typeof value === "number" || /^\d+$/.test(String(value))
      ? new Date(Number(value))
      : new Date(String(value));
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}

function parseJson(value: unknown): unknown {
  if (typeof value !== "string") return value ?? null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(`${createdAt}|${id}`).toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const decoded = Buffer.from(cursor, "base64url").toString("utf8");
  const separator = decoded.lastIndexOf("|");
  const createdAt = decoded.slice(0, separator);
  const id = decoded.slice(separator + 1);
  if (separator <= 0 || !id) {
    throw new HttpError("VALIDATION_FAILED", "cursor: not a cursor this server returned");
  }
  return { createdAt, id };
}
