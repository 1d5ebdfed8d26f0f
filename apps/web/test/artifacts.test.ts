import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  artifactResponseSchema,
  commentListResponseSchema,
  MAX_ARTIFACT_BYTES,
} from "@phaseboard/contracts";
import { afterEach, describe, expect, it } from "vitest";
import { addStep, startTestServer, type TestServer } from "./helpers/startTestServer.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

// The smallest valid PNG: a 1×1 transparent pixel.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  "base64",
);

async function setup() {
  // Runs stay queued, so the step rows here are the test's own (addStep).
  server = await startTestServer({ queueOnly: true });
  const run = await server.api("/api/workflow-executions", {
    body: {
      project_id: server.projectId,
      workflow_definition_id: server.definitionId,
      args: { featureName: "x" },
    },
  });
  const step = await addStep(server, run.body.data.id);
  return { s: server, runId: run.body.data.id as string, step };
}

function upload(
  s: TestServer,
  runId: string,
  fields: Record<string, string>,
  file: Blob,
  filename: string,
) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append("file", file, filename);
  // The board uploads from its own page; the request gate takes multipart only from there.
  return fetch(`${s.url}/api/workflow-executions/${runId}/artifacts`, {
    method: "POST",
    headers: { origin: s.url },
    body: form,
  });
}

function artifactsDir(s: TestServer, runId: string) {
  return join(s.projectDir, ".agent", "workflows", "executions", runId, "artifacts", "research");
}

describe("artifacts", () => {
  it("round-trips the bytes, sniffs the MIME type from content and serves images inline", async () => {
    const { s, runId, step } = await setup();
    // Named .txt on purpose: the type comes from the bytes, not the name.
    const response = await upload(
      s,
      runId,
      { step_id: step.id },
      new Blob([PNG]),
      "screenshot.txt",
    );
    expect(response.status).toBe(201);
    const { data } = (await response.json()) as { data: Record<string, string | number> };
    expect(data).toMatchObject({
      name: "screenshot.txt",
      mime_type: "image/png",
      file_type: "image",
      size_bytes: PNG.length,
    });
    expect(String(data.file_path)).toMatch(
      new RegExp(
        `^\\.agent/workflows/executions/${runId}/artifacts/research/[0-9a-f]{12}-screenshot\\.txt$`,
      ),
    );
    const download = await fetch(`${s.url}/api/artifacts/${data.id}`);
    expect(download.headers.get("content-type")).toBe("image/png");
    expect(download.headers.get("content-disposition")).toMatch(
      /^inline; filename="screenshot.txt"/,
    );
    expect(download.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await download.arrayBuffer()).equals(PNG)).toBe(true);

    const text = await upload(
      s,
      runId,
      { step_id: step.id, name: "notes" },
      new Blob(["plain words\n"]),
      "notes.md",
    );
    const textData = (
      (await text.json()) as { data: { id: string; mime_type: string; file_type: string } }
    ).data;
    expect(textData).toMatchObject({ mime_type: "text/plain", file_type: "document" });
    const textDownload = await fetch(`${s.url}/api/artifacts/${textData.id}`);
    expect(textDownload.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(await textDownload.text()).toBe("plain words\n");
  });

  it("stores ../../etc/passwd and ..\\x.png safely inside the step's artifacts folder", async () => {
    const { s, runId, step } = await setup();
    for (const evil of ["../../etc/passwd", "..\\x.png"]) {
      const response = await upload(s, runId, { step_id: step.id }, new Blob(["not really"]), evil);
      expect(response.status, evil).toBe(201);
      const { data } = (await response.json()) as { data: { file_path: string; name: string } };
      const absolute = resolve(s.projectDir, data.file_path);
      expect(absolute.startsWith(`${artifactsDir(s, runId)}/`), data.file_path).toBe(true);
      expect(existsSync(absolute)).toBe(true);
    }
    const stored = readdirSync(artifactsDir(s, runId));
    expect(stored).toHaveLength(2);
    expect(stored).toContainEqual(expect.stringMatching(/^[0-9a-f]{12}-(etc_)?passwd$/));
    expect(stored).toContainEqual(expect.stringMatching(/^[0-9a-f]{12}-x\.png$/));
  });

  it("refuses an upload of 100 MB + 1 byte with 413, leaving no partial file and no row", async () => {
    const { s, runId, step } = await setup();
    const response = await upload(
      s,
      runId,
      { step_id: step.id },
      new Blob([new Uint8Array(MAX_ARTIFACT_BYTES + 1)]),
      "big.bin",
    );
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      "PAYLOAD_TOO_LARGE",
    );
    expect(readdirSync(artifactsDir(s, runId))).toEqual([]);
    expect(await s.app.db.workflowArtifact.count()).toBe(0);
  });

  it("refuses a step from another run and a form without a file, and stores nothing", async () => {
    const { s, runId } = await setup();
    const other = await s.api("/api/workflow-executions", {
      body: {
        project_id: s.projectId,
        workflow_definition_id: s.definitionId,
        args: { featureName: "y" },
      },
    });
    const foreign = await addStep(s, other.body.data.id);
    const response = await upload(s, runId, { step_id: foreign.id }, new Blob([PNG]), "a.png");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe(
      `step_id: step ${foreign.id} belongs to another run`,
    );
    const noStep = await upload(s, runId, {}, new Blob([PNG]), "a.png");
    expect(((await noStep.json()) as { error: { message: string } }).error.message).toMatch(
      /^step_id: /,
    );
    expect(await s.app.db.workflowArtifact.count()).toBe(0);
    const json = await s.api(`/api/workflow-executions/${runId}/artifacts`, {
      body: { step_id: "x" },
    });
    expect(json.status).toBe(415);
  });

  it("attaches an artifact to a comment of its run and detaches it", async () => {
    const { s, runId, step } = await setup();
    const artifact = (
      (await (await upload(s, runId, { step_id: step.id }, new Blob([PNG]), "a.png")).json()) as {
        data: { id: string };
      }
    ).data;
    const comment = await s.api(`/api/workflow-executions/${runId}/comments`, {
      body: { text: "see image" },
    });
    const attached = await s.api(`/api/artifacts/${artifact.id}/attach`, {
      method: "PATCH",
      body: { comment_id: comment.body.data.id },
    });
    expect(attached.body.data.workflow_comment_id).toBe(comment.body.data.id);
    expect(artifactResponseSchema.safeParse(attached.body).error).toBeUndefined();
    const listed = await s.api(`/api/workflow-executions/${runId}/comments`);
    expect(commentListResponseSchema.safeParse(listed.body).error).toBeUndefined();
    expect(listed.body.data[0].artifacts).toEqual([expect.objectContaining({ id: artifact.id })]);
    const detached = await s.api(`/api/artifacts/${artifact.id}/detach`, { method: "DELETE" });
    expect(detached.body.data.workflow_comment_id).toBeNull();
    const missing = await s.api(`/api/artifacts/${artifact.id}/attach`, {
      method: "PATCH",
      body: { comment_id: "nope" },
    });
    expect(missing.status).toBe(404);
    expect(readFileSync(resolve(s.projectDir, attached.body.data.file_path)).equals(PNG)).toBe(
      true,
    );
  });
});
