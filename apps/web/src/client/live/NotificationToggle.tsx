import { Bell, BellOff } from "lucide-react";
import { useEffect, useState } from "react";
import { useNavigate } from "react-router";
import { toast } from "sonner";
import { Button } from "../ui/Button";
import { useLiveConnection } from "./LiveConnectionContext";

const choiceKey = (projectId: string) => `phaseboard.notify.${projectId}`;
const ASKED_KEY = "phaseboard.notify.asked";

interface NotificationData {
  execution_id: string;
  project_id: string;
  event: string;
  run_name: string;
  message: string;
}

/**
 * The bell in the header: turns browser notifications on or off for the project shown (the
 * choice is saved per project). The browser's permission is asked for once, the first time
 * someone turns them on; a refusal is then respected and explained, never asked again.
 */
export function NotificationToggle({ projectId }: { projectId: string | undefined }) {
  const connection = useLiveConnection();
  const navigate = useNavigate();
  const supported = typeof window !== "undefined" && "Notification" in window;
  const [on, setOn] = useState(false);
  useEffect(() => {
    setOn(Boolean(projectId) && localStorage.getItem(choiceKey(projectId ?? "")) === "on");
  }, [projectId]);

  useEffect(() => {
    if (!supported || !projectId || !on) return;
    return connection.onEvent((event) => {
      if (event.type !== "workflow.execution.notification") return;
      const data = event.data as NotificationData;
      if (data.project_id !== projectId || Notification.permission !== "granted") return;
      const notification = new Notification(data.run_name, {
        body: data.message,
        tag: `${data.execution_id}:${data.event}`,
      });
      notification.onclick = () => {
        window.focus();
        navigate(
          `/?project=${encodeURIComponent(data.project_id)}&run=${encodeURIComponent(data.execution_id)}`,
        );
      };
    });
  }, [connection, navigate, on, projectId, supported]);

  if (!supported || !projectId) return null;
  const toggle = async () => {
    if (on) {
      localStorage.setItem(choiceKey(projectId), "off");
      setOn(false);
      return;
    }
    let permission = Notification.permission;
    if (permission === "default" && !localStorage.getItem(ASKED_KEY)) {
      localStorage.setItem(ASKED_KEY, "1");
      permission = await Notification.requestPermission();
    }
    if (permission !== "granted") {
      toast.error("Notifications are blocked", {
        description: "Allow notifications for this site in the browser's settings, then try again.",
      });
      return;
    }
    localStorage.setItem(choiceKey(projectId), "on");
    setOn(true);
  };
  return (
    <Button
      variant="ghost"
      onClick={() => void toggle()}
      aria-pressed={on}
      aria-label={on ? "Turn notifications off for this project" : "Notify me when a run needs me"}
      title={
        on
          ? "Notifying: a run waits, fails, is paused by a budget or completes"
          : "Notify me when a run needs me"
      }
      data-notifications={on ? "on" : "off"}
    >
      {on ? <Bell className="size-4" /> : <BellOff className="size-4" />}
    </Button>
  );
}
