-- CreateTable
CREATE TABLE "port_blocks" (
    "first_port" INTEGER NOT NULL,
    "size" INTEGER NOT NULL,
    "workflow_run_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "port_blocks_pkey" PRIMARY KEY ("first_port")
);

-- CreateIndex
CREATE UNIQUE INDEX "port_blocks_workflow_run_id_key" ON "port_blocks"("workflow_run_id");

-- AddForeignKey
ALTER TABLE "port_blocks" ADD CONSTRAINT "port_blocks_workflow_run_id_fkey" FOREIGN KEY ("workflow_run_id") REFERENCES "workflow_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
