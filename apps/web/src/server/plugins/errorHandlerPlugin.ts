import { type ErrorCode, type ErrorEnvelope, errorRegistry } from "@phaseboard/contracts";
import { RunEndedError } from "@phaseboard/workflow-engine";
import type { FastifyError, FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { ZodError } from "zod";
import { RunTransitionError } from "../domain/workflow/runStatusReducer.js";
import { HttpError } from "../HttpError.js";

/** Fastify's own error codes that callers caused, mapped onto the API's codes. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: "BAD_REQUEST",
  FST_ERR_CTP_EMPTY_JSON_BODY: "BAD_REQUEST",
  FST_ERR_CTP_BODY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "BAD_REQUEST",
  FST_ERR_VALIDATION: "VALIDATION_FAILED",
  FST_REQ_FILE_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_FILES_LIMIT: "PAYLOAD_TOO_LARGE",
  FST_PARTS_LIMIT: "PAYLOAD_TOO_LARGE",
  FST_FIELDS_LIMIT: "PAYLOAD_TOO_LARGE",
  FST_INVALID_MULTIPART_CONTENT_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  FST_PROTO_VIOLATION: "BAD_REQUEST",
};

/** One error shape for the whole API: `{ "error": { "code", "message" } }`. */
export const errorHandlerPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError | Error, request, reply) => {
      const envelope = toEnvelope(error);
      const status = errorRegistry[envelope.error.code].status;
      if (status >= 500) request.log.error({ err: error }, "request failed");
      return reply.status(status).send(envelope);
    });
    app.setNotFoundHandler((request, reply) => {
      // The path only: a query may carry a credential (`?token=`), never echoed back.
      const path = request.url.split("?")[0];
      const envelope: ErrorEnvelope = {
        error: { code: "ROUTE_NOT_FOUND", message: `No route ${request.method} ${path}` },
      };
      return reply.status(404).send(envelope);
    });
  },
  { name: "error-handler" },
);

/** The envelope an error becomes on the wire (the MCP server words its errors the same way). */
export function toEnvelope(error: FastifyError | Error): ErrorEnvelope {
  if (error instanceof HttpError) {
    return { error: { code: error.code, message: error.message, details: error.details } };
  }
  if (error instanceof RunTransitionError) {
    return { error: { code: error.code, message: error.message } };
  }
  if (error instanceof RunEndedError) {
    return { error: { code: "RUN_ALREADY_ENDED", message: error.message } };
  }
  if (error instanceof ZodError) {
    return {
      error: {
        code: "VALIDATION_FAILED",
        message: error.issues
          .map((issue) =>
            issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message,
          )
          .join("; "),
        details: error.issues,
      },
    };
  }
  const fastifyCode = "code" in error ? fastifyCodes[error.code] : undefined;
  if (fastifyCode) return { error: { code: fastifyCode, message: error.message } };
  const status = "statusCode" in error ? error.statusCode : undefined;
  if (status && status >= 400 && status < 500) {
    return { error: { code: "BAD_REQUEST", message: error.message } };
  }
  return { error: { code: "INTERNAL_ERROR", message: errorRegistry.INTERNAL_ERROR.message } };
}
