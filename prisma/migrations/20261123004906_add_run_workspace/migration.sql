-- AlterTable
ALTER TABLE "workflow_runs" ADD COLUMN "workspace_base_commit" TEXT;
ALTER TABLE "workflow_runs" ADD COLUMN "workspace_base_ref" TEXT;
ALTER TABLE "workflow_runs" ADD COLUMN "workspace_branch" TEXT;
ALTER TABLE "workflow_runs" ADD COLUMN "workspace_path" TEXT;
