import { Registry } from 'prom-client';
import { writeSources, type Family, type Source, type TextFormat } from './text-format';
import { writeText } from './text-writer';

/** A rendered page of metrics: its bytes in chunks, sent one after another. */
export interface MetricsPage {
  contentType: string;
  chunks: readonly Buffer[];
  /** Bytes in all chunks. */
  length: number;
}

/** Something that is done with a body once it emits `close` (an HTTP response). */
export interface Sending {
  once(event: 'close', listener: () => void): unknown;
}

/** An ordered set of metric families and prom-client registries, rendered as one page. */
export interface Exposition {
  add(family: Family): void;
  /** Renders a prom-client registry's metrics here too (default process metrics and the like). */
  include(registry: Registry): void;
  /**
   * Renders in the format `accept` asks for. The chunks are reused for a later page once
   * `sending` closes, so they must not be kept past that.
   */
  render(accept: string | undefined, sending: Sending): Promise<MetricsPage>;
}

export function createExposition(): Exposition {
  const sources: Source[] = [];
  return {
    add: (family) => void sources.push({ family }),
    include: (registry) => void sources.push({ registry }),
    async render(accept, sending) {
      const format: TextFormat = wantsOpenMetrics(accept) ? 'openmetrics' : 'prometheus';
      const rendered = writeText(await writeSources(sources, format));
      sending.once('close', () => rendered.release());
      return {
        contentType:
          format === 'openmetrics'
            ? Registry.OPENMETRICS_CONTENT_TYPE
            : Registry.PROMETHEUS_CONTENT_TYPE,
        chunks: rendered.chunks,
        length: rendered.length,
      };
    },
  };
}

/** Whether an `Accept` header asks for OpenMetrics (as Prometheus sends it when enabled). */
function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && /application\/openmetrics-text/i.test(accept);
}
