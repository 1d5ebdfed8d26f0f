-- CreateTable
CREATE TABLE "run_dependencies" (
    "run_id" TEXT NOT NULL,
    "after_run_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "run_dependencies_pkey" PRIMARY KEY ("run_id","after_run_id")
);

-- CreateIndex
CREATE INDEX "run_dependencies_after_run_id_idx" ON "run_dependencies"("after_run_id");

-- AddForeignKey
ALTER TABLE "run_dependencies" ADD CONSTRAINT "run_dependencies_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "workflow_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_dependencies" ADD CONSTRAINT "run_dependencies_after_run_id_fkey" FOREIGN KEY ("after_run_id") REFERENCES "workflow_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
