import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { toast } from "sonner";
import { apiFetch, jsonBody } from "../api/apiFetch";
import { queryKeys } from "../api/queryKeys";
import type { Project } from "../api/types";
import { Button } from "./Button";
import { Modal } from "./Modal";

/** The last segment of a path, the name a new project gets unless one is typed. */
export function folderName(path: string): string {
  return (
    path
      .trim()
      .replace(/[\\/]+$/, "")
      .split(/[\\/]/)
      .at(-1) ?? ""
  );
}

/**
 * Registers another repository as a project (`POST /api/projects`) and switches to it.
 * The server checks the path (absolute, an existing folder); its refusal is shown under
 * the field and nothing is added.
 */
export function AddProjectDialog({
  onClose,
  onAdded,
}: {
  onClose(): void;
  onAdded(project: Project): void;
}) {
  const id = useId();
  const queryClient = useQueryClient();
  const [path, setPath] = useState("");
  const [name, setName] = useState("");
  const [error, setError] = useState<string>();
  const add = useMutation({
    mutationFn: () =>
      apiFetch<Project>(
        "/api/projects",
        jsonBody({ path: path.trim(), name: name.trim() || folderName(path) }),
      ),
    onSuccess: async (project) => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.projects });
      toast.success(`Added “${project.name}”`);
      onAdded(project);
      onClose();
    },
    onError: (cause) => setError(cause.message),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!path.trim()) {
      setError("Enter the repository's absolute path.");
      return;
    }
    add.mutate();
  };
  return (
    <Modal
      title="Add project"
      description="Register a repository on this machine: its templates under .agent/workflows/definitions/ get a board of their own."
      onClose={onClose}
    >
      <form className="flex flex-col gap-4" onSubmit={submit} noValidate>
        <div>
          <label htmlFor={`${id}-path`} className="mb-1 block text-xs font-medium text-muted">
            Path
          </label>
          <input
            id={`${id}-path`}
            className={`h-9 w-full rounded-md border bg-surface px-2.5 font-mono text-sm outline-none focus:border-accent ${
              error ? "border-danger" : "border-line-strong"
            }`}
            placeholder="/home/me/code/my-repo"
            value={path}
            spellCheck={false}
            autoComplete="off"
            aria-invalid={Boolean(error)}
            aria-describedby={error ? `${id}-error` : undefined}
            onChange={(event) => {
              setPath(event.target.value);
              setError(undefined);
            }}
          />
          {error ? (
            <p id={`${id}-error`} role="alert" className="mt-1 text-xs text-danger">
              {error}
            </p>
          ) : null}
        </div>
        <div>
          <label htmlFor={`${id}-name`} className="mb-1 block text-xs font-medium text-muted">
            Name
          </label>
          <input
            id={`${id}-name`}
            className="h-9 w-full rounded-md border border-line-strong bg-surface px-2.5 text-sm outline-none focus:border-accent"
            placeholder={folderName(path) || "the folder's name"}
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </div>
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={add.isPending}>
            {add.isPending ? "Adding…" : "Add project"}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
