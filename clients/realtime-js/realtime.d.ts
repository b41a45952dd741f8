// TypeScript declarations of realtime.js. Give connect() a map of event names to data types to
// get a typed onData:
//
//   type Events = { "chat.message": { user: string; text: string }; "user.joined": { user: string } };
//   connect<Events>({ channels: ["room-1"], onData(m) { if (m.event === "chat.message") m.data.text } });

/** The connection's state; see README.md for the transitions. */
export type Status = "connecting" | "connected" | "reconnecting" | "error" | "closed";

/** Event names mapped to the type of their data (a type alias or an interface). */
export type EventMap = Record<string, unknown>;

/** A message as the server stored it; for a typed EventMap, a union discriminated by `event`. */
export type Message<E extends object = EventMap> = {
  [K in keyof E & string]: {
    /** `<ms>-<seq>`, increasing within a channel. */
    id: string;
    event: K;
    data: E[K];
    channel: string;
  };
}[keyof E & string];

/** The server could no longer deliver what came after `afterId`; it went on from `resumedFrom`. */
export interface Gap {
  type: "gap";
  channel: string;
  afterId: string;
  /** The oldest message still kept, delivered next; null when the channel holds nothing now. */
  resumedFrom: string | null;
}

/** A problem of the stream or of an API call. */
export declare class RealtimeError extends Error {
  readonly name: "RealtimeError";
  /** The HTTP status, when the server answered with one. */
  readonly status: number | undefined;
  /** True when the client goes on trying; false when it stopped (status `error`). */
  willRetry: boolean;
  constructor(message: string, options?: { status?: number; willRetry?: boolean; cause?: unknown });
}

/** A token, or a function that gives one (called before each connection, for refreshed tokens). */
export type TokenSource = string | undefined | (() => string | undefined | Promise<string | undefined>);

export interface ConnectOptions<E extends object = EventMap> {
  /** The stream's URL, absolute or relative to the page. Default `/api/realtime`. */
  url?: string;
  /** The channels to stream. Default `["default"]`. */
  channels?: readonly string[];
  /** Only these events are sent (filtered by the server). Default: all. */
  events?: ReadonlyArray<keyof E & string>;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: TokenSource;
  /**
   * The newest `latest` messages (0 to 1000) of each channel that has no position yet: on the
   * first connection, and for a channel added later. Never again after a drop.
   */
  history?: { latest: number };
  /** Where channels resume, as `rt.positions` gave them (to resume across page loads, say). */
  positions?: Record<string, string>;
  /** Consecutive failed attempts before giving up (status `error`). Default 10; `Infinity` never gives up. */
  maxAttempts?: number;
  /** The wait after failed attempt n (1, 2, ...) is drawn from [c/2, c], c = min(maxMs, initialMs * 2^(n-1)). Defaults 1000 and 30000. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** A connection silent for this long is dead and replaced. Default: three of the server's heartbeats (its connected frames say how often), 45000 on each connection before its first; 0 turns it off. */
  heartbeatTimeoutMs?: number;
  /** Each message, once, in order within its channel. */
  onData?(message: Message<E>): void;
  onStatus?(status: Status): void;
  /** Messages were lost (history no longer held them); delivery goes on after them. */
  onGap?(gap: Gap): void;
  /** Every failure: `willRetry` tells whether the client goes on. */
  onError?(error: RealtimeError): void;
}

export interface Connection {
  readonly status: Status;
  /** The channels streamed, in order (a copy). */
  readonly channels: string[];
  /** Each channel's position: the id after which it resumes. */
  readonly positions: Record<string, string>;
  /** Adds a channel; the others resume where they were, losing nothing. */
  addChannel(channel: string): void;
  /** Removes a channel and forgets its position; removing the last one closes the connection. */
  removeChannel(channel: string): void;
  /** Connects again now with a fresh attempt count; also the way out of `error`. */
  reconnect(): void;
  /** Ends the stream for good (status `closed`). */
  close(): void;
}

/** Opens a stream and keeps it open until close() or a failure it cannot retry. */
export declare function connect<E extends object = EventMap>(options?: ConnectOptions<E>): Connection;

export interface EmitOptions {
  /** The API's base URL. Default `/api/realtime`. */
  url?: string;
  token?: TokenSource;
  /** Default `default`. */
  channel?: string;
  event: string;
  data: unknown;
}

/** POSTs one event; resolves to its id, rejects with a RealtimeError carrying the server's answer. */
export declare function emit(options: EmitOptions): Promise<string>;

export interface HistoryOptions {
  url?: string;
  token?: TokenSource;
  channel?: string;
  /** 1 to 1000, default 1000. */
  limit?: number;
  /** The newest `limit` instead of the oldest (still oldest first). */
  latest?: boolean;
  /** Inclusive bounds, Unix milliseconds. */
  start?: number;
  end?: number;
  /** Exclusive bounds, message ids (`<ms>-<seq>`): page forwards with `after`, back with `before`. */
  after?: string;
  before?: string;
}

/** Reads a channel's history, oldest first. */
export declare function history<E extends object = EventMap>(options?: HistoryOptions): Promise<Array<Message<E>>>;
