-- AlterTable
ALTER TABLE "workflow_run_steps" ADD COLUMN "cached_tokens" INTEGER;
ALTER TABLE "workflow_run_steps" ADD COLUMN "cost_usd" REAL;
ALTER TABLE "workflow_run_steps" ADD COLUMN "input_tokens" INTEGER;
ALTER TABLE "workflow_run_steps" ADD COLUMN "model" TEXT;
ALTER TABLE "workflow_run_steps" ADD COLUMN "output_tokens" INTEGER;

-- AlterTable
ALTER TABLE "workflow_runs" ADD COLUMN "budget" JSONB;
