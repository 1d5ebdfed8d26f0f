import WebSocket from "ws";

/** A real WebSocket client that collects what the server sends, parsed. */
export async function openSocket(url: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(url.replace(/^http/, "ws"), { headers });
  const messages: { type: string; data: Record<string, unknown> }[] = [];
  const waiters: (() => void)[] = [];
  socket.on("message", (raw) => {
    messages.push(JSON.parse(raw.toString()));
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
    socket.once("unexpected-response", (request, response) => {
      request.destroy();
      reject(new Error(`upgrade refused with ${response.statusCode}`));
    });
  });
  /** Resolves once a message satisfying `predicate` has arrived. */
  const waitFor = async (predicate: (message: (typeof messages)[number]) => boolean) => {
    for (;;) {
      const found = messages.find(predicate);
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { socket, messages, waitFor };
}
