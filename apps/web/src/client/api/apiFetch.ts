import { ApiError } from "./ApiError";
import { accessToken } from "./accessToken";

/**
 * Calls the API and unwraps its `{ data }` envelope; any failure becomes an ApiError that
 * carries the server's own message, which is what the toasts show.
 *
 * @example
 * const runs = await apiFetch<Run[]>(`/api/workflow-executions?project_id=${id}`);
 */
export async function apiFetch<T>(path: string, init: RequestInit = {}): Promise<T> {
  return (await apiFetchEnvelope<{ data: T }>(path, init))?.data as T;
}

/** Like apiFetch, but answers the whole body (for lists that carry `page` beside `data`). */
export async function apiFetchEnvelope<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  const token = accessToken();
  if (token) headers.set("authorization", `Bearer ${token}`);
  if (init.body !== undefined && !(init.body instanceof FormData)) {
    headers.set("content-type", "application/json");
  }
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers });
  } catch (cause) {
    throw new ApiError("NETWORK_ERROR", "The Phaseboard server cannot be reached.", 0, { cause });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(
      error?.code ?? "HTTP_ERROR",
      error?.message ?? `The server answered ${response.status} ${response.statusText}.`,
      response.status,
    );
  }
  return body as T;
}

/** A JSON body for apiFetch. */
export function jsonBody(value: unknown): RequestInit {
  return { method: "POST", body: JSON.stringify(value) };
}
