import type { LoadLimits } from './load/index.js';
import type { ObservedTraffic } from './load/traffic.js';
import type { TrafficSources } from './load/observed.js';
import type { IstioVersion } from './mesh/version.js';
import type { Severity, SeverityOrOff } from './types.js';

export type FailOn = Severity | 'never';

/** Facts about a namespace the inputs do not define (config `namespaces:`). */
export interface NamespaceFacts {
  injection?: 'enabled' | 'disabled';
  /** istio.io/rev label value. */
  revision?: string;
  ambient?: boolean;
  labels?: Record<string, string>;
}

interface MeshSettings {
  rootNamespace?: string;
  autoMtls?: boolean;
  /** The injector's policy (global.proxy.autoInject): enabled by default. */
  injectionPolicy?: 'enabled' | 'disabled';
  /** Treat namespaces without injection labels as injected (sidecarInjectorWebhook.enableNamespacesByDefault). */
  enableNamespacesByDefault?: boolean;
}

interface DeclaredCaller {
  /** "namespace/workload" or "workload" (default namespace). */
  from: string;
  /** "svc", "svc.ns", "svc.ns:8000", "svc.ns.svc.cluster.local:8000". */
  to: string;
}

interface ScopeSettings {
  /** Namespaces whose services are not treated as servers (defaults: Kubernetes system namespaces). */
  excludeServerNamespaces?: string[];
  /** Treat the Istio control plane (istiod, gateways in the root namespace) as servers too. */
  includeControlPlane?: boolean;
}

/** One input set of config `meshes:`, analysed on its own (src/diff/meshes.ts). */
export interface MeshSpec {
  /**
   * Without render: the files and directories to lint. With render: the sources the command reads (PR mode renders
   * the base only when one of them changed). Relative to the config file's directory.
   */
  paths?: string[];
  /** A shell command, run in the config file's directory, whose standard output is the mesh's manifests. */
  render?: string;
  /** Seconds the render command may take (default 300). */
  timeout?: number;
}

export interface Config {
  namespace?: string;
  istioVersion?: string;
  ignore?: string[];
  rules?: Record<string, SeverityOrOff>;
  namespaces?: Record<string, NamespaceFacts>;
  mesh?: MeshSettings;
  callers?: DeclaredCaller[];
  scope?: ScopeSettings;
  limits?: Partial<LoadLimits>;
  /** Observed traffic files (Prometheus or Kiali answers), relative to the config file. */
  traffic?: string[];
  /** A Prometheus with Istio's metrics, queried over trafficWindow. */
  prometheus?: string;
  /** Prometheus duration (default 7d). */
  trafficWindow?: string;
  meshes?: Record<string, MeshSpec>;
}

/** Everything a run needs, after CLI flags, action inputs and the config file are merged. */
export interface ResolvedOptions {
  cwd: string;
  paths: string[];
  namespace: string;
  istioVersion: IstioVersion;
  failOn: FailOn;
  config: Config;
  /** Where the config came from (for messages), if any. */
  configFile?: string;
  limits: LoadLimits;
  showSuppressed: boolean;
  /** Where observed traffic comes from (--traffic, --prometheus, config `traffic:`/`prometheus:`), when given. */
  trafficSources?: TrafficSources;
  /** Calls the mesh observed, once read from trafficSources (load/observed.ts). */
  traffic?: ObservedTraffic;
}
