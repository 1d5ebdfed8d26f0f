import { useConnectionState } from "./LiveConnectionContext";

const labels = {
  live: { text: "Live", dot: "bg-emerald-500", hint: "Updates arrive as they happen." },
  connecting: { text: "Connecting…", dot: "bg-amber-500 animate-pulse", hint: "" },
  reconnecting: {
    text: "Reconnecting…",
    dot: "bg-red-500 animate-pulse",
    hint: "Lost the live connection to the server; the board refreshes once it is back.",
  },
} as const;

/** Tells whether the board is live, so nobody trusts a stale board without knowing. */
export function ConnectionIndicator() {
  const state = useConnectionState();
  const label = labels[state];
  return (
    <output
      aria-live="polite"
      data-connection={state}
      title={label.hint}
      className={`inline-flex items-center gap-1.5 rounded-full border px-2.5 py-1 text-xs font-medium ${
        state === "reconnecting"
          ? "border-red-300 bg-red-50 text-red-700 dark:border-red-900 dark:bg-red-950 dark:text-red-300"
          : "border-line text-muted"
      }`}
    >
      <span aria-hidden className={`size-2 rounded-full ${label.dot}`} />
      {label.text}
    </output>
  );
}
