// Who calls whom: declared (config, annotation) and inferred (env, args, ConfigMaps, AuthorizationPolicy sources).
import type { Resource } from '../load/index.js';
import type { MeshModel, Service, Workload } from '../mesh/model.js';
import { arr, get, obj, portNumber, selectorMatches, str, stringMap } from '../mesh/util.js';
import type { ResolvedOptions } from '../options.js';
import type { FieldPath } from '../types.js';
import type { ClientTlsResult } from '../mesh/model.js';
import type { CallerEvidence, ClientNode } from './graph.js';
import { resolveCallHost, type CallTarget } from './pod-hosts.js';

const CALLS_ANNOTATION = 'mtls-lint.io/calls';

export interface Call {
  /** The concrete client, or a named client the inputs do not contain (config callers). */
  client: Workload | { namespace: string; name: string };
  service: Service;
  /** Service ports called; undefined = every port of the service. */
  ports: number[] | undefined;
  evidence: CallerEvidence;
  /** A stand-in client, used as is: a caller inferred from a resource (gateway, ingress controller, outside
   * clients), or observed traffic from sources without a sidecar. */
  node?: ClientNode;
  /** The route's subset (VirtualService destination.subset): the DestinationRule's subset tls applies. */
  subset?: string;
  /** What the client sends where the mesh model's answer does not hold (a proxy the traffic bypasses). */
  sends?: ClientTlsResult;
  /**
   * A port the service does not declare, called on a pod's own address (a headless Service's name or a per-pod name):
   * the client sidecar has no cluster for it (graph/passthrough-edges.ts). `ports` is then empty.
   */
  undeclaredPort?: number;
  /** A per-pod name of a headless Service (kafka-0.kafka-headless): only these workloads' pods are called. */
  podWorkloads?: Workload[];
  /** The call names a pod's IP address (from Endpoints or an EndpointSlice). */
  podAddress?: string;
}

/** Host-like tokens, with an optional scheme and port: http://httpbin.foo:8000/ip, reviews.bookinfo.svc:9080. */
const HOST_TOKEN =
  /(?:([a-z][a-z0-9+.-]*):\/\/)?([a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*)(?::(\d{1,5}))?/gi;

export interface HostReference {
  host: string;
  port?: number;
  scheme?: string;
}

/**
 * Service references in a free-form string. A bare single-label word only counts with a scheme or a port, or when it
 * is the whole value — otherwise every "info" or "true" would be a call. `wholeWord: false` (command and args) drops
 * that last case: `command: ["curl"]` names a program, not a host.
 */
function hostReferences(text: string, wholeWord = true): HostReference[] {
  const out: HostReference[] = [];
  if (text.length > 64 * 1024) text = text.slice(0, 64 * 1024); // a certificate or a script: bounded work
  // Lower-cased once: per match it made a large ConfigMap value quadratic (a 240 KB grafana.yaml took 10 s).
  const whole = wholeWord ? text.trim().toLowerCase() : undefined;
  for (const m of text.matchAll(HOST_TOKEN)) {
    const scheme = m[1]?.toLowerCase();
    const host = m[2]!.toLowerCase();
    const port = m[3] ? portNumber(m[3]) : undefined;
    if (!host.includes('.') && !scheme && port === undefined && whole !== host) continue;
    // Version numbers are no hosts; an IPv4 address is, when it is written as one (a scheme or a port, or the value).
    if (/^\d+(\.\d+)*$/.test(host) && !(isIpv4(host) && (scheme || port !== undefined || whole === host)))
      continue;
    const ref: HostReference = { host };
    if (port !== undefined) ref.port = port;
    if (scheme) ref.scheme = scheme;
    out.push(ref);
  }
  return out;
}

/** The service ports a reference calls, and the port it calls that the service does not declare, if any. */
function callPorts(
  target: CallTarget,
  ref: HostReference,
): Pick<Call, 'ports' | 'undeclaredPort' | 'podWorkloads'> {
  const ports = portsFor(target.service, ref);
  const pods = target.podWorkloads ? { podWorkloads: target.podWorkloads } : {};
  // Only a pod's own address takes a port no Service declares: through a ClusterIP, kube-proxy has no rule for it.
  if (ports?.length === 0 && ref.port !== undefined && (target.pod || target.service.headless))
    return { ports, undeclaredPort: ref.port, ...pods };
  return { ports, ...pods };
}

function portsFor(service: Service, ref: HostReference): number[] | undefined {
  if (ref.port !== undefined) return service.ports.some((p) => p.port === ref.port) ? [ref.port] : [];
  const byScheme =
    ref.scheme === 'https' ? 443 : ref.scheme === 'http' || ref.scheme === 'ws' ? 80 : undefined;
  if (byScheme !== undefined && service.ports.some((p) => p.port === byScheme)) return [byScheme];
  return service.ports.length === 1 ? [service.ports[0]!.port] : undefined;
}

/** Parse `to` of a declared caller: "svc", "svc.ns", "svc.ns:8000", "svc.ns.svc.cluster.local:8000". */
export function parseTarget(to: string): HostReference | undefined {
  const m = /^\s*(?:[a-z][a-z0-9+.-]*:\/\/)?([a-z0-9.-]+)(?::(\d{1,5}))?\s*$/i.exec(to);
  if (!m) return undefined;
  const ref: HostReference = { host: m[1]!.toLowerCase() };
  const port = m[2] ? portNumber(m[2]) : undefined;
  if (port !== undefined) ref.port = port;
  return ref;
}

export function declaredCalls(mesh: MeshModel, options: ResolvedOptions, unresolved: string[]): Call[] {
  const calls: Call[] = [];
  const byName = new Map<string, Workload[]>();
  if (options.config.callers?.length)
    for (const w of mesh.workloads) {
      const list = byName.get(`${w.namespace}/${w.name}`);
      if (list) list.push(w);
      else byName.set(`${w.namespace}/${w.name}`, [w]);
    }
  (options.config.callers ?? []).forEach((c, i) => {
    const from = c.from.includes('/') ? c.from : `${options.namespace}/${c.from}`;
    const [ns, name] = from.split('/', 2) as [string, string];
    // A name shared by several workloads (a Deployment and a StatefulSet) names all of them.
    const clients = byName.get(from) ?? [{ namespace: ns, name }];
    const ref = parseTarget(c.to);
    const target = ref ? resolveCallHost(mesh, ref.host, ns) : undefined;
    if (!ref || !target) {
      unresolved.push(`config callers[${i}]: ${c.to} is not a Service in the inputs`);
      return;
    }
    for (const client of clients) {
      calls.push({
        client,
        service: target.service,
        ...callPorts(target, ref),
        evidence: { kind: 'declared', description: `config callers[${i}] (${c.from} → ${c.to})` },
      });
    }
  });
  for (const w of mesh.workloads) {
    for (const [path, annotations] of annotationSources(w)) {
      const value = annotations[CALLS_ANNOTATION];
      if (!value) continue;
      for (const part of value.split(/[,\s]+/).filter(Boolean)) {
        const ref = parseTarget(part);
        const target = ref ? resolveCallHost(mesh, ref.host, w.namespace) : undefined;
        if (!ref || !target) {
          unresolved.push(
            `${w.kind} ${w.namespace}/${w.name} ${CALLS_ANNOTATION}: ${part} is not a Service in the inputs`,
          );
          continue;
        }
        calls.push({
          client: w,
          service: target.service,
          ...callPorts(target, ref),
          evidence: {
            kind: 'declared',
            description: `annotation ${CALLS_ANNOTATION}: ${part}`,
            resource: w.resource,
            path: [...path, CALLS_ANNOTATION],
          },
        });
      }
    }
  }
  return calls;
}

function annotationSources(w: Workload): [FieldPath, Record<string, string>][] {
  const raw = obj(get(w.resource.value, 'metadata', 'annotations'));
  // Most workloads have no calls annotation on their own metadata: read all of it (stringMap) only if it is there.
  const top = raw && CALLS_ANNOTATION in raw ? stringMap(raw) : {};
  const out: [FieldPath, Record<string, string>][] = [[['metadata', 'annotations'], top]];
  if (w.podPath.length) out.push([[...w.podPath, 'metadata', 'annotations'], w.annotations]);
  return out;
}

/** Calls named by URLs in workloads' env, command, args and the ConfigMaps they read. */
export function workloadCalls(
  mesh: MeshModel,
  resources: Resource[],
  endpoints: Resource[] = [],
  unresolved: string[] = [],
): Call[] {
  const calls: Call[] = [];
  const addresses = addressIndex(mesh, endpoints);
  const notes = new Set<string>();
  // ConfigMaps by namespace, then name (the last of a name wins); nested maps, so lookups build no key strings.
  const configMapsByNamespace = new Map<string, Map<string, Resource>>();
  for (const r of resources)
    if (r.kind === 'ConfigMap' && r.group === '' && r.namespace !== undefined) {
      let byName = configMapsByNamespace.get(r.namespace);
      if (!byName) configMapsByNamespace.set(r.namespace, (byName = new Map()));
      byName.set(r.name, r);
    }
  // Calls already made: client resource id → service resource id → ports as referenced (undefined: no port).
  const seen = new Map<string, Map<string, (number | undefined)[]>>();
  // The same values recur across workloads (shared ConfigMaps, "info", templated URLs): scan each text once, and
  // resolve each host once per namespace.
  const referencesIn = new Map<string, HostReference[]>();
  const referencesInCommand = new Map<string, HostReference[]>();
  // Hosts resolved per namespace, with the service's id (read once per service and namespace, not per reference).
  const servicesByNamespace = new Map<string, Map<string, (CallTarget & { id: string }) | undefined>>();
  // The workload being scanned (set at the top of the loop below), its namespace's resolved hosts and its calls.
  let client: Workload;
  let hostsHere: Map<string, (CallTarget & { id: string }) | undefined>;
  let seenHere: Map<string, (number | undefined)[]>;
  const add = (text: string, evidence: (ref: HostReference) => CallerEvidence, wholeWord = true) => {
    const cache = wholeWord ? referencesIn : referencesInCommand;
    let refs = cache.get(text);
    if (!refs) cache.set(text, (refs = hostReferences(text, wholeWord)));
    for (const ref of refs) {
      if (isIpv4(ref.host)) {
        const call = ipCall(addresses, client, ref);
        // Loopback, unspecified and link-local addresses are listen addresses or node-local agents, not mesh calls.
        if (call === 'unknown') {
          if (/^(?:127\.|0\.|169\.254\.)/.test(ref.host)) continue;
          const note = `${client.kind} ${client.namespace}/${client.name} calls ${ref.host}${ref.port !== undefined ? `:${ref.port}` : ''}, which is no Service clusterIP and no pod address of an Endpoints or EndpointSlice in the inputs: mtls-lint assumes it is outside the mesh and checks nothing about it`;
          if (!notes.has(note)) {
            notes.add(note);
            unresolved.push(note);
          }
        } else if (call) {
          const key = `${call.service.resource.id}\0ip`;
          let seenPorts = seenHere.get(key);
          if (!seenPorts) seenHere.set(key, (seenPorts = []));
          if (!seenPorts.includes(ref.port)) {
            seenPorts.push(ref.port);
            calls.push({ client, ...call, evidence: evidence(ref) });
          }
        }
        continue;
      }
      let target = hostsHere.get(ref.host);
      if (target === undefined && !hostsHere.has(ref.host)) {
        const found = resolveCallHost(mesh, ref.host, client.namespace);
        hostsHere.set(ref.host, (target = found && { ...found, id: found.service.resource.id }));
      }
      if (!target) continue;
      const service = target.service;
      if (service.workloads.includes(client)) continue;
      let seenPorts = seenHere.get(target.id);
      if (!seenPorts) seenHere.set(target.id, (seenPorts = []));
      if (seenPorts.includes(ref.port)) continue;
      seenPorts.push(ref.port);
      calls.push({ client, service, ...callPorts(target, ref), evidence: evidence(ref) });
    }
  };
  const addressBooks = sharedAddressBooks(mesh, configMapsByNamespace);
  for (const w of mesh.workloads) {
    client = w;
    let hosts = servicesByNamespace.get(w.namespace);
    if (!hosts) servicesByNamespace.set(w.namespace, (hosts = new Map()));
    hostsHere = hosts;
    let calledByClient = seen.get(w.resource.id);
    if (!calledByClient) seen.set(w.resource.id, (calledByClient = new Map()));
    seenHere = calledByClient;
    const configMaps = configMapsByNamespace.get(w.namespace);
    const spec = obj(get(w.resource.value, ...w.podPath, 'spec')) ?? {};
    const base: FieldPath = [...w.podPath, 'spec'];
    for (const [listName, list] of [
      ['containers', spec.containers],
      ['initContainers', spec.initContainers],
    ] as const) {
      arr(list).forEach((c, ci) => {
        const co = obj(c);
        if (!co) return;
        const cpath: FieldPath = [...base, listName, ci];
        arr(co.env).forEach((e, ei) => {
          const eo = obj(e);
          const value = str(eo?.value);
          const name = str(eo?.name) ?? '?';
          if (value)
            add(value, () => ({
              kind: 'inferred',
              description: `env ${name}`,
              resource: w.resource,
              path: [...cpath, 'env', ei, 'value'],
            }));
          const cmRef = obj(get(eo, 'valueFrom', 'configMapKeyRef'));
          const cmName = str(cmRef?.name);
          const cmKey = str(cmRef?.key);
          const cm = cmName ? configMaps?.get(cmName) : undefined;
          const cmValue = cm && cmKey ? str(get(cm.value, 'data', cmKey)) : undefined;
          if (cm && cmKey && cmValue)
            add(cmValue, () => ({
              kind: 'inferred',
              description: `ConfigMap ${cm.name} key ${cmKey} (env ${name})`,
              resource: cm,
              path: ['data', cmKey],
            }));
        });
        for (const field of ['command', 'args'] as const) {
          arr(co[field]).forEach((a, ai) => {
            const text = str(a);
            if (text)
              add(
                text,
                () => ({
                  kind: 'inferred',
                  description: `${field}`,
                  resource: w.resource,
                  path: [...cpath, field, ai],
                }),
                false,
              );
          });
        }
        for (const ef of arr(co.envFrom)) scanConfigMap(str(get(ef, 'configMapRef', 'name')));
      });
    }
    for (const vol of arr(spec.volumes)) scanConfigMap(str(get(vol, 'configMap', 'name')));

    function scanConfigMap(name: string | undefined) {
      const cm = name ? configMaps?.get(name) : undefined;
      if (!cm || addressBooks.has(cm)) return;
      for (const [key, value] of Object.entries(obj(cm.value.data) ?? {})) {
        if (typeof value === 'string')
          add(value, () => ({
            kind: 'inferred',
            description: `ConfigMap ${cm.name} key ${key}`,
            resource: cm,
            path: ['data', key],
          }));
      }
    }
  }
  return calls;
}

/** The ConfigMaps a workload reads whole: envFrom and volumes (a key read by name is configMapKeyRef). */
function wholeConfigMapNames(w: Workload): string[] {
  const spec = obj(get(w.resource.value, ...w.podPath, 'spec')) ?? {};
  const names: (string | undefined)[] = [];
  for (const c of [...arr(spec.containers), ...arr(spec.initContainers)])
    for (const ef of arr(obj(c)?.envFrom)) names.push(str(get(ef, 'configMapRef', 'name')));
  for (const vol of arr(spec.volumes)) names.push(str(get(vol, 'configMap', 'name')));
  return names.filter((n): n is string => n !== undefined);
}

/**
 * ConfigMaps read whole by several workloads that name several services: a shared address book (Bank of Anthos'
 * service-api-config gives every service every other's address). That a workload reads one does not say which of
 * those services it calls, so it is no evidence of a call; its readers stay possible callers. A single address
 * shared by several workloads (a database host) still is.
 */
function sharedAddressBooks(
  mesh: MeshModel,
  configMapsByNamespace: Map<string, Map<string, Resource>>,
): Set<Resource> {
  const readers = new Map<Resource, number>();
  for (const w of mesh.workloads) {
    const configMaps = configMapsByNamespace.get(w.namespace);
    for (const name of new Set(wholeConfigMapNames(w))) {
      const cm = configMaps?.get(name);
      if (cm) readers.set(cm, (readers.get(cm) ?? 0) + 1);
    }
  }
  const books = new Set<Resource>();
  for (const [cm, count] of readers) {
    if (count < 2) continue;
    const named = new Set<Service>();
    for (const value of Object.values(obj(cm.value.data) ?? {}))
      if (typeof value === 'string')
        for (const ref of hostReferences(value)) {
          const service = mesh.serviceByHost(ref.host, cm.namespace!);
          if (service) named.add(service);
        }
    if (named.size >= 2) books.add(cm);
  }
  return books;
}

/** ALLOW sources name the callers a server expects: principals cluster.local/ns/X/sa/Y and namespaces. */
export function authorizationPolicyCalls(mesh: MeshModel, resources: Resource[]): Call[] {
  const calls: Call[] = [];
  const byNamespace = new Map<string, Workload[]>();
  for (const w of mesh.workloads) {
    const list = byNamespace.get(w.namespace) ?? [];
    list.push(w);
    byNamespace.set(w.namespace, list);
  }
  // The services over each workload, and each service's place in mesh.services: a policy's services are then found
  // from its own workloads instead of by scanning every service for every policy.
  const servicesOf = new Map<Workload, Service[]>();
  const serviceOrder = new Map<Service, number>();
  mesh.services.forEach((s, i) => {
    serviceOrder.set(s, i);
    for (const w of s.workloads) {
      const list = servicesOf.get(w);
      if (list) list.push(s);
      else servicesOf.set(w, [s]);
    }
  });
  for (const ap of resources) {
    if (ap.kind !== 'AuthorizationPolicy' || ap.group !== 'security.istio.io' || ap.namespace === undefined)
      continue;
    const action = str(get(ap.value, 'spec', 'action')) ?? 'ALLOW';
    if (action !== 'ALLOW') continue;
    const selector = stringMap(get(ap.value, 'spec', 'selector', 'matchLabels'));
    const isRoot = ap.namespace === mesh.settings.rootNamespace;
    const servers = isRoot
      ? mesh.workloads.filter((w) => selectorMatches(selector, w.labels))
      : (byNamespace.get(ap.namespace) ?? []).filter((w) => selectorMatches(selector, w.labels));
    const selected = new Set<Service>();
    for (const w of servers) for (const s of servicesOf.get(w) ?? []) selected.add(s);
    const services = [...selected].sort((a, b) => serviceOrder.get(a)! - serviceOrder.get(b)!);
    if (!services.length) continue;
    arr(get(ap.value, 'spec', 'rules')).forEach((rule, ri) => {
      arr(obj(rule)?.from).forEach((from, fi) => {
        const source = obj(obj(from)?.source) ?? {};
        const srcPath: FieldPath = ['spec', 'rules', ri, 'from', fi, 'source'];
        const clients: [Workload, FieldPath, string][] = [];
        arr(source.principals).forEach((p, pi) => {
          const m = /^(?:[^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(str(p) ?? '');
          if (!m || m[1]!.includes('*') || m[2]!.includes('*')) return;
          for (const w of byNamespace.get(m[1]!) ?? [])
            if (w.serviceAccount === m[2])
              clients.push([w, [...srcPath, 'principals', pi], `principal ${p}`]);
        });
        arr(source.namespaces).forEach((n, ni) => {
          const ns = str(n);
          if (!ns || ns.includes('*')) return;
          for (const w of byNamespace.get(ns) ?? [])
            clients.push([w, [...srcPath, 'namespaces', ni], `namespace ${ns}`]);
        });
        for (const [client, path, what] of clients) {
          for (const service of services) {
            if (service.workloads.includes(client)) continue;
            calls.push({
              client,
              service,
              ports: undefined,
              evidence: {
                kind: 'inferred',
                description: `AuthorizationPolicy ${ap.namespace}/${ap.name} allows ${what}`,
                resource: ap,
                path,
              },
            });
          }
        }
      });
    });
  }
  return calls;
}

function isIpv4(host: string): boolean {
  const parts = host.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** Addresses the inputs pin: Services' explicit clusterIPs, and pod addresses of Endpoints and EndpointSlices. */
interface AddressIndex {
  clusterIps: Map<string, Service>;
  pods: Map<string, { service: Service; workloads: Workload[] }>;
}

function addressIndex(mesh: MeshModel, endpoints: Resource[]): AddressIndex {
  const clusterIps = new Map<string, Service>();
  const byName = new Map<string, Service>();
  for (const s of mesh.services) {
    if (s.external) continue;
    byName.set(`${s.namespace}/${s.name}`, s);
    const spec = get(s.resource.value, 'spec');
    for (const ip of [str(get(spec, 'clusterIP')), ...arr(get(spec, 'clusterIPs')).map(str)])
      if (ip && isIpv4(ip) && !clusterIps.has(ip)) clusterIps.set(ip, s);
  }
  const pods = new Map<string, { service: Service; workloads: Workload[] }>();
  const add = (service: Service | undefined, ip: unknown, targetRef: unknown) => {
    const address = str(ip);
    const ref = obj(targetRef);
    // An address without a targetRef to a pod: which workload answers it is not in the inputs.
    if (!service || !address || !isIpv4(address) || pods.has(address) || str(ref?.kind) !== 'Pod') return;
    const pod = str(ref?.name);
    const workloads = pod ? service.workloads.filter((w) => runsPod(w, pod)) : [];
    if (workloads.length) pods.set(address, { service, workloads });
  };
  for (const r of endpoints) {
    if (r.namespace === undefined) continue;
    if (r.kind === 'Endpoints' && r.group === '') {
      const service = byName.get(`${r.namespace}/${r.name}`);
      for (const subset of arr(get(r.value, 'subsets')))
        for (const a of [...arr(get(subset, 'addresses')), ...arr(get(subset, 'notReadyAddresses'))])
          add(service, get(a, 'ip'), get(a, 'targetRef'));
    } else if (r.kind === 'EndpointSlice' && r.group === 'discovery.k8s.io') {
      const name = str(get(r.value, 'metadata', 'labels', 'kubernetes.io/service-name'));
      const service = name ? byName.get(`${r.namespace}/${name}`) : undefined;
      for (const e of arr(get(r.value, 'endpoints')))
        for (const ip of arr(get(e, 'addresses'))) add(service, ip, get(e, 'targetRef'));
    }
  }
  return { clusterIps, pods };
}

/**
 * Could `w` run the pod named `pod`? A bare Pod by name, a StatefulSet's ordinal, else the suffixes controllers
 * generate (a Deployment's ReplicaSet hash and a pod suffix; a DaemonSet's, ReplicaSet's or Job's pod suffix; a
 * CronJob's schedule time and both), so that `web-v2-…` is not taken for a pod of `web`.
 */
function runsPod(w: Workload, pod: string): boolean {
  if (w.kind === 'Pod') return w.name === pod;
  if (!pod.startsWith(`${w.name}-`)) return false;
  const rest = pod.slice(w.name.length + 1);
  switch (w.kind) {
    case 'StatefulSet':
      return /^\d+$/.test(rest);
    case 'Deployment':
    case 'DeploymentConfig':
      return /^[a-z0-9]{1,10}-[a-z0-9]{5}$/.test(rest);
    case 'CronJob':
      return /^\d+-[a-z0-9]{5}$/.test(rest);
    default:
      return /^[a-z0-9]{5}$/.test(rest);
  }
}

/**
 * A call to an IP literal: to a Service's clusterIP it is a call to the Service; to a pod address it reaches that pod
 * only, and the client sidecar has no cluster for it (passthrough, as a port no Service declares) unless the Service
 * is headless (a listener per pod address, releases.ts headless-per-pod-host-routes). 'unknown': an address the inputs
 * do not place; undefined: not a call (no port to tell).
 */
function ipCall(
  index: AddressIndex,
  client: Workload,
  ref: HostReference,
):
  Pick<Call, 'service' | 'ports' | 'undeclaredPort' | 'podWorkloads' | 'podAddress'> | 'unknown' | undefined {
  const service = index.clusterIps.get(ref.host);
  if (service) {
    if (service.workloads.includes(client)) return undefined;
    return { service, ports: portsFor(service, ref) };
  }
  const pod = index.pods.get(ref.host);
  if (!pod) return 'unknown';
  if (pod.workloads.includes(client)) return undefined;
  const port =
    ref.port ??
    (ref.scheme === 'https' ? 443 : ref.scheme === 'http' || ref.scheme === 'ws' ? 80 : undefined);
  if (port === undefined) return undefined;
  const declared = pod.service.ports.filter((p) => p.port === port);
  if (pod.service.headless && declared.length)
    return { service: pod.service, ports: [port], podWorkloads: pod.workloads };
  return {
    service: pod.service,
    ports: [],
    undeclaredPort: port,
    podWorkloads: pod.workloads,
    podAddress: ref.host,
  };
}
