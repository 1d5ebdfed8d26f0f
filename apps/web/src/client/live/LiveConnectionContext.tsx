import { createContext, useContext, useSyncExternalStore } from "react";
import type { ConnectionState, LiveConnection } from "./liveConnection";

export const LiveConnectionContext = createContext<LiveConnection | null>(null);

export function useLiveConnection(): LiveConnection {
  const connection = useContext(LiveConnectionContext);
  if (!connection) throw new Error("useLiveConnection needs a LiveConnectionContext provider");
  return connection;
}

export function useConnectionState(): ConnectionState {
  const connection = useLiveConnection();
  return useSyncExternalStore(connection.onChange, connection.getState);
}
