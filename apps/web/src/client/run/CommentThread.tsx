import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Bot, ImagePlus, Paperclip, Send, User, X } from "lucide-react";
import { useId, useState } from "react";
import { toast } from "sonner";
import { apiFetch, jsonBody } from "../api/apiFetch";
import { artifactUrl } from "../api/queries";
import { queryKeys } from "../api/queryKeys";
import type { Artifact, Comment, Run } from "../api/types";
import { Button } from "../ui/Button";
import { Markdown } from "../ui/Markdown";
import { filesFrom, useArtifactUpload } from "./useArtifactUpload";

/**
 * Comments on a run or on one step, in Markdown. A comment may carry attachments: chosen
 * from the step's files, or pasted straight into the box as a screenshot.
 */
export function CommentThread({
  run,
  stepId,
  comments,
  artifacts,
}: {
  run: Run;
  /** The step this thread belongs to; undefined for the run's own thread. */
  stepId: string | undefined;
  comments: Comment[];
  artifacts: Artifact[];
}) {
  const client = useQueryClient();
  const textId = useId();
  const [text, setText] = useState("");
  const [attached, setAttached] = useState<Artifact[]>([]);
  const [picking, setPicking] = useState(false);
  const uploadStep = stepId ?? lastStepId(run);
  const { upload, isUploading } = useArtifactUpload(run.id, uploadStep);

  const post = useMutation({
    mutationFn: async () => {
      const comment = await apiFetch<Comment>(
        `/api/workflow-executions/${run.id}/comments`,
        jsonBody({ text: text.trim(), ...(stepId ? { step_id: stepId } : {}) }),
      );
      for (const artifact of attached) {
        await apiFetch<Artifact>(`/api/artifacts/${artifact.id}/attach`, {
          method: "PATCH",
          body: JSON.stringify({ comment_id: comment.id }),
        });
      }
      return { ...comment, artifacts: attached };
    },
    onSuccess: (comment) => {
      client.setQueryData<Comment[]>(queryKeys.comments(run.id), (list) => {
        if (!list) return list;
        return list.some((c) => c.id === comment.id)
          ? list.map((c) => (c.id === comment.id ? { ...c, artifacts: comment.artifacts } : c))
          : [...list, comment];
      });
      void client.invalidateQueries({ queryKey: queryKeys.artifacts(run.id) });
      setText("");
      setAttached([]);
    },
    onError: (error) => toast.error(`Could not post the comment: ${error.message}`),
  });

  const thread = comments.filter((c) => (c.workflow_run_step_id ?? undefined) === stepId);
  const attachedTo = (comment: Comment) =>
    comment.artifacts?.length
      ? comment.artifacts
      : artifacts.filter((a) => a.workflow_comment_id === comment.id);
  const candidates = artifacts.filter(
    (a) => !a.workflow_comment_id && !attached.some((b) => b.id === a.id),
  );

  return (
    <section aria-label="Comments">
      <h3 className="mb-2 text-xs font-semibold tracking-wide text-faint uppercase">
        Comments <span className="tabular-nums">({thread.length})</span>
      </h3>
      <ol className="mb-3 flex flex-col gap-3">
        {thread.length === 0 ? (
          <li className="text-xs text-faint">
            No comments {stepId ? "on this step" : "on this run"} yet.
          </li>
        ) : null}
        {thread.map((comment) => (
          <li key={comment.id} className="flex gap-2.5" data-comment-id={comment.id}>
            <div className="grid size-7 shrink-0 place-items-center rounded-full bg-sunken text-muted">
              {comment.comment_type === "agent" || comment.comment_type === "system" ? (
                <Bot aria-hidden className="size-3.5" />
              ) : (
                <User aria-hidden className="size-3.5" />
              )}
            </div>
            <div className="min-w-0 flex-1 rounded-lg border border-line bg-surface px-3 py-2">
              <p className="mb-0.5 text-[11px] text-faint">
                <span className="font-medium text-muted capitalize">
                  {comment.comment_type === "user"
                    ? (comment.creator?.display_name ?? comment.creator?.username ?? "You")
                    : comment.comment_type}
                </span>{" "}
                ·{" "}
                <time dateTime={comment.created_at}>
                  {new Date(comment.created_at).toLocaleString()}
                </time>
              </p>
              <Markdown text={comment.text} />
              {attachedTo(comment).length ? (
                <ul className="mt-2 flex flex-wrap gap-2">
                  {attachedTo(comment).map((a) => (
                    <li key={a.id}>
                      <a
                        href={artifactUrl(a.id)}
                        target="_blank"
                        rel="noreferrer"
                        className="block"
                      >
                        {a.file_type === "image" ? (
                          <img
                            src={artifactUrl(a.id)}
                            alt={a.name}
                            className="h-16 rounded border border-line object-cover"
                          />
                        ) : (
                          <span className="inline-flex items-center gap-1 rounded border border-line px-2 py-1 text-xs">
                            <Paperclip aria-hidden className="size-3" /> {a.name}
                          </span>
                        )}
                      </a>
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          </li>
        ))}
      </ol>
      <form
        className="rounded-lg border border-line-strong bg-surface focus-within:border-accent"
        onSubmit={(event) => {
          event.preventDefault();
          if (!text.trim()) return;
          post.mutate();
        }}
      >
        <label htmlFor={textId} className="sr-only">
          Write a comment
        </label>
        <textarea
          id={textId}
          value={text}
          rows={3}
          placeholder={`Comment on this ${stepId ? "step" : "run"} — Markdown works; paste a screenshot to attach it`}
          className="block w-full resize-y rounded-t-lg bg-transparent px-3 py-2 text-sm outline-none"
          onChange={(event) => setText(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter" && (event.metaKey || event.ctrlKey) && text.trim()) {
              event.preventDefault();
              post.mutate();
            }
          }}
          onPaste={(event) => {
            const files = filesFrom(event.clipboardData, true);
            if (files.length === 0) return;
            event.preventDefault();
            void upload(files).then((uploaded) => setAttached((list) => [...list, ...uploaded]));
          }}
        />
        {attached.length ? (
          <ul aria-label="Attached to this comment" className="flex flex-wrap gap-1.5 px-3 pb-2">
            {attached.map((a) => (
              <li
                key={a.id}
                className="inline-flex items-center gap-1 rounded-full bg-sunken py-0.5 pr-1 pl-2 text-xs"
              >
                <Paperclip aria-hidden className="size-3" /> {a.name}
                <button
                  type="button"
                  aria-label={`Remove ${a.name}`}
                  className="rounded-full p-0.5 hover:bg-line"
                  onClick={() => setAttached((list) => list.filter((b) => b.id !== a.id))}
                >
                  <X aria-hidden className="size-3" />
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        {picking ? (
          <div className="border-t border-line px-3 py-2">
            {candidates.length === 0 ? (
              <p className="text-xs text-faint">
                No unattached files on this {stepId ? "step" : "run"}.
              </p>
            ) : (
              <ul className="flex flex-wrap gap-1.5">
                {candidates.map((a) => (
                  <li key={a.id}>
                    <button
                      type="button"
                      className="inline-flex items-center gap-1 rounded-md border border-line px-2 py-1 text-xs hover:bg-sunken"
                      onClick={() => {
                        setAttached((list) => [...list, a]);
                        setPicking(false);
                      }}
                    >
                      <ImagePlus aria-hidden className="size-3" /> {a.name}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        ) : null}
        <div className="flex items-center gap-2 border-t border-line px-2 py-1.5">
          <Button
            size="sm"
            variant="ghost"
            onClick={() => setPicking((v) => !v)}
            aria-expanded={picking}
          >
            <Paperclip aria-hidden className="size-3.5" /> Attach a file
          </Button>
          {isUploading ? <span className="text-xs text-faint">Uploading…</span> : null}
          <Button
            size="sm"
            variant="primary"
            type="submit"
            className="ml-auto"
            disabled={!text.trim() || post.isPending}
          >
            <Send aria-hidden className="size-3.5" /> Comment
          </Button>
        </div>
      </form>
    </section>
  );
}

function lastStepId(run: Run): string | undefined {
  const steps = run.steps ?? [];
  return (steps.find((s) => s.status === "running") ?? steps[steps.length - 1])?.id;
}
