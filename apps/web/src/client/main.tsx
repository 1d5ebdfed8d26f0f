import "./styles.css";
import { QueryClient } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { accessToken } from "./api/accessToken";
import { LiveConnection } from "./live/liveConnection";

const queryClient = new QueryClient({
  defaultOptions: {
    // Freshness comes from WebSocket events, not from refetching on focus or a timer.
    queries: { staleTime: Number.POSITIVE_INFINITY, refetchOnWindowFocus: false, retry: 1 },
  },
});
const connection = new LiveConnection(queryClient);
connection.start();

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
// Before the router reads the address: a `?token=` there is kept and taken out of it.
accessToken();
createRoot(root).render(
  <StrictMode>
    <App queryClient={queryClient} connection={connection} />
  </StrictMode>,
);
