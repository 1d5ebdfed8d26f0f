import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The board is served by the Fastify server from dist/client; in development Vite serves
// it and forwards the API and the WebSocket to a server started with `pnpm dev`.
const apiTarget = process.env.PHASEBOARD_API ?? "http://127.0.0.1:4100";

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), tailwindcss()],
  build: {
    outDir: "dist/client",
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    port: 5173,
    proxy: {
      "/api": { target: apiTarget },
      "/ws": { target: apiTarget.replace(/^http/, "ws"), ws: true },
    },
  },
});
