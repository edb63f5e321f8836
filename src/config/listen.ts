/** Where the sidecar listens: the redis_exporter's 9121 with a 1 in front (9100-9999 is crowded). */
export const defaultListen = '0.0.0.0:19121';

export interface Listen {
  host: string;
  port: number;
}

/** Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (all interfaces); returns an error message when it cannot. */
export function parseListen(text: string): Listen | string {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(text);
  if (!match) return 'must be HOST:PORT, such as 0.0.0.0:19121 or [::]:19121';
  const port = Number(match[3]);
  if (port > 65535) return 'port must be between 0 and 65535';
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}
