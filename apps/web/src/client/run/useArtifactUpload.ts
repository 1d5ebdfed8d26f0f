import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { queryKeys } from "../api/queryKeys";
import type { Artifact } from "../api/types";
import { namePastedFile, uploadArtifact } from "../api/uploadArtifact";

/** Uploads files to a step; errors (the size limit included) become toasts. */
export function useArtifactUpload(runId: string, stepId: string | undefined) {
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: async (files: File[]) => {
      if (!stepId) throw new Error("This run has no step yet to attach files to.");
      const uploaded: Artifact[] = [];
      for (const file of files)
        uploaded.push(await uploadArtifact(runId, stepId, namePastedFile(file)));
      return uploaded;
    },
    onSuccess: (uploaded) => {
      client.setQueryData<Artifact[]>(queryKeys.artifacts(runId), (list) =>
        list ? [...list, ...uploaded.filter((a) => !list.some((b) => b.id === a.id))] : list,
      );
      toast.success(
        uploaded.length === 1
          ? `Uploaded ${uploaded[0]?.name}`
          : `Uploaded ${uploaded.length} files`,
      );
    },
    onError: (error) => toast.error(`Upload refused: ${error.message}`),
  });
  return {
    upload: (files: File[]) => mutation.mutateAsync(files).catch(() => [] as Artifact[]),
    isUploading: mutation.isPending,
    enabled: Boolean(stepId),
  };
}

/** Image files among what was pasted or dropped. */
export function filesFrom(data: DataTransfer | null, imagesOnly = false): File[] {
  if (!data) return [];
  const files = [...data.files];
  return imagesOnly ? files.filter((file) => file.type.startsWith("image/")) : files;
}
