import { z } from "zod";

/**
 * Every error code the API can answer with, its HTTP status and its default message.
 * One registry for the whole API: the server's error handler, the OpenAPI document and
 * the clients all read it, and a test fails when a code is missing from any of them.
 */
export const errorRegistry = {
  BAD_REQUEST: { status: 400, message: "The request is malformed." },
  VALIDATION_FAILED: { status: 400, message: "The request did not pass validation." },
  UNAUTHORIZED: { status: 401, message: "A valid access token is required." },
  NOT_FOUND: { status: 404, message: "No such resource." },
  ROUTE_NOT_FOUND: { status: 404, message: "No such route." },
  CONFLICT: { status: 409, message: "The resource is not in a state that allows this." },
  PAYLOAD_TOO_LARGE: { status: 413, message: "The upload exceeds the size limit." },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: "Unsupported content type." },
  INTERNAL_ERROR: { status: 500, message: "Something went wrong on the server." },
  SERVICE_UNAVAILABLE: { status: 503, message: "The server is shutting down." },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorRegistry;

export const errorCodes = Object.keys(errorRegistry) as [ErrorCode, ...ErrorCode[]];

/** `{ "error": { "code", "message" } }`, the body of every 4xx and 5xx answer. */
export const errorEnvelopeSchema = z.object({
  error: z.object({
    code: z.enum(errorCodes),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

/** `{ "data": … }`, the body of every successful answer. */
export function dataEnvelope<T extends z.ZodType>(data: T) {
  return z.object({ data });
}
