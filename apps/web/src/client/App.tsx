import { type QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { BrowserRouter, Route, Routes } from "react-router";
import { Toaster } from "sonner";
import { BoardPage } from "./board/BoardPage";
import { LiveConnectionContext } from "./live/LiveConnectionContext";
import type { LiveConnection } from "./live/liveConnection";
import { AppShell } from "./ui/AppShell";
import { useTheme } from "./ui/useTheme";

// The board loads first; pages and dialogs with heavy libraries (forms, Markdown) load on demand.
const RunPage = lazy(() => import("./run/RunPage").then((m) => ({ default: m.RunPage })));
const TemplatesPage = lazy(() =>
  import("./templates/TemplatesPage").then((m) => ({ default: m.TemplatesPage })),
);

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
              <Route
                path="templates"
                element={
                  <Suspense fallback={null}>
                    <TemplatesPage />
                  </Suspense>
                }
              />
              <Route
                path="runs/:runId"
                element={
                  <Suspense fallback={null}>
                    <RunPage />
                  </Suspense>
                }
              />
            </Route>
          </Routes>
        </BrowserRouter>
        <Toaster theme={theme} position="bottom-right" closeButton />
      </LiveConnectionContext.Provider>
    </QueryClientProvider>
  );
}
