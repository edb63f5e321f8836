/** HOST:PORT (as the schema checked it) to its parts; brackets come off an IPv6 host. */
export function parseHostPort(text: string): { host: string; port: number } {
  const split = text.lastIndexOf(':');
  return {
    host: text.slice(0, split).replace(/^\[(.*)\]$/, '$1'),
    port: Number(text.slice(split + 1)),
  };
}

/** HOST:PORT for showing and for keys, with an IPv6 host in brackets. */
export function formatHostPort(host: string, port: number | string): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
