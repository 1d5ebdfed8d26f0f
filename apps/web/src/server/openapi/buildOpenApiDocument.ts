import { errorCodes, errorEnvelopeSchema, errorRegistry } from "@phaseboard/contracts";
import { z } from "zod";
import type { AnyRoute } from "../http/defineRoute.js";

/** Codes any route can answer with, whatever it does. */
const COMMON_ERRORS = [
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "HOST_NOT_ALLOWED",
  "ORIGIN_NOT_ALLOWED",
  "INTERNAL_ERROR",
] as const;

function jsonSchema(schema: z.ZodType, io: "input" | "output") {
  return z.toJSONSchema(schema, { io, unrepresentable: "any", target: "openapi-3.0" });
}

/**
 * The OpenAPI 3 document, generated from the same zod schemas that validate requests.
 * Every error code of the registry is listed under `components.schemas.ErrorCode`, with
 * its status and message in `x-error-registry`.
 */
export function buildOpenApiDocument(routes: AnyRoute[], info: { version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z]+)/g, "{$1}");
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ["path", route.params],
      ["query", route.query],
    ] as const) {
      if (!schema) continue;
      const shape = jsonSchema(schema, "input") as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      for (const [name, property] of Object.entries(shape.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === "path" || (shape.required ?? []).includes(name),
          schema: property,
        });
      }
    }
    const responses: Record<string, unknown> = {};
    if (route.response) {
      responses[String(route.response.status)] = {
        description: "Success",
        content: {
          [route.response.contentType ?? "application/json"]: {
            schema: route.response.schema
              ? jsonSchema(route.response.schema, "output")
              : { type: "string", format: "binary" },
          },
        },
      };
    }
    const codes = [...new Set([...COMMON_ERRORS, "VALIDATION_FAILED" as const, ...route.errors])];
    for (const code of codes) {
      const status = String(errorRegistry[code].status);
      const existing = responses[status] as { description: string } | undefined;
      responses[status] = {
        description: existing ? `${existing.description}, ${code}` : code,
        content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorEnvelope" } } },
      };
    }
    const operation: Record<string, unknown> = {
      summary: route.summary,
      tags: [route.tag],
      parameters,
      responses,
      "x-error-codes": codes,
    };
    if (route.body) {
      operation.requestBody = {
        required: true,
        content: { "application/json": { schema: jsonSchema(route.body, "input") } },
      };
    }
    if (route.multipart) {
      operation.requestBody = {
        required: true,
        content: {
          "multipart/form-data": {
            schema: {
              ...jsonSchema(route.multipart, "input"),
              properties: {
                ...(jsonSchema(route.multipart, "input") as { properties?: object }).properties,
                file: { type: "string", format: "binary" },
              },
            },
          },
        },
      };
    }
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: "3.0.3",
    info: {
      title: "Phaseboard API",
      version: info.version,
      description:
        "Runs of workflow templates as Kanban cards. Success bodies are `{ data }`; errors are `{ error: { code, message } }`. Live events: WebSocket `/ws`.",
    },
    paths,
    components: {
      schemas: {
        ErrorCode: { type: "string", enum: errorCodes },
        ErrorEnvelope: jsonSchema(errorEnvelopeSchema, "output"),
      },
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    },
    "x-error-registry": errorRegistry,
  };
}
