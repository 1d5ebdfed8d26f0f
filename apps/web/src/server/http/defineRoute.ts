import type { ErrorCode } from "@phaseboard/contracts";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";

type Schema = z.ZodType | undefined;
type Out<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

/**
 * One HTTP route as data: its zod schemas validate the request and generate the OpenAPI
 * document, so the docs can never drift from what the server accepts.
 */
export interface RouteDefinition<
  P extends Schema = Schema,
  Q extends Schema = Schema,
  B extends Schema = Schema,
> {
  method: "GET" | "POST" | "PATCH" | "DELETE" | "PUT";
  url: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Documented body when the route reads multipart itself (not validated here). */
  multipart?: z.ZodType;
  /** The success status and its body schema (omitted for streamed files). */
  response?: { status: number; schema?: z.ZodType; contentType?: string };
  /** Error codes this route can answer with, besides the ones every route can. */
  errors: ErrorCode[];
  handler(
    input: { params: Out<P>; query: Out<Q>; body: Out<B> },
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<unknown>;
}

/** Keeps each route's handler typed by its own schemas. */
export function defineRoute<P extends Schema, Q extends Schema, B extends Schema>(
  route: RouteDefinition<P, Q, B>,
): RouteDefinition<P, Q, B> {
  return route;
}

// Routes are stored type-erased in the catalog; each was checked by defineRoute.
// biome-ignore lint/suspicious/noExplicitAny: heterogenous route table
export type AnyRoute = RouteDefinition<any, any, any>;
