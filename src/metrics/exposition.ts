import { Registry } from 'prom-client';
import { renderText } from './text-format';

export const prometheusContentType = Registry.PROMETHEUS_CONTENT_TYPE;
export const openMetricsContentType = Registry.OPENMETRICS_CONTENT_TYPE;

/** Whether an `Accept` header asks for OpenMetrics (as Prometheus sends it when enabled). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && /application\/openmetrics-text/i.test(accept);
}

/** Renders a registry in the text format the client asked for. */
export async function renderMetrics(
  registry: Registry,
  openMetrics: boolean,
): Promise<{ contentType: string; body: string }> {
  return openMetrics
    ? { contentType: openMetricsContentType, body: await renderText(registry, 'openmetrics') }
    : { contentType: prometheusContentType, body: await renderText(registry, 'prometheus') };
}
