-- CreateTable
CREATE TABLE "run_dependencies" (
    "run_id" TEXT NOT NULL,
    "after_run_id" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("run_id", "after_run_id"),
    CONSTRAINT "run_dependencies_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "workflow_runs" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "run_dependencies_after_run_id_fkey" FOREIGN KEY ("after_run_id") REFERENCES "workflow_runs" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "run_dependencies_after_run_id_idx" ON "run_dependencies"("after_run_id");
