// What the redis/ layer hands the probes: connections that send one command at a time, a
// subscribed connection for the pub/sub check, and a cluster's nodes. Types only: the probes
// depend on these, and redis/ depends on nothing above it for them.

/** What a probe needs from a Redis connection; built by the redis/ module from a target. */
export interface ProbeConnection {
  /** Connects (with handshake) unless already connected. */
  connect(): Promise<void>;
  /** Sends one command and resolves to its reply (bulk strings as strings). */
  send(command: string, ...args: string[]): Promise<unknown>;
  /** Drops the connection at once, without QUIT; the next probe connects anew. */
  drop(): void;
  /**
   * The connection's own last error. Sending while disconnected fails with a generic error
   * ("Stream isn't writeable") that hides the real cause (refused, auth, dns): this has it.
   */
  lastError(): Error | undefined;
  /**
   * When the last bytes from the server arrived (process.hrtime.bigint()), if the connection
   * can tell: a round trip timed to that moment leaves out reply parsing and promise hops.
   */
  lastDataAt?(): bigint | undefined;
  /**
   * When the last command was handed to the socket (process.hrtime.bigint()), if the
   * connection can tell: a round trip timed from then leaves out the client's encoding and
   * queueing, and is what Redis and the network took.
   */
  lastWriteAt?(): bigint | undefined;
}

/** A connection subscribed to the check's channel; built by the redis/ module. */
export interface PubsubSubscriber {
  /** Connects and subscribes unless already subscribed. */
  ready(): Promise<void>;
  /** Resolves when a message with this payload arrives; `forget` stops waiting. */
  arrival(payload: string): { arrived: Promise<void>; forget: () => void };
  /** Drops the connection: the next check connects and subscribes anew. */
  drop(): void;
}

/** The connections to a cluster's nodes, by HOST:PORT; built by the redis/ module. */
export interface ClusterNodes {
  /** The connection to one node, made on first use and kept. */
  node(address: string): ProbeConnection;
  /** Closes the connections of nodes that are not in `keep` (left the cluster, demoted). */
  retain(keep: ReadonlySet<string>): void;
}
