import { useEffect } from "react";
import { useSearchParams } from "react-router";
import { useProjects } from "../api/queries";
import type { Project } from "../api/types";
import { useLiveConnection } from "../live/LiveConnectionContext";

const STORAGE_KEY = "phaseboard.project";

/**
 * The project on screen: `?project=` in the address (so a link opens the same board),
 * else the one used last, else the first. It also narrows the WebSocket to that project.
 */
export function useProjectSelection() {
  const [params, setParams] = useSearchParams();
  const projects = useProjects();
  const connection = useLiveConnection();
  const requested = params.get("project") ?? localStorage.getItem(STORAGE_KEY);
  const list = projects.data ?? [];
  const project: Project | undefined = list.find((p) => p.id === requested) ?? list[0];
  useEffect(() => {
    if (!project) return;
    localStorage.setItem(STORAGE_KEY, project.id);
    connection.subscribe(project.id);
  }, [project, connection]);
  const select = (projectId: string) => {
    const next = new URLSearchParams(params);
    next.set("project", projectId);
    next.delete("template");
    next.delete("run");
    setParams(next);
  };
  return { projects, project, select };
}
