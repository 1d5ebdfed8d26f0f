-- CreateTable
CREATE TABLE "restate_runs" (
    "workflow_run_id" TEXT NOT NULL,
    "generation" INTEGER NOT NULL DEFAULT 1,
    "pinned" JSONB,
    "checkpoint" JSONB,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "restate_runs_pkey" PRIMARY KEY ("workflow_run_id")
);

-- CreateTable
CREATE TABLE "step_log_lines" (
    "workflow_run_id" TEXT NOT NULL,
    "step_id" TEXT NOT NULL,
    "line" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "text" TEXT NOT NULL,

    CONSTRAINT "step_log_lines_pkey" PRIMARY KEY ("workflow_run_id","step_id","line")
);

-- CreateIndex
CREATE UNIQUE INDEX "step_log_lines_workflow_run_id_seq_key" ON "step_log_lines"("workflow_run_id", "seq");

-- AddForeignKey
ALTER TABLE "restate_runs" ADD CONSTRAINT "restate_runs_workflow_run_id_fkey" FOREIGN KEY ("workflow_run_id") REFERENCES "workflow_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "step_log_lines" ADD CONSTRAINT "step_log_lines_workflow_run_id_fkey" FOREIGN KEY ("workflow_run_id") REFERENCES "workflow_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
