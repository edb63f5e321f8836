/**
 * The most one reply may hold before it is refused, as Redis itself caps a bulk string with
 * `proto-max-bulk-len`: the largest reply a probe asks for (INFO, CLUSTER NODES of a thousand
 * nodes) is a few hundred kilobytes, and a peer announcing `$2147483647` then streaming must not
 * make the sidecar buffer gigabytes until the timeout.
 */
export const MAX_REPLY_BYTES = 1 << 20;
/** The most elements one array, map or set reply may announce (CLUSTER SLOTS has at most 16384). */
export const MAX_REPLY_ELEMENTS = 1 << 16;

/**
 * Counts the bytes of the reply being received, ahead of ioredis's parser, and says why the
 * reply is refused once it is too large: so the connection is dropped before it is buffered.
 * A class: there is one per connection, and thousands of connections share its methods.
 */
export class ReplyLimit {
  #bytes = 0;

  /** A new reply starts: a command was sent, or a message was delivered. */
  reset(): void {
    this.#bytes = 0;
  }

  /** Takes the next chunk received; returns why the reply is refused, if it now is. */
  take(chunk: Buffer): string | undefined {
    // A reply's first bytes announce its size: refuse a huge one before anything is buffered.
    const announced = this.#bytes === 0 ? announcedTooLarge(chunk) : undefined;
    this.#bytes += chunk.length;
    if (announced !== undefined) return announced;
    if (this.#bytes <= MAX_REPLY_BYTES) return undefined;
    return `a reply of more than 1 MiB (${(this.#bytes / 2 ** 20).toFixed(1)} MiB so far)`;
  }
}

/**
 * What a reply's header announces when it is more than the caps allow: a bulk string over
 * MAX_REPLY_BYTES, or an array, map, set or push over MAX_REPLY_ELEMENTS.
 */
function announcedTooLarge(chunk: Buffer): string | undefined {
  const type = String.fromCharCode(chunk[0] ?? 0);
  if (!'$*%~>'.includes(type)) return undefined;
  const end = chunk.indexOf(0x0d);
  if (end < 2 || end > 21) return undefined;
  const size = Number(chunk.subarray(1, end).toString('latin1'));
  if (type === '$' && size > MAX_REPLY_BYTES) {
    return `a reply announced as ${size} bytes, more than 1 MiB`;
  }
  if (type !== '$' && size > MAX_REPLY_ELEMENTS) {
    return `a reply announced as ${size} elements, more than ${MAX_REPLY_ELEMENTS}`;
  }
  return undefined;
}
