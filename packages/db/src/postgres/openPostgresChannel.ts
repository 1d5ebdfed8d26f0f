import { randomUUID } from "node:crypto";
import pg from "pg";
import { POSTGRES_CONNECT_TIMEOUT_MS } from "../createDbClient.js";
import { describePostgresUrl } from "../databaseLocation.js";

/** NOTIFY payloads must stay under 8,000 bytes; a chunk of this many characters always does. */
const CHUNK_CHARS = 1_900;
/** Wait before reconnecting a dropped listening connection (ms). */
const RECONNECT_DELAY_MS = 1_000;

export interface PostgresChannel {
  /** This process's id in the channel; messages it sent are not handed back to it. */
  readonly senderId: string;
  /** Sends `text` to every other process listening on the channel (any length). */
  send(text: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A broadcast channel between processes sharing one PostgreSQL database, over
 * LISTEN/NOTIFY: no table, nothing stored, delivered only to processes connected at the
 * time. A message longer than a NOTIFY payload goes out as chunks in one transaction,
 * which PostgreSQL delivers together and in order. One dedicated connection listens and
 * sends; when it drops, it reconnects, and `onReconnect` says so: messages sent by others
 * or by this process meanwhile are missed, so the caller catches up another way.
 *
 * @example
 * const channel = await openPostgresChannel({ url, channel: "board", onMessage: console.log });
 * await channel.send(JSON.stringify({ hello: "world" }));
 * await channel.close();
 */
export async function openPostgresChannel(options: {
  url: string;
  /** Lowercase letters, digits and underscores (it is an SQL identifier). */
  channel: string;
  onMessage(text: string): void;
  onError?(error: Error): void;
  /** The connection dropped and is back: anything sent in between was not delivered. */
  onReconnect?(): void;
}): Promise<PostgresChannel> {
  if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) {
    throw new Error(`Not a channel name: ${options.channel}`);
  }
  const senderId = randomUUID();
  const partial = new Map<string, string[]>();
  let client: pg.Client | undefined;
  let closed = false;
  let sending: Promise<void> = Promise.resolve();

  const receive = (payload: string) => {
    // sender|message|index|count|chunk
    const parts = payload.split("|");
    if (parts.length < 5 || parts[0] === senderId) return;
    const [, messageId = "", indexText, countText] = parts;
    const chunk = parts.slice(4).join("|");
    const index = Number(indexText);
    const count = Number(countText);
    if (count === 1) {
      options.onMessage(chunk);
      return;
    }
    const chunks = partial.get(messageId) ?? [];
    chunks[index] = chunk;
    partial.set(messageId, chunks);
    if (chunks.filter((one) => one !== undefined).length === count) {
      partial.delete(messageId);
      options.onMessage(chunks.join(""));
    }
  };

  const connect = async (): Promise<pg.Client> => {
    const next = new pg.Client({
      connectionString: options.url,
      connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
      // Names the connection in pg_stat_activity (operators, and tests that cut it).
      application_name: `phaseboard ${options.channel}`,
    });
    next.on("notification", (message) => {
      if (message.channel === options.channel && message.payload) receive(message.payload);
    });
    next.on("error", (error) => {
      options.onError?.(error);
      next.end().catch(() => {});
      if (client === next) client = undefined;
      if (!closed) setTimeout(reconnect, RECONNECT_DELAY_MS).unref();
    });
    await next.connect();
    await next.query(`LISTEN ${options.channel}`);
    return next;
  };
  const reconnect = () => {
    if (closed || client) return;
    connect().then(
      (next) => {
        if (closed) {
          next.end().catch(() => {});
          return;
        }
        client = next;
        options.onReconnect?.();
      },
      (error: Error) => {
        options.onError?.(error);
        if (!closed) setTimeout(reconnect, RECONNECT_DELAY_MS).unref();
      },
    );
  };

  try {
    client = await connect();
  } catch (error) {
    throw new Error(
      `Cannot listen on PostgreSQL at ${describePostgresUrl(options.url)}: ${(error as Error).message}`,
      { cause: error },
    );
  }

  return {
    senderId,
    send(text) {
      const messageId = randomUUID();
      const count = Math.max(1, Math.ceil(text.length / CHUNK_CHARS));
      const payloads = Array.from(
        { length: count },
        (_, index) =>
          `${senderId}|${messageId}|${index}|${count}|${text.slice(index * CHUNK_CHARS, (index + 1) * CHUNK_CHARS)}`,
      );
      // One at a time on the one connection, each message in its own transaction.
      sending = sending.then(async () => {
        const current = client;
        if (!current) return;
        try {
          if (count === 1) {
            await current.query("SELECT pg_notify($1, $2)", [options.channel, payloads[0]]);
            return;
          }
          await current.query("BEGIN");
          for (const payload of payloads) {
            await current.query("SELECT pg_notify($1, $2)", [options.channel, payload]);
          }
          await current.query("COMMIT");
        } catch (error) {
          await current.query("ROLLBACK").catch(() => {});
          options.onError?.(error as Error);
        }
      });
      return sending;
    },
    async close() {
      closed = true;
      await sending;
      await client?.end().catch(() => {});
      client = undefined;
    },
  };
}
