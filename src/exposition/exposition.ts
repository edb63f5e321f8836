import { Registry } from 'prom-client';
import { writeSources, type Family, type Source, type TextFormat } from './text-format';
import { createTextWriter, type Rendered } from './text-writer';

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
  /** Throws on a bad name, a missing help or a name already on the page, as prom-client does. */
  add(family: Family): void;
  /** Renders a prom-client registry's metrics here too (default process metrics and the like). */
  include(registry: Registry): void;
  /**
   * Renders in the format `accept` asks for, sharing a render in progress. The chunks are
   * reused for a later page once every `sending` that shares them closes, so they must not be
   * kept past that.
   */
  render(accept: string | undefined, sending: Sending): Promise<MetricsPage>;
}

/** Prometheus's metric name syntax (prom-client checks the same). */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** A page is written in parts of about this size, the event loop turning between them. */
const YIELD_BYTES = 256 * 1024;

/** A page being rendered or sent, shared by the requests that asked while it was rendered. */
interface SharedPage {
  rendered: Rendered;
  readers: number;
}

export function createExposition(): Exposition {
  const sources: Source[] = [];
  const rendering = new Map<TextFormat, Promise<SharedPage>>();
  const renderShared = async (format: TextFormat): Promise<SharedPage> => {
    const writer = createTextWriter();
    let yieldedAt = 0;
    for (const part of await writeSources(sources, format)) {
      part(writer.out);
      if (writer.written() - yieldedAt >= YIELD_BYTES) {
        yieldedAt = writer.written();
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return { rendered: writer.finish(), readers: 0 };
  };
  const names = new Set<string>();
  /** Refuses what prom-client refuses when a metric is made: a bad name or help, a duplicate. */
  const claim = (name: string) => {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name: ${JSON.stringify(name)}`);
    if (names.has(name)) throw new Error(`a metric named ${name} is already on this page`);
    names.add(name);
  };
  return {
    add(family) {
      if (typeof family.help !== 'string' || family.help.trim() === '') {
        throw new Error(`metric ${family.name} has no help text`);
      }
      claim(family.name);
      sources.push({ family });
    },
    include(registry) {
      for (const metric of registry.getMetricsAsArray()) claim(metric.name);
      sources.push({ registry });
    },
    async render(accept, sending) {
      const format: TextFormat = wantsOpenMetrics(accept) ? 'openmetrics' : 'prometheus';
      // Requests that arrive while a page is rendered share it: a storm of scrapes costs one.
      let pending = rendering.get(format);
      if (pending === undefined) {
        pending = renderShared(format).finally(() => rendering.delete(format));
        rendering.set(format, pending);
      }
      const page = await pending;
      page.readers += 1;
      sending.once('close', () => {
        page.readers -= 1;
        if (page.readers === 0) page.rendered.release();
      });
      return {
        contentType:
          format === 'openmetrics'
            ? Registry.OPENMETRICS_CONTENT_TYPE
            : Registry.PROMETHEUS_CONTENT_TYPE,
        chunks: page.rendered.chunks,
        length: page.rendered.length,
      };
    },
  };
}

/** Whether an `Accept` header asks for OpenMetrics (as Prometheus sends it when enabled). */
function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && /application\/openmetrics-text/i.test(accept);
}
