import { FileText, ImageIcon, Upload } from "lucide-react";
import { Dialog } from "radix-ui";
import { useEffect, useRef, useState } from "react";
import { artifactUrl } from "../api/queries";
import type { Artifact } from "../api/types";
import { Button } from "../ui/Button";
import { filesFrom, useArtifactUpload } from "./useArtifactUpload";

/**
 * A step's attachments: thumbnails with a lightbox, and three ways to add one — the
 * button, dropping files on the gallery, or pasting a screenshot anywhere on the page.
 */
export function ArtifactGallery({
  runId,
  stepId,
  artifacts,
}: {
  runId: string;
  stepId: string | undefined;
  artifacts: Artifact[];
}) {
  const { upload, isUploading, enabled } = useArtifactUpload(runId, stepId);
  const [dragOver, setDragOver] = useState(false);
  const [open, setOpen] = useState<Artifact | null>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!enabled) return;
    const onPaste = (event: ClipboardEvent) => {
      // The comment box handles its own pastes (it also attaches them to the comment).
      if (event.defaultPrevented) return;
      const files = filesFrom(event.clipboardData, true);
      if (files.length === 0) return;
      event.preventDefault();
      void upload(files);
    };
    document.addEventListener("paste", onPaste);
    return () => document.removeEventListener("paste", onPaste);
  }, [enabled, upload]);

  return (
    <section aria-label="Attachments">
      <div className="mb-2 flex items-center gap-2">
        <h3 className="text-xs font-semibold tracking-wide text-faint uppercase">
          Attachments <span className="tabular-nums">({artifacts.length})</span>
        </h3>
        <Button
          size="sm"
          className="ml-auto"
          disabled={!enabled || isUploading}
          onClick={() => input.current?.click()}
        >
          <Upload aria-hidden className="size-3.5" /> {isUploading ? "Uploading…" : "Upload"}
        </Button>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          aria-label="Upload attachments"
          data-testid="artifact-input"
          onChange={(event) => {
            const files = [...(event.target.files ?? [])];
            event.target.value = "";
            if (files.length) void upload(files);
          }}
        />
      </div>
      {/* The Upload button is the keyboard path; dropping files is a shortcut for the mouse. */}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: see above */}
      <div
        data-testid="artifact-dropzone"
        onDragOver={(event) => {
          if (!enabled || !event.dataTransfer.types.includes("Files")) return;
          event.preventDefault();
          setDragOver(true);
        }}
        onDragLeave={() => setDragOver(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragOver(false);
          const files = filesFrom(event.dataTransfer);
          if (files.length && enabled) void upload(files);
        }}
        className={`rounded-lg border border-dashed p-2 transition-colors ${
          dragOver ? "border-accent bg-accent-soft" : "border-line-strong"
        }`}
      >
        {artifacts.length === 0 ? (
          <p className="px-2 py-4 text-center text-xs text-faint">
            {enabled
              ? "Drop files here, or paste a screenshot (Ctrl/⌘+V)."
              : "Attachments can be added once the run has started a step."}
          </p>
        ) : (
          <ul className="grid grid-cols-4 gap-2">
            {artifacts.map((artifact) => (
              <li key={artifact.id}>
                <button
                  type="button"
                  onClick={() => setOpen(artifact)}
                  className="group block w-full overflow-hidden rounded-md border border-line bg-sunken text-left"
                  aria-label={`Open ${artifact.name}`}
                >
                  <div className="grid aspect-[4/3] place-items-center overflow-hidden">
                    {artifact.file_type === "image" ? (
                      <img
                        src={artifactUrl(artifact.id)}
                        alt={artifact.name}
                        loading="lazy"
                        className="size-full object-cover transition-transform group-hover:scale-105"
                      />
                    ) : (
                      <FileText aria-hidden className="size-6 text-faint" />
                    )}
                  </div>
                  <p className="truncate px-1.5 py-1 text-[11px] text-muted">{artifact.name}</p>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      {open ? <Lightbox artifact={open} onClose={() => setOpen(null)} /> : null}
    </section>
  );
}

export function Lightbox({ artifact, onClose }: { artifact: Artifact; onClose(): void }) {
  return (
    <Dialog.Root open onOpenChange={(o) => (o ? null : onClose())}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-[60] bg-black/80" />
        <Dialog.Content className="fixed inset-8 z-[70] flex flex-col items-center justify-center gap-3 outline-none">
          <Dialog.Title className="text-sm font-medium text-white">{artifact.name}</Dialog.Title>
          <Dialog.Description className="sr-only">
            Full-size view of {artifact.name}
          </Dialog.Description>
          {artifact.file_type === "image" ? (
            <img
              src={artifactUrl(artifact.id)}
              alt={artifact.name}
              className="max-h-[80vh] max-w-full rounded-lg object-contain shadow-2xl"
            />
          ) : (
            <div className="flex flex-col items-center gap-2 rounded-lg bg-surface p-8">
              <ImageIcon aria-hidden className="size-8 text-faint" />
              <a className="text-accent underline" href={artifactUrl(artifact.id)} download>
                Download {artifact.name}
              </a>
            </div>
          )}
          <Dialog.Close className="rounded-md bg-white/10 px-3 py-1 text-sm text-white hover:bg-white/20">
            Close
          </Dialog.Close>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
