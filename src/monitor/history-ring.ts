/** A fixed-size ring of slices per target: 15 minutes of 5-second slices, 180 of them. */
export class Ring {
  readonly ok: Uint16Array;
  readonly failed: Uint16Array;
  readonly inconclusive: Uint16Array;
  readonly latency: Float32Array;
  /** The newest slice (epoch ms / bucketMs) written: the ring holds the `size` slices up to it. */
  private last = -Infinity;

  constructor(private readonly size: number) {
    // One allocation per target, seen as four arrays: 10 bytes a slice, 1.8 KiB in all.
    const memory = new ArrayBuffer(size * 10);
    this.latency = new Float32Array(memory, 0, size).fill(-1);
    this.ok = new Uint16Array(memory, size * 4, size);
    this.failed = new Uint16Array(memory, size * 6, size);
    this.inconclusive = new Uint16Array(memory, size * 8, size);
  }

  /** Whether `slice` is in the ring (else it is empty, or too old to be kept). */
  holds(slice: number): boolean {
    return slice <= this.last && slice > this.last - this.size;
  }

  /** The position of `slice`, the slices skipped since the newest cleared; -1 when too old. */
  at(slice: number): number {
    if (slice > this.last) {
      for (
        let skipped = Math.max(this.last + 1, slice - this.size + 1);
        skipped <= slice;
        skipped += 1
      ) {
        const position = skipped % this.size;
        this.ok[position] = 0;
        this.failed[position] = 0;
        this.inconclusive[position] = 0;
        this.latency[position] = -1;
      }
      this.last = slice;
    }
    return this.holds(slice) ? slice % this.size : -1;
  }
}
