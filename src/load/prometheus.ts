// Observed traffic from a live Prometheus, over its HTTP API (/api/v1/query): one instant query per Istio metric,
// summed over the window, grouped by who called whom and with which security.
import { parsePrometheus, TrafficError, type ObservedTraffic } from './traffic.js';

/** The labels a call is told apart by (Istio's standard metrics). */
const CALL_LABELS = [
  'reporter',
  'source_workload',
  'source_workload_namespace',
  'destination_service_name',
  'destination_service_namespace',
  'destination_workload',
  'destination_workload_namespace',
  'connection_security_policy',
].join(', ');

/** HTTP/gRPC requests and TCP connections: the two counters every Istio proxy exports. */
const TRAFFIC_METRICS = ['istio_requests_total', 'istio_tcp_connections_opened_total'] as const;

/** The PromQL mtls-lint runs for one metric (README "Observed traffic" shows it, for producing a file by hand). */
function trafficQuery(metric: string, window: string): string {
  return `sum by (${CALL_LABELS}) (increase(${metric}[${window}]))`;
}

export interface PrometheusOptions {
  url: string;
  window: string;
  timeoutMs: number;
  /** Bearer token (from an environment variable); never printed. */
  token?: string;
}

/** Both metrics over the window; a failure says what failed (connection, HTTP status, PromQL) as a TrafficError. */
export async function queryPrometheus(options: PrometheusOptions): Promise<ObservedTraffic> {
  let base: URL;
  try {
    base = new URL(options.url);
  } catch {
    throw new TrafficError(
      `--prometheus ${JSON.stringify(options.url)} is not a URL (e.g. http://prometheus.istio-system:9090)`,
    );
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new TrafficError(
      `--prometheus ${JSON.stringify(options.url)}: only http:// and https:// are supported`,
    );
  const shown = `${base.origin}${base.pathname.replace(/\/$/, '')}`;
  const origin = `Prometheus ${shown}`;
  const parts: ObservedTraffic[] = [];
  for (const metric of TRAFFIC_METRICS) {
    const endpoint = new URL(`${base.pathname.replace(/\/$/, '')}/api/v1/query`, base);
    endpoint.searchParams.set('query', trafficQuery(metric, options.window));
    const body = await get(endpoint, options, shown);
    parts.push(parsePrometheus(body, origin, options.window, metric));
  }
  return { observations: parts.flatMap((p) => p.observations), window: options.window, origins: [origin] };
}

async function get(
  endpoint: URL,
  options: PrometheusOptions,
  shown: string,
): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(endpoint, {
      headers,
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'follow',
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      throw new TrafficError(
        `Prometheus ${shown} did not answer within ${options.timeoutMs / 1000} s (--prometheus-timeout)`,
      );
    const cause = e.cause?.code ?? e.cause?.message ?? e.message;
    throw new TrafficError(`cannot connect to Prometheus ${shown}: ${cause}`);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    throw new TrafficError(
      `Prometheus ${shown}: the answer broke off (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const json = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  if (json?.status === 'error')
    throw new TrafficError(
      `Prometheus ${shown} rejected the query (HTTP ${response.status}, ${String(json.errorType ?? 'error')}): ${String(json.error ?? '')}`,
    );
  if (!response.ok)
    throw new TrafficError(
      `Prometheus ${shown} answered HTTP ${response.status} ${response.statusText}${response.status === 401 || response.status === 403 ? ' (is the token right? it is read from the variable --prometheus-token-env names)' : ''}`,
    );
  if (!json)
    throw new TrafficError(
      `Prometheus ${shown} answered something that is not JSON (is the URL Prometheus?)`,
    );
  return json;
}
