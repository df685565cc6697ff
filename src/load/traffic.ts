// Observed traffic: what the mesh itself recorded about who called whom, and whether with mTLS. Read from a Prometheus
// HTTP API response over Istio's standard metrics, or from a Kiali graph response; both become the same observations.
// Istio's metrics: https://istio.io/latest/docs/reference/config/metrics/ (connection_security_policy is reported
// by the destination's proxy only: "mutual_tls" or "none"; the source's proxy reports "unknown").

/** A workload that sent traffic, as Istio's telemetry names it (or an app, from a Kiali app graph). */
export interface ObservedSource {
  namespace: string;
  workload?: string;
  /** Kiali app graphs name an `app` label (and `version`) rather than a workload. */
  app?: string;
  version?: string;
}

interface ObservedDestination {
  namespace: string;
  /** The Service's name (destination_service_name), when the telemetry names one. */
  service?: string;
  /** The destination workload, when the telemetry names one (Kiali workload graphs without service nodes). */
  workload?: string;
  /** Kiali app graphs without service nodes: the destination's `app` label (and `version`). */
  app?: string;
  version?: string;
}

export interface Observation {
  /** Undefined: the source is `unknown` — reported by the destination only, so it had no sidecar (or came from outside). */
  source: ObservedSource | undefined;
  destination: ObservedDestination;
  /** Requests (HTTP/gRPC) or connections (TCP) in the window; for Kiali, a rate per second. */
  amount: number;
  unit: 'requests' | 'connections' | 'req/s' | 'bytes/s';
  /** What the destination's proxy saw; `unknown` when only the source reported (the destination has no sidecar). */
  security: 'mtls' | 'plaintext' | 'unknown';
  /** Where it came from: "traffic.json" or "Prometheus http://…". */
  origin: string;
  /** Which proxy reported it (Prometheus): both report a call between sidecars; the destination's report wins. */
  reporter?: 'source' | 'destination';
}

export interface ObservedTraffic {
  observations: Observation[];
  /** The window the observations cover, as written for people ("7d"). */
  window: string;
  /** The files and URLs read, for messages. */
  origins: string[];
}

/** A traffic file or Prometheus answer that cannot be used; the CLI prints the message and exits 2. */
export class TrafficError extends Error {}

const PROMETHEUS_SHAPE =
  'a Prometheus HTTP API query response ({"status":"success","data":{"resultType":"vector"|"matrix","result":[…]}}) over istio_requests_total or istio_tcp_connections_opened_total';
const KIALI_SHAPE = 'a Kiali graph response ({"elements":{"nodes":[…],"edges":[…]}, "duration":…})';

type Json = Record<string, unknown>;

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function text(x: unknown): string | undefined {
  return typeof x === 'string' && x !== '' ? x : undefined;
}

/** Reads a traffic file's text: a Prometheus query response or a Kiali graph, told apart by their shape. */
export function parseTrafficFile(content: string, file: string, window = '7d'): ObservedTraffic {
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch (err) {
    throw new TrafficError(
      `${file}: not JSON (${err instanceof Error ? err.message : String(err)}); expected ${PROMETHEUS_SHAPE}, or ${KIALI_SHAPE}`,
    );
  }
  if (isObject(doc) && ('status' in doc || 'data' in doc)) return parsePrometheus(doc, file, window);
  if (isObject(doc) && 'elements' in doc) return parseKiali(doc, file);
  throw new TrafficError(`${file}: neither format: expected ${PROMETHEUS_SHAPE}, or ${KIALI_SHAPE}`);
}

/** A Prometheus query response: each series is one (source, destination, security, reporter) of an Istio metric. */
export function parsePrometheus(
  doc: Json,
  origin: string,
  window: string,
  metricName?: string,
): ObservedTraffic {
  if (doc.status === 'error')
    throw new TrafficError(
      `${origin}: Prometheus answered with an error: ${String(doc.errorType ?? '')} ${String(doc.error ?? '')}`.trim(),
    );
  const data = doc.data;
  if (doc.status !== 'success' || !isObject(data) || !Array.isArray(data.result))
    throw new TrafficError(`${origin}: expected ${PROMETHEUS_SHAPE}`);
  if (data.resultType !== 'vector' && data.resultType !== 'matrix')
    throw new TrafficError(
      `${origin}: resultType ${JSON.stringify(data.resultType)} is not vector or matrix; expected ${PROMETHEUS_SHAPE}`,
    );
  const observations: Observation[] = [];
  data.result.forEach((series, i) => {
    if (!isObject(series) || !isObject(series.metric))
      throw new TrafficError(
        `${origin}: data.result[${i}] has no "metric" labels; expected ${PROMETHEUS_SHAPE}`,
      );
    const m = series.metric as Record<string, unknown>;
    const amount = seriesAmount(series, data.resultType as string);
    if (amount === undefined)
      throw new TrafficError(
        `${origin}: data.result[${i}] has no numeric ${data.resultType === 'vector' ? '"value"' : '"values"'}`,
      );
    const observation = observationOf(m, amount, origin, metricName);
    if (observation && observation.amount > 0) observations.push(observation);
  });
  return { observations: oneReportPerCall(observations), window, origins: [origin] };
}

/** The count a series stands for: a vector's value, or for a matrix the growth over its samples (a counter). */
function seriesAmount(series: Json, resultType: string): number | undefined {
  const num = (pair: unknown) => (Array.isArray(pair) && pair.length === 2 ? Number(pair[1]) : NaN);
  if (resultType === 'vector') {
    const v = num(series.value);
    return Number.isFinite(v) ? v : undefined;
  }
  if (!Array.isArray(series.values) || !series.values.length) return undefined;
  const values = series.values.map(num);
  if (values.some((v) => !Number.isFinite(v))) return undefined;
  // A counter restarts at 0 when a proxy restarts: add the growth between samples, as Prometheus' increase() does.
  let total = 0;
  for (let i = 1; i < values.length; i++)
    total += values[i]! >= values[i - 1]! ? values[i]! - values[i - 1]! : values[i]!;
  return values.length === 1 ? values[0]! : total;
}

function observationOf(
  m: Record<string, unknown>,
  amount: number,
  origin: string,
  metricName: string | undefined,
): Observation | undefined {
  const metric = text(m.__name__) ?? metricName;
  const destNamespace = text(m.destination_service_namespace) ?? text(m.destination_workload_namespace);
  const destService = text(m.destination_service_name);
  if (!destNamespace || destNamespace === 'unknown') return undefined;
  const srcWorkload = text(m.source_workload);
  const srcNamespace = text(m.source_workload_namespace);
  const source =
    srcWorkload && srcNamespace && srcWorkload !== 'unknown' && srcNamespace !== 'unknown'
      ? { namespace: srcNamespace, workload: srcWorkload }
      : undefined;
  const policy = text(m.connection_security_policy);
  const security = policy === 'mutual_tls' ? 'mtls' : policy === 'none' ? 'plaintext' : 'unknown';
  const destination: ObservedDestination = { namespace: destNamespace };
  if (destService && destService !== 'unknown') destination.service = destService;
  const destWorkload = text(m.destination_workload);
  if (destWorkload && destWorkload !== 'unknown') destination.workload = destWorkload;
  const tcp = metric ? metric.startsWith('istio_tcp') : text(m.request_protocol) === 'tcp';
  const observation: Observation = {
    source,
    destination,
    amount,
    unit: tcp ? 'connections' : 'requests',
    security,
    origin,
  };
  const reporter = text(m.reporter);
  if (reporter === 'source' || reporter === 'destination') observation.reporter = reporter;
  return observation;
}

/**
 * One report per call: a call between two sidecars is reported by both proxies, and only the destination's report
 * knows the connection's security, so a source's report is kept only where no destination reported that call.
 */
function oneReportPerCall(observations: Observation[]): Observation[] {
  const callKey = (o: Observation) =>
    [
      o.source?.namespace ?? '',
      o.source?.workload ?? '',
      o.source?.app ?? '',
      o.source?.version ?? '',
      o.destination.namespace,
      o.destination.service ?? '',
      o.destination.workload ?? '',
      o.unit,
    ].join('\0');
  const reportedByDestination = new Set(
    observations.filter((o) => o.reporter === 'destination').map(callKey),
  );
  return observations.filter((o) => o.reporter !== 'source' || !reportedByDestination.has(callKey(o)));
}

/**
 * A Kiali graph (kiali/kiali graph/config/cytoscape): nodes with nodeType workload|app|service|unknown, edges with
 * traffic rates and isMTLS, the percentage of the edge's traffic on mutual TLS (a boolean in old releases).
 */
function parseKiali(doc: Json, origin: string): ObservedTraffic {
  const elements = doc.elements;
  if (!isObject(elements) || !Array.isArray(elements.nodes) || !Array.isArray(elements.edges))
    throw new TrafficError(`${origin}: expected ${KIALI_SHAPE}`);
  const nodes = new Map<string, Json>();
  elements.nodes.forEach((n, i) => {
    const d = isObject(n) ? n.data : undefined;
    if (!isObject(d) || !text(d.id)) throw new TrafficError(`${origin}: elements.nodes[${i}] has no data.id`);
    nodes.set(d.id as string, d);
  });
  const observations: Observation[] = [];
  elements.edges.forEach((e, i) => {
    const d = isObject(e) ? e.data : undefined;
    if (!isObject(d)) throw new TrafficError(`${origin}: elements.edges[${i}] has no data`);
    const from = nodes.get(String(d.source));
    const to = nodes.get(String(d.target));
    if (!from || !to)
      throw new TrafficError(`${origin}: elements.edges[${i}] joins nodes that are not in elements.nodes`);
    // With service nodes injected, service → workload edges repeat the client → service traffic.
    if (from.nodeType === 'service') return;
    const destNamespace = text(to.namespace);
    if (!destNamespace || destNamespace === 'unknown') return;
    const destination: ObservedDestination = { namespace: destNamespace };
    if (to.nodeType === 'service' && text(to.service)) destination.service = to.service as string;
    else if (text(to.workload)) destination.workload = to.workload as string;
    else if (text(to.app)) Object.assign(destination, appOf(to));
    else return;
    const source = from.nodeType === 'unknown' ? undefined : kialiSource(from);
    const traffic = isObject(d.traffic) ? d.traffic : {};
    const rates = isObject(traffic.rates) ? traffic.rates : {};
    const tcp = traffic.protocol === 'tcp';
    const rate = Number(tcp ? rates.tcp : (rates.http ?? rates.grpc ?? 0));
    const mtlsShare =
      d.isMTLS === true ? 100 : d.isMTLS === undefined || d.isMTLS === false ? 0 : Number(d.isMTLS);
    // Kiali leaves isMTLS out when no traffic used mTLS; toward a node without a sidecar nothing reports security.
    const amount = Number.isFinite(rate) ? rate : 0;
    const unit = tcp ? 'bytes/s' : 'req/s';
    if (mtlsShare > 0)
      observations.push({
        source,
        destination,
        amount: (amount * mtlsShare) / 100,
        unit,
        security: 'mtls',
        origin,
      });
    if (mtlsShare < 100)
      observations.push({
        source,
        destination,
        amount: (amount * (100 - mtlsShare)) / 100,
        unit,
        security: to.isOutOfMesh === true ? 'unknown' : 'plaintext',
        origin,
      });
  });
  const seconds = Number(doc.duration);
  const window = Number.isFinite(seconds) && seconds > 0 ? durationText(seconds) : 'the graph window';
  return { observations, window, origins: [origin] };
}

function appOf(node: Json): { app: string; version?: string } {
  const version = text(node.version);
  return version ? { app: node.app as string, version } : { app: node.app as string };
}

/** A Kiali node as a source: its workload, else its app (app graphs), else unknown. */
function kialiSource(node: Json): ObservedSource | undefined {
  const namespace = text(node.namespace);
  if (!namespace || namespace === 'unknown') return undefined;
  if (text(node.workload) && node.workload !== 'unknown')
    return { namespace, workload: node.workload as string };
  if (text(node.app) && node.app !== 'unknown') return { namespace, ...appOf(node) };
  return undefined;
}

function durationText(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** Several sources as one: observations concatenated, the window of the first, every origin kept. */
export function mergeTraffic(parts: ObservedTraffic[]): ObservedTraffic | undefined {
  if (!parts.length) return undefined;
  return {
    observations: parts.flatMap((p) => p.observations),
    window: parts[0]!.window,
    origins: parts.flatMap((p) => p.origins),
  };
}

/** `7d`, `12h`, `90m`, `30s` (Prometheus durations, one unit): seconds, or undefined when not one. */
export function parseWindow(text: string): number | undefined {
  const m = /^(\d{1,6})([smhdw])$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  const seconds = Number(m[1]) * unit;
  return seconds > 0 ? seconds : undefined;
}
