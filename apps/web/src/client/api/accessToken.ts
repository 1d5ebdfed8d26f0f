const STORAGE_KEY = "phaseboard.token";

/**
 * The access token of a server that requires one (PHASEBOARD_TOKEN, when it listens beyond
 * loopback). Opened once as `/?token=…`, it is kept for the browser session and sent with
 * every request, WebSocket and image URL.
 */
export function accessToken(): string | undefined {
  if (typeof window === "undefined") return undefined;
  const fromUrl = new URLSearchParams(window.location.search).get("token");
  if (fromUrl) sessionStorage.setItem(STORAGE_KEY, fromUrl);
  return fromUrl ?? sessionStorage.getItem(STORAGE_KEY) ?? undefined;
}

/** Adds `?token=` where a header cannot be sent (img src, WebSocket URL). */
export function withToken(url: string): string {
  const token = accessToken();
  if (!token) return url;
  return `${url}${url.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
}
