-- AlterTable
ALTER TABLE "workflow_runs" ADD COLUMN "step_worker" TEXT;
