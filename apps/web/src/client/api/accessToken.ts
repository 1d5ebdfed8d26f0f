const STORAGE_KEY = "phaseboard.token";

/**
 * The access token of a server that requires one (PHASEBOARD_TOKEN, when it listens beyond
 * loopback, as `phaseboard serve --lan` does). Opened once as `/?token=…` (the URL the QR
 * code carries), it is kept in this browser and taken out of the address bar, so it is not
 * left in the history or a shared link; it is then sent with every request, WebSocket and
 * image URL.
 */
export function accessToken(): string | undefined {
  if (typeof window === "undefined") return undefined;
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get("token");
  if (fromUrl) {
    localStorage.setItem(STORAGE_KEY, fromUrl);
    url.searchParams.delete("token");
    window.history.replaceState(window.history.state, "", url);
    return fromUrl;
  }
  return localStorage.getItem(STORAGE_KEY) ?? undefined;
}

/** Adds `?token=` where a header cannot be sent (img src, WebSocket URL). */
export function withToken(url: string): string {
  const token = accessToken();
  if (!token) return url;
  return `${url}${url.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
}
