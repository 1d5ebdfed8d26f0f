// Benchmark helper: opens N WebSocket clients in its own process (so they do not share the
// server's event loop or RSS), reports "ready", then the delivery latency of each
// workflow.step.progress event, stamped with the absolute send time in `output`.
import WebSocket from "ws";

const [url, clientsArg, eventsArg] = process.argv.slice(2);
const clients = Number(clientsArg);
const events = Number(eventsArg);
const now = () => performance.timeOrigin + performance.now();
const latencies: number[] = [];
let received = 0;
const sockets = await Promise.all(
  Array.from(
    { length: clients },
    () =>
      new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(`${url}/ws`);
        socket.once("open", () => resolve(socket));
        socket.once("error", reject);
        socket.on("message", (raw) => {
          const message = JSON.parse(raw.toString()) as { type: string; data: { output?: string } };
          if (message.type !== "workflow.step.progress") return;
          latencies.push(now() - Number(message.data.output));
          if (++received === clients * events) {
            latencies.sort((a, b) => a - b);
            const at = (p: number) =>
              latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
            process.stdout.write(
              `${JSON.stringify({ received, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) })}\n`,
            );
            for (const s of sockets) s.close();
            process.exit(0);
          }
        });
      }),
  ),
);
process.stdout.write("ready\n");
