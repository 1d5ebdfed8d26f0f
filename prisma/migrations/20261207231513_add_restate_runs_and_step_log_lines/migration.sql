-- CreateTable
CREATE TABLE "restate_runs" (
    "workflow_run_id" TEXT NOT NULL PRIMARY KEY,
    "generation" INTEGER NOT NULL DEFAULT 1,
    "pinned" JSONB,
    "checkpoint" JSONB,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL,
    CONSTRAINT "restate_runs_workflow_run_id_fkey" FOREIGN KEY ("workflow_run_id") REFERENCES "workflow_runs" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "step_log_lines" (
    "workflow_run_id" TEXT NOT NULL,
    "step_id" TEXT NOT NULL,
    "line" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "text" TEXT NOT NULL,

    PRIMARY KEY ("workflow_run_id", "step_id", "line"),
    CONSTRAINT "step_log_lines_workflow_run_id_fkey" FOREIGN KEY ("workflow_run_id") REFERENCES "workflow_runs" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "step_log_lines_workflow_run_id_seq_key" ON "step_log_lines"("workflow_run_id", "seq");
