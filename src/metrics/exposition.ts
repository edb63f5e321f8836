import { Registry, type Metric } from 'prom-client';
import { renderPrometheusText } from './prometheus-text';

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
  if (!openMetrics) {
    return { contentType: prometheusContentType, body: await renderPrometheusText(registry) };
  }
  return { contentType: openMetricsContentType, body: await renderOpenMetrics(registry) };
}

/**
 * prom-client renames counter objects in place while rendering OpenMetrics, so the live metrics
 * cannot also sit in an OpenMetrics registry. Render a one-off snapshot of their values instead.
 */
async function renderOpenMetrics(registry: Registry): Promise<string> {
  const snapshot = new Registry<typeof openMetricsContentType>();
  snapshot.setContentType(openMetricsContentType);
  for (const values of await registry.getMetricsAsJSON()) {
    const frozen = {
      name: values.name,
      type: values.type,
      get: async () => ({ ...values, name: frozen.name }),
    };
    snapshot.registerMetric(frozen as unknown as Metric);
  }
  return snapshot.metrics();
}
