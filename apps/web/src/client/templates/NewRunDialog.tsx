import Form from "@rjsf/core";
import type { RJSFSchema } from "@rjsf/utils";
import validator from "@rjsf/validator-ajv8";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Rocket } from "lucide-react";
import { useId, useState } from "react";
import { useNavigate } from "react-router";
import { toast } from "sonner";
import { apiFetch, jsonBody } from "../api/apiFetch";
import { useDefinitions, useRuns } from "../api/queries";
import { queryKeys } from "../api/queryKeys";
import type { Project, Run } from "../api/types";
import { RunPicker } from "../dependencies/RunPicker";
import { Button } from "../ui/Button";
import { Modal } from "../ui/Modal";
import { argsUiSchema, formButtonTemplates } from "./formButtons";
import { templateError } from "./templateError";

const noSubmitButton = { "ui:submitButtonOptions": { norender: true } };

/**
 * Launches a run: template, name, and arguments from a form generated from the template's
 * JSON Schema. The schema's messages show inline, and nothing is sent while any field is
 * invalid. On success the card is put on the board at once, before any event arrives.
 */
export function NewRunDialog({
  project,
  initialTemplateId,
  onClose,
}: {
  project: Project;
  initialTemplateId?: string | undefined;
  onClose(): void;
}) {
  const definitions = useDefinitions(project.id);
  const runnable = (definitions.data ?? []).filter((d) => !templateError(d));
  const [templateId, setTemplateId] = useState(initialTemplateId ?? "");
  const template = runnable.find((d) => d.id === templateId) ?? runnable[0];
  const [name, setName] = useState("");
  const [nameError, setNameError] = useState<string>();
  const [args, setArgs] = useState<Record<string, unknown>>({});
  const runs = useRuns(project.id);
  const [after, setAfter] = useState<string[]>([]);
  const formId = useId();
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  const launch = useMutation({
    mutationFn: (body: { args: unknown }) =>
      apiFetch<Run>(
        "/api/workflow-executions",
        jsonBody({
          project_id: project.id,
          workflow_definition_id: template?.id,
          // Without a name the server names the run after its template.
          ...(name.trim() ? { name: name.trim() } : {}),
          args: body.args,
          ...(after.length > 0 ? { after } : {}),
        }),
      ),
    onSuccess: (run) => {
      queryClient.setQueryData<Run[]>(queryKeys.runs(project.id), (runs) =>
        runs && !runs.some((r) => r.id === run.id) ? [...runs, run] : runs,
      );
      toast.success(`Started “${run.name}”`);
      onClose();
      navigate(`/?project=${project.id}&template=${run.workflow_definition_id}`);
    },
    onError: (error) => toast.error(`Could not start the run: ${error.message}`),
  });

  const schema = (template?.args_schema ?? { type: "object", properties: {} }) as RJSFSchema;

  return (
    <Modal
      title="New run"
      description="Start a template: its card appears on the board and moves as its steps finish."
      onClose={onClose}
      width="max-w-xl"
    >
      {definitions.isLoading ? (
        <p className="text-sm text-muted">Loading templates…</p>
      ) : runnable.length === 0 ? (
        <p className="text-sm text-muted">
          This project has no runnable template yet. Add one under{" "}
          <code className="rounded bg-sunken px-1">.agent/workflows/definitions/</code> (the
          Templates page has an example to copy).
        </p>
      ) : (
        <div className="flex flex-col gap-4">
          <div className="grid grid-cols-2 gap-3">
            <div>
              <label
                htmlFor={`${formId}-template`}
                className="mb-1 block text-xs font-medium text-muted"
              >
                Template
              </label>
              <select
                id={`${formId}-template`}
                className="h-9 w-full rounded-md border border-line-strong bg-surface px-2 text-sm"
                value={template?.id ?? ""}
                onChange={(event) => {
                  setTemplateId(event.target.value);
                  setArgs({});
                }}
              >
                {runnable.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label
                htmlFor={`${formId}-name`}
                className="mb-1 block text-xs font-medium text-muted"
              >
                Run name
              </label>
              <input
                id={`${formId}-name`}
                className={`h-9 w-full rounded-md border bg-surface px-2.5 text-sm outline-none focus:border-accent ${
                  nameError ? "border-danger" : "border-line-strong"
                }`}
                placeholder={template?.name ?? "e.g. Add login with magic links"}
                value={name}
                aria-invalid={Boolean(nameError)}
                aria-describedby={nameError ? `${formId}-name-error` : undefined}
                onChange={(event) => {
                  setName(event.target.value);
                  setNameError(undefined);
                }}
              />
              {nameError ? (
                <p id={`${formId}-name-error`} className="mt-1 text-xs text-danger">
                  {nameError}
                </p>
              ) : null}
            </div>
          </div>
          {template?.description ? (
            <p className="-mt-1 text-xs text-muted">{template.description}</p>
          ) : null}
          <div>
            <h3 className="mb-2 text-xs font-semibold tracking-wide text-faint uppercase">
              Arguments
            </h3>
            <Form
              key={template?.id}
              id={`${formId}-args`}
              className="rjsf"
              schema={schema}
              uiSchema={{ ...argsUiSchema(schema as never), ...noSubmitButton }}
              templates={{ ButtonTemplates: formButtonTemplates }}
              validator={validator}
              formData={args}
              noHtml5Validate
              transformErrors={(errors) =>
                errors.map((error) =>
                  error.name === "required"
                    ? { ...error, message: "This field is required." }
                    : error,
                )
              }
              showErrorList={false}
              liveValidate="onChange"
              onChange={(event) => setArgs(event.formData as Record<string, unknown>)}
              onSubmit={(event) => {
                if (name.trim().length > 500) {
                  setNameError("Keep the name under 500 characters.");
                  return;
                }
                launch.mutate({ args: event.formData ?? {} });
              }}
            />
            {Object.keys((schema as { properties?: Record<string, unknown> }).properties ?? {})
              .length === 0 ? (
              <p className="text-xs text-faint">This template takes no arguments.</p>
            ) : null}
          </div>
          <div>
            <h3 className="mb-2 text-xs font-semibold tracking-wide text-faint uppercase">
              Start after…
            </h3>
            <p className="mb-2 text-xs text-muted">
              {after.length === 0
                ? "Optional: the run waits, Blocked, until all the runs you pick have completed."
                : `Waits for ${after.length} ${after.length === 1 ? "run" : "runs"} to complete.`}
            </p>
            <RunPicker runs={runs.data ?? []} selected={after} onChange={setAfter} />
          </div>
          <div className="flex justify-end gap-2 border-t border-line pt-4">
            <Button onClick={onClose}>Cancel</Button>
            <Button
              variant="primary"
              type="submit"
              form={`${formId}-args`}
              disabled={launch.isPending}
            >
              <Rocket aria-hidden className="size-4" />
              {launch.isPending ? "Starting…" : "Start run"}
            </Button>
          </div>
        </div>
      )}
    </Modal>
  );
}
