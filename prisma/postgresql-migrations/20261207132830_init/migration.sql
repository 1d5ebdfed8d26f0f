-- CreateTable
CREATE TABLE "projects" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "projects_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "display_name" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workflow_definitions" (
    "id" TEXT NOT NULL,
    "project_id" TEXT NOT NULL,
    "identifier" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "type" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "phases" JSONB NOT NULL,
    "args_schema" JSONB,
    "steps" JSONB,
    "triggers" JSONB,
    "source_hash" TEXT,
    "error" JSONB,
    "is_template" BOOLEAN NOT NULL DEFAULT true,
    "scope" TEXT NOT NULL DEFAULT 'project',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "workflow_definitions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workflow_runs" (
    "id" TEXT NOT NULL,
    "project_id" TEXT NOT NULL,
    "user_id" TEXT,
    "workflow_definition_id" TEXT NOT NULL,
    "parent_run_id" TEXT,
    "name" TEXT NOT NULL,
    "args" JSONB NOT NULL,
    "current_phase" TEXT,
    "current_step_index" INTEGER NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "position" TEXT NOT NULL,
    "state" JSONB,
    "result" JSONB,
    "error_message" TEXT,
    "worker_id" TEXT,
    "heartbeat_at" TIMESTAMP(3),
    "started_at" TIMESTAMP(3),
    "completed_at" TIMESTAMP(3),
    "paused_at" TIMESTAMP(3),
    "cancelled_at" TIMESTAMP(3),
    "archived_at" TIMESTAMP(3),
    "budget" JSONB,
    "workspace_path" TEXT,
    "workspace_branch" TEXT,
    "workspace_base_ref" TEXT,
    "workspace_base_commit" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "workflow_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workflow_run_steps" (
    "id" TEXT NOT NULL,
    "workflow_run_id" TEXT NOT NULL,
    "step_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "type" TEXT NOT NULL DEFAULT 'function',
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "sequence" INTEGER NOT NULL DEFAULT 0,
    "log_directory_path" TEXT,
    "agent_session_id" TEXT,
    "model" TEXT,
    "input_tokens" INTEGER,
    "output_tokens" INTEGER,
    "cached_tokens" INTEGER,
    "cost_usd" DOUBLE PRECISION,
    "error_message" TEXT,
    "started_at" TIMESTAMP(3),
    "completed_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "workflow_run_steps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workflow_comments" (
    "id" TEXT NOT NULL,
    "workflow_run_id" TEXT NOT NULL,
    "workflow_run_step_id" TEXT,
    "text" TEXT NOT NULL,
    "comment_type" TEXT NOT NULL DEFAULT 'user',
    "created_by" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "workflow_comments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "workflow_artifacts" (
    "id" TEXT NOT NULL,
    "workflow_run_step_id" TEXT NOT NULL,
    "workflow_comment_id" TEXT,
    "name" TEXT NOT NULL,
    "file_path" TEXT NOT NULL,
    "file_type" TEXT NOT NULL,
    "mime_type" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "workflow_artifacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "agent_sessions" (
    "id" TEXT NOT NULL,
    "project_id" TEXT,
    "agent" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "model" TEXT,
    "cwd" TEXT,
    "session_log_path" TEXT,
    "status" TEXT NOT NULL DEFAULT 'running',
    "input_tokens" INTEGER,
    "output_tokens" INTEGER,
    "cached_tokens" INTEGER,
    "cost_usd" DOUBLE PRECISION,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "agent_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "projects_path_key" ON "projects"("path");

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");

-- CreateIndex
CREATE INDEX "workflow_definitions_project_id_identifier_idx" ON "workflow_definitions"("project_id", "identifier");

-- CreateIndex
CREATE UNIQUE INDEX "workflow_definitions_project_id_path_key" ON "workflow_definitions"("project_id", "path");

-- CreateIndex
CREATE INDEX "workflow_runs_project_id_status_current_phase_idx" ON "workflow_runs"("project_id", "status", "current_phase");

-- CreateIndex
CREATE INDEX "workflow_runs_project_id_current_phase_position_idx" ON "workflow_runs"("project_id", "current_phase", "position");

-- CreateIndex
CREATE INDEX "workflow_runs_project_id_created_at_idx" ON "workflow_runs"("project_id", "created_at");

-- CreateIndex
CREATE INDEX "workflow_runs_workflow_definition_id_status_idx" ON "workflow_runs"("workflow_definition_id", "status");

-- CreateIndex
CREATE INDEX "workflow_runs_parent_run_id_idx" ON "workflow_runs"("parent_run_id");

-- CreateIndex
CREATE INDEX "workflow_runs_status_heartbeat_at_idx" ON "workflow_runs"("status", "heartbeat_at");

-- CreateIndex
CREATE INDEX "workflow_run_steps_workflow_run_id_sequence_idx" ON "workflow_run_steps"("workflow_run_id", "sequence");

-- CreateIndex
CREATE INDEX "workflow_run_steps_agent_session_id_idx" ON "workflow_run_steps"("agent_session_id");

-- CreateIndex
CREATE UNIQUE INDEX "workflow_run_steps_workflow_run_id_step_id_key" ON "workflow_run_steps"("workflow_run_id", "step_id");

-- CreateIndex
CREATE INDEX "workflow_comments_workflow_run_id_created_at_idx" ON "workflow_comments"("workflow_run_id", "created_at");

-- CreateIndex
CREATE INDEX "workflow_comments_workflow_run_step_id_idx" ON "workflow_comments"("workflow_run_step_id");

-- CreateIndex
CREATE INDEX "workflow_artifacts_workflow_run_step_id_idx" ON "workflow_artifacts"("workflow_run_step_id");

-- CreateIndex
CREATE INDEX "workflow_artifacts_workflow_comment_id_idx" ON "workflow_artifacts"("workflow_comment_id");

-- CreateIndex
CREATE UNIQUE INDEX "agent_sessions_agent_session_id_key" ON "agent_sessions"("agent", "session_id");

-- AddForeignKey
ALTER TABLE "workflow_definitions" ADD CONSTRAINT "workflow_definitions_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workflow_runs" ADD CONSTRAINT "workflow_runs_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workflow_runs" ADD CONSTRAINT "workflow_runs_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workflow_runs" ADD CONSTRAINT "workflow_runs_workflow_definition_id_fkey" FOREIGN KEY ("workflow_definition_id") REFERENCES "workflow_definitions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workflow_runs" ADD CONSTRAINT "workflow_runs_parent_run_id_fkey" FOREIGN KEY ("parent_run_id") REFERENCES "workflow_runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workflow_run_steps" ADD CONSTRAINT "workflow_run_steps_workflow_run_id_fkey" FOREIGN KEY ("workflow_run_id") REFERENCES "workflow_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workflow_run_steps" ADD CONSTRAINT "workflow_run_steps_agent_session_id_fkey" FOREIGN KEY ("agent_session_id") REFERENCES "agent_sessions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workflow_comments" ADD CONSTRAINT "workflow_comments_workflow_run_id_fkey" FOREIGN KEY ("workflow_run_id") REFERENCES "workflow_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workflow_comments" ADD CONSTRAINT "workflow_comments_workflow_run_step_id_fkey" FOREIGN KEY ("workflow_run_step_id") REFERENCES "workflow_run_steps"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workflow_comments" ADD CONSTRAINT "workflow_comments_created_by_fkey" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workflow_artifacts" ADD CONSTRAINT "workflow_artifacts_workflow_run_step_id_fkey" FOREIGN KEY ("workflow_run_step_id") REFERENCES "workflow_run_steps"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "workflow_artifacts" ADD CONSTRAINT "workflow_artifacts_workflow_comment_id_fkey" FOREIGN KEY ("workflow_comment_id") REFERENCES "workflow_comments"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "agent_sessions" ADD CONSTRAINT "agent_sessions_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE SET NULL ON UPDATE CASCADE;
