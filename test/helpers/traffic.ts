// Observed traffic for tests: a Prometheus /api/v1/query answer over Istio's standard metric labels, as
// `mtls-lint --traffic` reads it (src/load/traffic.ts). One series per call.

export interface Series {
  /** Which proxy reported it (default: the destination's, the only one that knows the security). */
  reporter?: 'source' | 'destination';
  /** "ns/workload"; absent: Istio's `unknown` source (no sidecar, or outside the cluster). */
  from?: string;
  /** "ns/service". */
  to: string;
  security: 'mutual_tls' | 'none' | 'unknown';
  value: number;
  /** `__name__`, e.g. istio_tcp_connections_opened_total (default: none, as after `sum by`). */
  metric?: string;
}

/** The answer's JSON text; a matrix answer has two samples per series, from 0 to `value`. */
export function prometheusAnswer(series: Series[], resultType: 'vector' | 'matrix' = 'vector'): string {
  const result = series.map((s) => {
    const [srcNs, srcWl] = s.from ? s.from.split('/') : ['unknown', 'unknown'];
    const [dstNs, dstSvc] = s.to.split('/');
    const metric = {
      ...(s.metric ? { __name__: s.metric } : {}),
      reporter: s.reporter ?? 'destination',
      source_workload: srcWl,
      source_workload_namespace: srcNs,
      destination_service_name: dstSvc,
      destination_service_namespace: dstNs,
      destination_workload: dstSvc,
      destination_workload_namespace: dstNs,
      connection_security_policy: s.security,
    };
    return resultType === 'vector'
      ? { metric, value: [1764925200, String(s.value)] }
      : {
          metric,
          values: [
            [1764921600, '0'],
            [1764925200, String(s.value)],
          ],
        };
  });
  return JSON.stringify({ status: 'success', data: { resultType, result } });
}
