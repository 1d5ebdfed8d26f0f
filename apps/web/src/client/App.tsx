import { type QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { BrowserRouter, Route, Routes } from "react-router";
import { Toaster } from "sonner";
import { BoardPage } from "./board/BoardPage";
import { LiveConnectionContext } from "./live/LiveConnectionContext";
import type { LiveConnection } from "./live/liveConnection";
import { RunPage } from "./run/RunPage";
import { TemplatesPage } from "./templates/TemplatesPage";
import { AppShell } from "./ui/AppShell";
import { useTheme } from "./ui/useTheme";

export function App({
  queryClient,
  connection,
}: {
  queryClient: QueryClient;
  connection: LiveConnection;
}) {
  const { theme } = useTheme();
  return (
    <QueryClientProvider client={queryClient}>
      <LiveConnectionContext.Provider value={connection}>
        <BrowserRouter>
          <Routes>
            <Route element={<AppShell />}>
              <Route index element={<BoardPage />} />
              <Route path="templates" element={<TemplatesPage />} />
              <Route path="runs/:runId" element={<RunPage />} />
            </Route>
          </Routes>
        </BrowserRouter>
        <Toaster theme={theme} position="bottom-right" richColors closeButton />
      </LiveConnectionContext.Provider>
    </QueryClientProvider>
  );
}
