import { Registry } from 'prom-client';
import { renderText } from './text-format';
import type { Rendered } from './text-writer';

export const prometheusContentType = Registry.PROMETHEUS_CONTENT_TYPE;
export const openMetricsContentType = Registry.OPENMETRICS_CONTENT_TYPE;

/** Whether an `Accept` header asks for OpenMetrics (as Prometheus sends it when enabled). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && /application\/openmetrics-text/i.test(accept);
}

/** Renders a registry in the text format the client asked for; release the body once sent. */
export async function renderMetrics(
  registry: Registry,
  openMetrics: boolean,
): Promise<Rendered & { contentType: string }> {
  return openMetrics
    ? { contentType: openMetricsContentType, ...(await renderText(registry, 'openmetrics')) }
    : { contentType: prometheusContentType, ...(await renderText(registry, 'prometheus')) };
}
