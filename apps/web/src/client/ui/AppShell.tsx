import { FolderPlus, KanbanSquare, LayoutTemplate, Moon, Plus, Sun } from "lucide-react";
import { createContext, lazy, Suspense, useContext, useMemo, useState } from "react";
import { NavLink, Outlet, useLocation } from "react-router";
import { ConnectionIndicator } from "../live/ConnectionIndicator";
import { NotificationToggle } from "../live/NotificationToggle";
import { Button } from "./Button";
import { useProjectSelection } from "./useProjectSelection";
import { useTheme } from "./useTheme";

const AddProjectDialog = lazy(() =>
  import("./AddProjectDialog").then((m) => ({ default: m.AddProjectDialog })),
);
const NewRunDialog = lazy(() =>
  import("../templates/NewRunDialog").then((m) => ({ default: m.NewRunDialog })),
);

interface NewRunState {
  open(templateId?: string): void;
  /** The board tells which template it shows, so the header's New run starts on it. */
  showing(templateId: string | undefined): void;
}
const NewRunContext = createContext<NewRunState>({ open: () => {}, showing: () => {} });
/** Opens the New run dialog from anywhere (header, template card, empty column). */
export const useNewRun = () => useContext(NewRunContext);

export function AppShell() {
  const { projects, project, select } = useProjectSelection();
  const { theme, toggle } = useTheme();
  const location = useLocation();
  const [newRun, setNewRun] = useState<{ templateId?: string } | null>(null);
  const [shown, setShown] = useState<string | undefined>();
  const newRunState = useMemo<NewRunState>(
    () => ({
      open: (templateId) => setNewRun(templateId ? { templateId } : {}),
      showing: setShown,
    }),
    [],
  );
  const [addingProject, setAddingProject] = useState(false);
  const search = project ? `?project=${project.id}` : "";
  const navClass = ({ isActive }: { isActive: boolean }) =>
    `inline-flex items-center gap-1.5 rounded-md px-2.5 py-1.5 text-sm font-medium transition-colors ${
      isActive ? "bg-sunken text-ink" : "text-muted hover:text-ink"
    }`;
  return (
    <NewRunContext.Provider value={newRunState}>
      <div className="flex h-full flex-col">
        <header className="flex min-h-14 shrink-0 flex-wrap items-center gap-x-4 gap-y-2 border-b border-line bg-surface px-3 py-2 sm:px-5">
          <NavLink to={`/${search}`} className="flex items-center gap-2 font-semibold">
            <span className="grid size-7 place-items-center rounded-lg bg-accent text-accent-ink">
              <KanbanSquare aria-hidden className="size-4" />
            </span>
            <span className="sr-only text-[15px] tracking-tight sm:not-sr-only">Phaseboard</span>
          </NavLink>
          <nav aria-label="Main" className="flex items-center gap-1">
            <NavLink
              to={`/${search}`}
              className={() => navClass({ isActive: location.pathname === "/" })}
            >
              <KanbanSquare aria-hidden className="size-4" />
              <span className="sr-only sm:not-sr-only">Board</span>
            </NavLink>
            <NavLink to={`/templates${search}`} className={navClass}>
              <LayoutTemplate aria-hidden className="size-4" />
              <span className="sr-only sm:not-sr-only">Templates</span>
            </NavLink>
          </nav>
          <div className="flex min-w-0 items-center gap-2 sm:ml-2">
            <label
              htmlFor="project-picker"
              className="sr-only text-xs font-medium text-faint sm:not-sr-only"
            >
              Project
            </label>
            <select
              id="project-picker"
              className="h-8 max-w-36 rounded-md border border-line-strong bg-surface px-2 text-sm sm:max-w-64"
              value={project?.id ?? ""}
              disabled={!projects.data?.length}
              onChange={(event) => select(event.target.value)}
            >
              {projects.isLoading ? <option>Loading…</option> : null}
              {projects.data?.map((p) => (
                <option key={p.id} value={p.id} title={p.path}>
                  {p.name}
                </option>
              ))}
            </select>
            <Button
              variant="ghost"
              size="sm"
              onClick={() => setAddingProject(true)}
              aria-label="Add project"
              title="Add project"
            >
              <FolderPlus aria-hidden className="size-4" />
            </Button>
          </div>
          <div className="ml-auto flex items-center gap-1 sm:gap-3">
            <ConnectionIndicator />
            <NotificationToggle projectId={project?.id} />
            <Button
              variant="ghost"
              onClick={toggle}
              aria-label={theme === "dark" ? "Switch to light mode" : "Switch to dark mode"}
            >
              {theme === "dark" ? <Sun className="size-4" /> : <Moon className="size-4" />}
            </Button>
            <Button
              variant="primary"
              onClick={() => newRunState.open(location.pathname === "/" ? shown : undefined)}
              disabled={!project}
            >
              <Plus aria-hidden className="size-4" />
              <span className="sr-only sm:not-sr-only">New run</span>
            </Button>
          </div>
        </header>
        <main className="min-h-0 flex-1">
          <Outlet />
        </main>
      </div>
      {project && newRun ? (
        <Suspense fallback={null}>
          <NewRunDialog
            project={project}
            initialTemplateId={newRun.templateId}
            onClose={() => setNewRun(null)}
          />
        </Suspense>
      ) : null}
      {addingProject ? (
        <Suspense fallback={null}>
          <AddProjectDialog
            onClose={() => setAddingProject(false)}
            onAdded={(added) => select(added.id)}
          />
        </Suspense>
      ) : null}
    </NewRunContext.Provider>
  );
}
