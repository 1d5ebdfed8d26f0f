import {
  artifactResponseSchema,
  attachArtifactBodySchema,
  idParamsSchema,
  uploadArtifactFieldsSchema,
} from "@phaseboard/contracts";
import type { FastifyInstance } from "fastify";
import { HttpError } from "../HttpError.js";
import { defineRoute } from "../http/defineRoute.js";

export async function artifactRoutes(app: FastifyInstance) {
  const { artifacts } = app.services;
  app.addRoutes([
    defineRoute({
      method: "POST",
      url: "/api/workflow-executions/:id/artifacts",
      summary: "Upload an artifact (multipart: step_id, name?, file_type?, then file; 100 MB max)",
      tag: "artifacts",
      params: idParamsSchema,
      multipart: uploadArtifactFieldsSchema,
      response: { status: 201, schema: artifactResponseSchema },
      errors: ["NOT_FOUND", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"],
      handler: async ({ params }, request) => {
        if (!request.isMultipart()) {
          throw new HttpError("UNSUPPORTED_MEDIA_TYPE", "Send the artifact as multipart/form-data");
        }
        const fields: Record<string, unknown> = {};
        for await (const part of request.parts()) {
          if (part.type === "field") {
            fields[part.fieldname] = part.value;
            continue;
          }
          if (part.fieldname !== "file") {
            part.file.resume();
            continue;
          }
          // Fields must precede the file so the upload can be checked before it is stored.
          const artifact = await artifacts.upload(params.id, fields, part);
          for await (const rest of request.parts()) {
            if (rest.type === "file") rest.file.resume();
          }
          return { data: artifact };
        }
        throw new HttpError("VALIDATION_FAILED", "file: the form has no file part");
      },
    }),
    defineRoute({
      method: "GET",
      url: "/api/artifacts/:id",
      summary: "Download an artifact (images, videos and PDFs inline)",
      tag: "artifacts",
      params: idParamsSchema,
      response: { status: 200, contentType: "application/octet-stream" },
      errors: ["NOT_FOUND"],
      handler: async ({ params }, _request, reply) => {
        const file = await artifacts.open(params.id);
        return reply.headers(file.headers).send(file.stream);
      },
    }),
    defineRoute({
      method: "PATCH",
      url: "/api/artifacts/:id/attach",
      summary: "Attach an artifact to a comment of the same run",
      tag: "artifacts",
      params: idParamsSchema,
      body: attachArtifactBodySchema,
      response: { status: 200, schema: artifactResponseSchema },
      errors: ["NOT_FOUND"],
      handler: async ({ params, body }) => ({
        data: await artifacts.attach(params.id, body.comment_id),
      }),
    }),
    defineRoute({
      method: "DELETE",
      url: "/api/artifacts/:id/detach",
      summary: "Detach an artifact from its comment",
      tag: "artifacts",
      params: idParamsSchema,
      response: { status: 200, schema: artifactResponseSchema },
      errors: ["NOT_FOUND"],
      handler: async ({ params }) => ({ data: await artifacts.detach(params.id) }),
    }),
  ]);
}
