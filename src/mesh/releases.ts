// Istio's behaviour per release, in one table: every semantic that changed between releases is an entry here, with
// the release it appeared in (`from`) or the first release without it (`until`), where Istio does it, and the
// sentence of the semantics reference (../shared/research/istio-semantics.md) that dates it. Code asks
// `release.has('…')`; nothing outside this file compares version numbers (test/releases.test.ts enforces both).
import { LATEST_ISTIO_VERSION, parseIstioVersion, type IstioVersion } from './version.js';

export interface Behaviour {
  /** First release with the behaviour. */
  from?: string;
  /** First release without it (it holds in every release before). */
  until?: string;
  /** What the behaviour is, for a reader holding the table against release notes. */
  what: string;
  /** Where Istio does it: source file (function) or documentation page. */
  where: string;
  /** A sentence of istio-semantics.md that dates it (quoted verbatim; the test finds it there). */
  reference?: string;
  /** Why the date differs from the reference, or why the reference does not date it. */
  note?: string;
}

export const BEHAVIOURS = {
  'destination-rule-newest-wins': {
    until: '1.1',
    what: 'one mesh-wide DestinationRule list; for identical host strings the newest rule wins (no per-namespace lookup)',
    where: 'istio@1.0.0:pilot/pkg/model/config.go (istioConfigStore.DestinationRule)',
    reference:
      'History: 1.0 had one mesh-wide list, most specific host wins, and for identical host strings the **newest** DR wins',
  },
  'auto-mtls': {
    from: '1.4',
    what: 'meshConfig.enableAutoMtls exists (clients without DestinationRule tls pick mTLS or plaintext per endpoint)',
    where: 'istio@1.4.0:pilot/pkg/networking/core/v1alpha3/cluster.go (conditionallyConvertToIstioMtls)',
    reference: 'introduced 1.4 (helm `global.mtls.auto: false`; `pkg/config/mesh/mesh.go` false)',
  },
  'auto-mtls-on-by-default': {
    from: '1.5',
    what: 'auto mTLS is on unless the mesh config says otherwise',
    where:
      'istio@1.5.0 helm values.yaml and operator default profile (global.mtls.auto: true); 1.6+ pkg/config/mesh/mesh.go',
    reference:
      '1.5: mesh.go still false, but helm `values.yaml` and operator `default` profile set `auto: true`',
    note: 'dated 1.5, not 1.6 (mesh.go), because 1.5 installs got it from the helm values and the default profile',
  },
  'peer-authentication': {
    from: '1.5',
    what: 'security.istio.io PeerAuthentication is read (v1beta1)',
    where: 'api@1.5.0:security/v1beta1/peer_authentication.proto',
    reference: '`security/v1beta1/peer_authentication.proto` first appears in api@1.5.0',
  },
  'no-policy-plaintext-only': {
    until: '1.5',
    what: 'a sidecar that no authentication Policy covers accepts plaintext only (no TLS filter chain)',
    where: 'istio@1.4.0:pilot/pkg/security/authn/v1alpha1/policy_applier.go (InboundFilterChain returns nil)',
    reference: 'So "no policy" means plaintext-only in 1.0–1.4 but PERMISSIVE in 1.5+.',
  },
  'legacy-authentication-policy': {
    until: '1.6',
    what: 'authentication.istio.io Policy / MeshPolicy are read (in 1.5 only where no PeerAuthentication applies)',
    where:
      'istio@1.5.0:pilot/pkg/security/authn/v1beta1/policy_applier.go (shouldUseAlphaMtlsPolicy); 1.6 factory.go has no alpha applier',
    reference: '1.6 removed alpha handling (`factory.go` has no alpha applier).',
  },
  'injector-ignores-node-lease-namespaces': {
    from: '1.5',
    what: 'the injector also skips kube-node-lease and local-path-storage (1.4: kube-system and kube-public only)',
    where: 'istio pkg/kube/inject/initializer.go (IgnoredNamespaces)',
    reference: '(`initializer.go IgnoredNamespaces`; 1.4: kube-system, kube-public)',
    note: 'the reference dates the short list at 1.4 and the long one at HEAD; mtls-lint switches at 1.5',
  },
  'injection-revisions': {
    from: '1.6',
    what: 'a namespace label istio.io/rev=<revision> (without istio-injection) selects a revision that injects',
    where: 'istio@1.6.0 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml',
    reference: '1.6–1.9 revisions: `istio.io/rev=<rev>` on the namespace with no `istio-injection` label.',
  },
  'destination-rule-export-to-namespaces': {
    from: '1.7',
    what: 'DestinationRule exportTo reads every entry, including namespace names (before: only exportTo[0], "." or "*")',
    where: 'istio@1.7.0:pilot/pkg/model/push_context.go (SetDestinationRules)',
    reference:
      '1.1–1.6 honour only `exportTo[0]` as `.` or `*` (`istio@1.1.0 SetDestinationRules`). 1.7+ accept explicit namespace names.',
  },
  'headless-auto-mtls-to-every-endpoint': {
    until: '1.7',
    what: 'auto mTLS on a headless (ORIGINAL_DST) service sends mTLS to every endpoint, injected or not',
    where: 'istio@1.5.0/1.6.0:pilot/pkg/networking/core/v1alpha3/cluster.go (applyUpstreamTLSSettings)',
    reference:
      '1.5–1.6 the auto-detected ISTIO_MUTUAL socket is left on the whole cluster, i.e. mTLS to every endpoint',
  },
  'headless-auto-mtls-all-or-nothing': {
    from: '1.8',
    what: 'auto mTLS on a headless service: mTLS to all endpoints unless any endpoint lacks tlsMode=istio (1.7: plaintext)',
    where: 'istio@1.8.0:pilot/pkg/networking/core/v1alpha3/cluster.go (buildAutoMtlsSettings)',
    reference:
      '1.8+ all-or-nothing: no endpoints or **any** endpoint with `tlsMode=disabled` → DISABLE (plaintext) for the whole service',
  },
  'port-level-mtls-passthrough-chains': {
    from: '1.9',
    what: 'portLevelMtls also applies to container ports that no Service routes to (a passthrough chain per port)',
    where:
      'istio@1.9.0:pilot/pkg/networking/core/v1alpha3/listener.go (needPerPortPassthroughFilterChain); release note peer-authn-port-level-pass-through-filter.yaml',
    reference:
      '1.9+: extra per-port passthrough chains are generated for portLevelMtls ports not covered by a Service',
  },
  'injection-object-selectors': {
    from: '1.10',
    what: 'the injection webhooks read pod labels: sidecar.istio.io/inject=false opts out, =true or istio.io/rev opts in an unlabelled namespace',
    where: 'istio@1.10.0 manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml',
    reference: '1.10+ (HEAD template `mutatingwebhook.yaml`)',
  },
  'inject-label-wins': {
    from: '1.12',
    what: 'the sidecar.istio.io/inject label wins over the annotation (before: the annotation only)',
    where: 'istio@1.12.0:pkg/kube/inject/inject.go (injectRequired)',
    reference: 'label wins since 1.12; 1.4–1.11 read the annotation only',
  },
  'auto-mtls-honours-workload-disable': {
    from: '1.12',
    what: 'auto mTLS sends plaintext to endpoints whose workload- or port-level PeerAuthentication is DISABLE',
    where:
      'istio@1.12.0:pilot/pkg/xds/endpoint_builder.go (mtlsChecker.computeForEndpoint); release note 34118.yaml',
    reference:
      "1.12–1.18: EDS consults the endpoint's full PA (workload + port level, targetPort) and strips `tlsMode` when the result is DISABLE",
    note: '1.11.0 already builds the mtlsChecker but uses it only to drop cross-network endpoints (ep_filters.go); the tlsMode strip (endpoint_builder.go buildLocalityLbEndpointsFromShards, feature ENABLE_AUTO_MTLS_CHECK_POLICIES) is new in 1.12.0',
  },
  'destination-rule-workload-selector': {
    from: '1.14',
    what: 'DestinationRule workloadSelector: private to its namespace, for matching client proxies only',
    where:
      'api@1.14.0:networking/v1beta1/destination_rule.proto; pilot/pkg/model/sidecar.go (SidecarScope.DestinationRule)',
    reference: '**workloadSelector** (api@1.14.0+)',
  },
  ambient: {
    from: '1.18',
    what: 'ambient enrolment (istio.io/dataplane-mode=ambient on the pod or namespace): traffic goes through ztunnel',
    where:
      'https://istio.io/latest/news/releases/1.18.x/announcing-1.18/ (first release with ambient mode); istio-cni ambient.enablementSelectors',
    note: 'the reference dates ztunnel PeerAuthentication support at 1.19 (§6.4) but not enrolment itself; ambient mode first shipped in 1.18',
  },
  'peer-authentication-v1': {
    from: '1.22',
    what: 'PeerAuthentication is served as security.istio.io/v1 (v1beta1 before)',
    where: 'api@1.22.0:security/v1/peer_authentication.proto',
    reference: '`security/v1/peer_authentication.proto` in api@1.22.0 (absent in 1.21.0)',
  },
  'inject-value-exact-true-false': {
    from: '1.27',
    what: 'sidecar.istio.io/inject values are exactly "true"/"false" (before: y|yes|true|on injects, any other value does not)',
    where: 'istio@1.27.0:pkg/kube/inject/inject.go (injectRequired)',
    reference: '1.27+ (checked 1.27.0, 1.28.0, HEAD): exactly `"true"`/`"false"`',
  },
  'root-namespace-private-destination-rules': {
    from: '1.8',
    what: 'a proxy in the root namespace first uses the root namespace\'s private (exportTo ".") DestinationRules; before, it went straight to the service\'s namespace (its public catch-alls are skipped in every release)',
    where:
      'istio@1.8.0:pilot/pkg/model/push_context.go (DestinationRule: destinationRuleIndex.rootNamespaceLocal); 1.7.0 has no root-namespace branch',
    note: 'the semantics reference does not describe proxies in the root namespace; dated from the source of 1.7.0 and 1.8.0',
  },
  'probe-rewrite-by-default': {
    from: '1.6',
    what: 'the injector rewrites httpGet probes to the agent (port 15020) unless sidecar.istio.io/rewriteAppHTTPProbers: "false" or values.sidecarInjectorWebhook.rewriteAppHTTPProbe: false',
    where:
      'istio@1.6.0:manifests/profiles/default.yaml (values.sidecarInjectorWebhook.rewriteAppHTTPProbe: true); istio@1.5.0:operator/data/profiles/default.yaml and install/kubernetes/helm/istio/charts/sidecarInjectorWebhook/values.yaml (false); pkg/kube/inject/app_probe.go (ShouldRewriteAppHTTPProbers)',
    note: 'not in the semantics reference; the issue guessed 1.7, but the 1.6 istioctl default profile (the supported install of 1.6) already turns it on, while 1.4/1.5 helm and 1.5 operator profiles say false',
  },
  'grpc-probe-rewrite': {
    from: '1.13',
    what: 'the probe rewrite also covers grpc probes (the agent checks gRPC health for the kubelet)',
    where: 'istio@1.13.0:pkg/kube/inject/app_probe.go (convertAppProberGRPC; absent in 1.12.0)',
    note: 'not in the semantics reference; read from app_probe.go at 1.12.0 (httpGet only) and 1.13.0',
  },
  'prometheus-merge-by-default': {
    from: '1.7',
    what: 'metrics merging: the injector points prometheus.io/* annotations at the agent (15020, /stats/prometheus) unless prometheus.istio.io/merge-metrics: "false" or meshConfig.enablePrometheusMerge: false',
    where:
      'istio@1.7.0:manifests/profiles/default.yaml (meshConfig.enablePrometheusMerge: true; 1.6.0: false); pkg/kube/inject/webhook.go (enablePrometheusMerge)',
    note: 'not in the semantics reference; 1.6 has the setting (webhook.go defaults to true) but its default profile sets it false, which is what installs got',
  },
  'destination-rule-merge-first-traffic-policy': {
    from: '1.1',
    what: "DestinationRules for one host in one namespace are merged: the oldest top-level trafficPolicy that exists applies (a subsets-only rule does not hide a newer rule's tls)",
    where:
      'istio@1.22.0:pilot/pkg/model/destination_rule.go (mergeDestinationRule: "mergedRule.TrafficPolicy == nil && rule.TrafficPolicy != nil"); istio@1.1.0 same file (combineSingleDestinationRule)',
    reference:
      '1.1–1.4 `combineSingleDestinationRule`: only DRs with the **same resolved host string in the same namespace** are merged',
  },
  'sidecar-skips-credential-name-tls': {
    from: '1.7',
    what: 'DestinationRule tls SIMPLE/MUTUAL with a credentialName and no workloadSelector: sidecars originate no TLS at all (plaintext); with a workloadSelector (1.14+) they use the credential',
    where:
      'istio@1.7.0:pilot/pkg/networking/core/v1alpha3/cluster.go (buildUpstreamClusterTLSContext); istio@1.14.0 cluster_builder.go adds "&& !opts.isDrWithSelector"; istio@1.22.0:pilot/pkg/networking/core/cluster_tls.go (buildUpstreamClusterTLSContext)',
    note: 'the reference mentions credentialName only for analyzer checks (§8); checked in the source: absent in 1.6.0, present from 1.7.0',
  },
  'passthrough-lb-auto-mtls-all-or-nothing': {
    from: '1.10',
    what: 'auto mTLS for a DestinationRule with loadBalancer.simple PASSTHROUGH (an ORIGINAL_DST cluster) is all-or-nothing over the endpoints; before, mTLS to every endpoint',
    where:
      'istio@1.10.0:pilot/pkg/model/push_context.go (BestEffortInferServiceMTLSMode reads tp.GetLoadBalancer().GetSimple()); istio@1.9.0:pilot/pkg/networking/core/v1alpha3/cluster.go (applyUpstreamTLSSettings skips the per-endpoint match for ORIGINAL_DST)',
    reference: '1.10+ the same rule also for DR `loadBalancer.simple: PASSTHROUGH`.',
  },
  'endpoint-check-non-istio-tls-disables': {
    from: '1.20',
    what: 'the per-endpoint auto mTLS check treats any DestinationRule tls mode other than ISTIO_MUTUAL (it reads the top-level one under a port entry without tls) as "mTLS off" (1.12–1.19: SIMPLE/MUTUAL fell through to the endpoint\'s own checks)',
    where:
      'istio@1.20.0:pilot/pkg/xds/endpoints/mtls_checker.go (checkMtlsEnabled: "return *drMode == ISTIO_MUTUAL"); istio@1.19.0:pilot/pkg/xds/mtls_checker.go (switch on DISABLE/ISTIO_MUTUAL only)',
    note: 'the reference (§4.4) says only that an explicit DR tls short-circuits the check; the 1.20 change is read from the source',
  },
  'outbound-passthrough-cluster': {
    from: '1.1',
    what: 'traffic a client sidecar has no cluster for (a host outside its Sidecar egress, a pod IP or a port no Service declares) goes out through the PassthroughCluster in plaintext under outboundTrafficPolicy ALLOW_ANY (the default), to the BlackHoleCluster under REGISTRY_ONLY; 1.0 has neither the policy nor the PassthroughCluster (such traffic is dropped)',
    where:
      'istio@1.1.0:pilot/pkg/model/context.go (DefaultMeshConfig OutboundTrafficPolicy ALLOW_ANY), pilot/pkg/networking/util/util.go (PassthroughCluster); istio@1.22.0:pilot/pkg/networking/core/listener_builder.go (buildOutboundCatchAllNetworkFiltersOnly: TCP proxy to PassthroughCluster or BlackHoleCluster), httproute.go (buildCatchAllVirtualHost: PassthroughCluster, or a direct response 502)',
    note: 'the semantics reference leaves calls through the PassthroughCluster open (§9 item 7); read from the source of 1.0.0, 1.1.0 and 1.22.0',
  },
  'sidecar-outbound-traffic-policy': {
    from: '1.3',
    what: "a Sidecar resource's outboundTrafficPolicy overrides the mesh config's for the proxies it configures (an outboundTrafficPolicy without mode is REGISTRY_ONLY, the enum's zero value)",
    where:
      'istio@1.3.0:pilot/pkg/model/sidecar.go (ConvertToSidecarScope: r.OutboundTrafficPolicy, else the mesh config); istio@1.22.0 same file (convertToSidecarScope); util.go IsAllowAnyOutbound',
    note: 'not in the semantics reference; SidecarScope has no OutboundTrafficPolicy in 1.1.0 and 1.2.0',
  },
  'headless-per-pod-host-routes': {
    from: '1.3',
    what: 'a client sidecar routes per-pod names of a headless Service (kafka-0.kafka-headless…) like the service: HTTP routes carry "*." domains, TCP ports get a listener per pod IP, both to the service\'s ORIGINAL_DST cluster (with auto mTLS); before, an HTTP request by pod name matched no route and went out through the PassthroughCluster in plaintext',
    where:
      'istio@1.3.0:pilot/pkg/networking/core/v1alpha3/httproute.go (generateVirtualHostDomains: wildcardDomainPrefix for Resolution Passthrough), listener.go (buildSidecarOutboundListenerForPortOrUDS: a listener per instance for headless TCP ports, PILOT_ENABLE_HEADLESS_SERVICE_POD_LISTENERS on by default); istio@1.22.0:pilot/pkg/networking/core/httproute.go, listener.go (buildSidecarOutboundListeners)',
    note: 'not in the semantics reference; both are absent in 1.2.0 and present from 1.3.0 to 1.30.0',
  },
  'inbound-passthrough-enforces-peer-authentication': {
    from: '1.5',
    what: "a sidecar enforces the workload's PeerAuthentication (STRICT: mTLS only) on ports no Service declares, through the inbound passthrough chains (port-level settings there only from 1.9); before, those chains were a plain TCP proxy that let plaintext through",
    where:
      'istio@1.5.0:pilot/pkg/networking/plugin/authn/authentication.go (OnInboundPassthroughFilterChains: the policy applier with port 0); istio@1.4.0:pilot/pkg/networking/core/v1alpha3/listener_builder.go (newInboundPassthroughFilterChains: tcp_proxy only); istio@1.22.0:pilot/pkg/networking/core/listener_inbound.go (buildInboundPassthroughChains)',
    reference:
      '2.6 Ports not in any Service (1.0–1.4): there is no alpha policy for them (policies are per service);',
  },
  'service-entry-workload-selector': {
    from: '1.6',
    what: 'a ServiceEntry workloadSelector selects pods and WorkloadEntries of its namespace as its endpoints (the field and the WorkloadEntry kind are new in 1.6; before, such an entry has no endpoints of its own)',
    where:
      'istio@1.6.0:pilot/pkg/serviceregistry/external/servicediscovery.go (workloadLabels.IsSupersetOf(se.entry.WorkloadSelector.Labels)); istio@1.22.0:pilot/pkg/serviceregistry/serviceentry/conversion.go (convertServices: LabelSelectors)',
    note: 'the reference does not cover ServiceEntries; dated from the source (api@1.6.0 adds ServiceEntry.workload_selector and WorkloadEntry)',
  },
  'service-entry-endpoint-service-account-tls-mode': {
    from: '1.7',
    what: 'an inline ServiceEntry endpoint without a security.istio.io/tlsMode label but with a serviceAccount gets tlsMode istio (auto mTLS sends it mTLS); 1.6 read only the label for inline endpoints (WorkloadEntry resources had the serviceAccount fallback from their start)',
    where:
      'istio@1.7.0:pilot/pkg/serviceregistry/serviceentry/conversion.go (convertEndpoint → getTLSModeFromWorkloadEntry); istio@1.6.0:pilot/pkg/serviceregistry/external/conversion.go (convertServiceEntryToInstances: GetTLSModeFromEndpointLabels for endpoints)',
    note: 'the reference does not cover ServiceEntries; dated from the source',
  },
  'virtual-service-export-to-namespaces': {
    from: '1.6',
    what: 'VirtualService exportTo reads every entry: "*" public, "~" hidden, "." and namespace names (before: only exportTo[0], "." private and anything else public)',
    where:
      'istio@1.6.0:pilot/pkg/model/push_context.go (initVirtualServices: exportToMap, visibility.None); istio@1.5.0 (initVirtualServices: "we currently only process the first element")',
    note: 'the reference does not cover VirtualService exportTo; dated from the source of 1.5.0 and 1.6.0',
  },
  'subset-endpoint-check-reads-cluster-subset': {
    from: '1.19',
    what: "the per-endpoint auto mTLS check reads the cluster's own subset policy (none for the service's default cluster); 1.12–1.18 it read, for every cluster of the host, the tls of the first subset whose labels the endpoint has, else the rule's top-level tls — so a subset's DISABLE or ISTIO_MUTUAL reached unrouted traffic to its pods",
    where:
      'istio@1.19.0:pilot/pkg/xds/mtls_checker.go (tlsModeForDestinationRule(dr, subset, port)); istio@1.18.0:pilot/pkg/xds/mtls_checker.go (tlsModeForDestinationRule(ep): subsets by endpoint labels, rootPolicyMode)',
    note: 'the reference does not cover subset clusters; dated from the source of 1.18.0 and 1.19.0',
  },
  'service-entry-export-to': {
    from: '1.1',
    what: 'ServiceEntry exportTo is read: a sidecar outside the namespaces an entry is exported to has no cluster for its hosts (its calls take the passthrough or blackhole cluster); 1.0 has no exportTo',
    where:
      'istio@1.1.0:pilot/pkg/serviceregistry/external/conversion.go (convertServices: Attributes.ExportTo), pilot/pkg/model/push_context.go (initServiceRegistry: privateServicesByNamespace / publicServices)',
    note: 'the reference does not cover ServiceEntry exportTo; dated from the source (1.0.0 has no exportTo field)',
  },
  'service-entry-export-to-namespaces': {
    from: '1.7',
    what: 'ServiceEntry exportTo reads every entry: "*" public, "~" hidden, "." or the own namespace private, other names export to those namespaces (1.1–1.6: "." anywhere makes it private, anything else public)',
    where:
      'istio@1.7.0:pilot/pkg/model/push_context.go (initServiceRegistry: visibility.None, servicesExportedToNamespace); istio@1.6.0:pilot/pkg/model/push_context.go (initServiceRegistry: ExportTo[visibility.Private] else publicServices)',
    note: 'the reference does not cover ServiceEntry exportTo; dated from the source of 1.6.0 and 1.7.0',
  },
  'k8s-service-selects-workload-entries': {
    from: '1.7',
    what: 'a Kubernetes Service whose selector matches a WorkloadEntry of its namespace has it as an endpoint, with its own tlsMode (PILOT_ENABLE_K8S_SELECT_WORKLOAD_ENTRIES, on by default); not for headless Services',
    where:
      'istio@1.7.0:pilot/pkg/bootstrap/servicecontroller.go (EnableK8SServiceSelectWorkloadEntries → kubeRegistry.WorkloadInstanceHandler), pilot/pkg/serviceregistry/kube/controller/controller.go (WorkloadInstanceHandler: Resolution ClientSideLB only); istio@1.22.0:pilot/pkg/serviceregistry/kube/controller/controller.go (serviceInstancesFromWorkloadInstances)',
    note: 'the reference does not cover WorkloadEntries; the feature flag first appears in 1.7.0 (pilot/pkg/features/pilot.go, default true) and is still on in 1.30.0',
  },
  'virtual-service-default-export-to': {
    from: '1.1',
    what: 'a VirtualService without exportTo takes meshConfig.defaultVirtualServiceExportTo: "." private to its namespace, else "*" public, else (only "~" or namespace names) visible to no sidecar',
    where:
      'istio@1.1.0:pilot/pkg/model/push_context.go (initDefaultExportMaps, initVirtualServices: defaultVirtualServiceExportTo[Private] / [Public]); istio@1.22.0:pilot/pkg/model/push_context.go (initVirtualServices: exportToDefaults.virtualService)',
    note: 'the reference does not cover VirtualService exportTo; dated from the source (1.0.0 has no exportTo)',
  },
  'sidecar-imports-virtual-services': {
    from: '1.1',
    what: "a client's Sidecar egress hosts import a VirtualService only if an entry's namespace is the VirtualService's own (\".\" the client's, also in a root-namespace Sidecar; \"*\" any) and its dnsName matches one of the VirtualService's hosts; a VirtualService not imported does not route that client (the destinations of imported ones get clusters even outside egress)",
    where:
      'istio@1.1.0:pilot/pkg/model/sidecar.go (selectVirtualServices: listenerHosts[configNamespace], listenerHosts["*"]); istio@1.22.0:pilot/pkg/model/virtualservice.go (SelectVirtualServices), sidecar.go (hostClassification.VSMatches, collectImportedServices: "Infer more possible destinations from virtual services"; convertIstioListenerToWrapper: "." → configNamespace, which push_context.go getSidecarScope passes as the proxy\'s namespace for the root Sidecar)',
    note: 'the reference does not cover Sidecar imports of VirtualServices; dated from the source (Sidecar appears in 1.1)',
  },
  'sidecar-ingress-replaces-service-inbound-chains': {
    from: '1.1',
    what: 'a Sidecar with ingress listeners gives the workload inbound chains for those ports only: a Service port it does not list falls to the inbound passthrough chains (PeerAuthentication with port 0 from 1.5, port-level only from 1.9; a plain TCP proxy before 1.5), and a listed port no Service declares gets its own chain (port-level settings apply); PILOT_ALLOW_SIDECAR_SERVICE_INBOUND_LISTENER_MERGE (default false) is assumed off',
    where:
      'istio@1.1.0:pilot/pkg/networking/core/v1alpha3/listener.go (buildSidecarInboundListeners: HasCustomIngressListeners, only rule.Ingress); istio@1.22.0:pilot/pkg/networking/core/listener_inbound.go (buildInboundChainConfigs: HasIngressListener, chainsByPort from Sidecar.Ingress; buildInboundPassthroughChains: authnBuilder.ForPassthrough)',
    note: 'the reference (§1.7) names Sidecar.ingress ports only for port-level settings; dated from the source of 1.1.0, 1.4.0 and 1.22.0',
  },
  'sidecar-ingress-tls-setting': {
    from: '1.13',
    what: "Sidecar ingress[].tls (server TLS terminated by the sidecar) takes effect only when istiod runs with ENABLE_TLS_ON_SIDECAR_INGRESS=true (default false) and the port's PeerAuthentication mode is DISABLE; before 1.13 the field is ignored. The manifests do not show istiod's environment: the model assumes the default (ignored)",
    where:
      'istio@1.13.0:pilot/pkg/features/pilot.go (EnableTLSOnSidecarIngress); istio@1.22.0:pilot/pkg/networking/core/listener_inbound.go (buildInboundChainConfigs: i.Tls != nil && features.EnableTLSOnSidecarIngress; buildInboundListeners: cc.tlsSettings only when mtls.Mode == MTLSDisable)',
    note: 'not in the semantics reference; the flag is absent in 1.12.0 and present from 1.13.0',
  },
  'inbound-capture-all-ports': {
    from: '1.3',
    what: 'without a traffic.sidecar.istio.io/includeInboundPorts annotation the sidecar captures every inbound port ("*"); before, only the ports the pod\'s containers declare, so a Service targetPort that no container declares reached the application directly (no policy, plaintext only)',
    where:
      'istio@1.3.0:install/kubernetes/helm/istio/files/injection-template.yaml (istio-init -b: annotation includeInboundPorts, default `*`); istio@1.2.0 same file and istio@1.1.0 templates/sidecar-injector-configmap.yaml (default `includeInboundPorts .Spec.Containers`, pilot/pkg/kube/inject/inject.go includeInboundPorts: every declared containerPort); istio@1.0.0 templates/sidecar-injector-configmap.yaml (range .Spec.Containers … .ContainerPort)',
    note: 'not in the semantics reference; read from the injection templates of 1.0.0, 1.1.0, 1.2.0 and 1.3.0',
  },
  'authz-on-inbound-passthrough': {
    from: '1.4',
    what: "a sidecar's inbound passthrough chains (ports no Service declares) carry the RBAC filter of the AuthorizationPolicies that select the workload, even where they carry no authentication (1.4): a plaintext caller has no principal, so an ALLOW on principals or namespaces closes its connection",
    where:
      "istio@1.4.0:pilot/pkg/networking/core/v1alpha3/listener_builder.go (newInboundPassthroughFilterChains: every plugin's OnInboundPassthrough), pilot/pkg/networking/plugin/authz/authorization.go (OnInboundPassthrough → buildFilter); absent in 1.3.0",
    note: 'not in the semantics reference; security.istio.io AuthorizationPolicy itself is new in 1.4, and 1.5+ passthrough chains also authenticate (inbound-passthrough-enforces-peer-authentication)',
  },
} satisfies Record<string, Behaviour>;

export type BehaviourName = keyof typeof BEHAVIOURS;

/** A behaviour the model follows in every release it knows: no boundary, but a source a reader can check. */
interface ConstantBehaviour {
  what: string;
  /** Where Istio (or Kubernetes) does it, read at the release named. */
  where: string;
}

/**
 * Behaviours of issue 17 that do not change between releases, so no code asks for them by release; they are here so
 * that every behaviour the model follows has its source in one place, beside the ones that do change.
 */
export const EVERY_RELEASE = {
  'root-namespace-proxies-skip-public-root-rules': {
    what: "a proxy in the root namespace does not look up the root namespace's public DestinationRules first (they are the mesh-wide catch-alls, consulted last); from 1.8 its private rules come first (root-namespace-private-destination-rules)",
    where:
      'istio@1.1.0, 1.4.0, 1.22.0:pilot/pkg/model/push_context.go (destinationRule: the proxy namespace is searched first unless it is the root namespace)',
  },
  'route-to-another-host-or-port': {
    what: "a VirtualService route whose destination is another host or port sends the call to that service's cluster: its DestinationRule, subsets and endpoints; the port is the destination's, else the host's only port, else the port called",
    where: 'istio@1.22.0:pilot/pkg/networking/core/route/route.go (GetDestinationCluster)',
  },
  'route-source-labels': {
    what: 'a route match with sourceLabels (or sourceNamespace) holds only for clients whose pod labels contain them; other clients fall through to the next route',
    where:
      'istio@1.22.0:pilot/pkg/networking/core/route/route.go (sourceMatchHTTP), pilot/pkg/networking/core/tls.go (matchTCP, matchTLS)',
  },
  'wildcard-service-entry-hosts': {
    what: 'a call to a host that a ServiceEntry wildcard host matches gets that entry (an exact entry first, then the longest wildcard); its DestinationRule is looked up by the wildcard host',
    where:
      'istio@1.22.0:pilot/pkg/model/config.go (MostSpecificHostMatch), pilot/pkg/model/push_context.go (destinationRule by service hostname), pkg/config/validation/validation.go (ValidateServiceEntry)',
  },
  'mesh-external-no-auto-mtls': {
    what: 'auto mTLS never sends Istio mTLS to a MESH_EXTERNAL ServiceEntry host; only an explicit DestinationRule tls does',
    where:
      'istio@1.22.0:pilot/pkg/networking/core/cluster_tls.go (buildUpstreamTLSSettings: meshExternal → no auto mTLS)',
  },
  'outbound-capture-annotations': {
    what: 'traffic.sidecar.istio.io/excludeOutboundPorts, includeOutboundIPRanges ("" nothing, "*" everything) and excludeOutboundIPRanges decide which of a client\'s calls its sidecar sees; the rest leaves as the application sent it',
    where:
      'istio@1.22.0:manifests/charts/istio-control/istio-discovery/files/injection-template.yaml (istio-init args), tools/istio-iptables/pkg/capture/run.go',
  },
  'tls-mode-label-decides-auto-mtls': {
    what: 'auto mTLS treats an endpoint as a sidecar endpoint by its security.istio.io/tlsMode label; a user-set value survives injection',
    where:
      'istio@1.22.0:manifests/charts/istio-control/istio-discovery/files/injection-template.yaml (index .ObjectMeta.Labels "security.istio.io/tlsMode" | default "istio"); istio@1.4.0:pkg/kube/inject/inject.go (the label set only when the pod has none)',
  },
  'proxy-without-capture': {
    what: 'an istio-proxy container without istio-init (or the CNI marker), or with interceptionMode NONE, receives no redirected traffic: the pod is no sidecar for traffic',
    where:
      'istio@1.22.0:manifests/charts/istio-control/istio-discovery/files/injection-template.yaml (istio-init only when interceptionMode is not NONE)',
  },
  'authorization-needs-a-proxy': {
    what: 'an AuthorizationPolicy is enforced by the proxy of the selected workloads (the RBAC filter istiod writes into its listeners); a workload without a proxy enforces nothing',
    where:
      'istio@1.22.0:pilot/pkg/security/authz/builder/builder.go (New, BuildHTTP, BuildTCP: filters for the proxy)',
  },
} satisfies Record<string, ConstantBehaviour>;

/** The Istio release whose semantics apply, asked by behaviour rather than by number. */
export interface Release {
  readonly version: IstioVersion;
  /** "1.5", for messages. */
  readonly text: string;
  has(behaviour: BehaviourName): boolean;
}

function atLeast(v: IstioVersion, text: string): boolean {
  const bound = parseIstioVersion(text)!;
  return v.major > bound.major || (v.major === bound.major && v.minor >= bound.minor);
}

function holdsIn(v: IstioVersion, b: Behaviour): boolean {
  return (b.from === undefined || atLeast(v, b.from)) && (b.until === undefined || !atLeast(v, b.until));
}

/** A release past the newest whose semantics are encoded: the newest known applies, and the CLI says so. */
export function newerThanKnown(v: IstioVersion): boolean {
  return v.text !== LATEST_ISTIO_VERSION && atLeast(v, LATEST_ISTIO_VERSION);
}

const releases = new Map<string, Release>();

export function releaseOf(version: IstioVersion | string): Release {
  const v = typeof version === 'string' ? parseIstioVersion(version) : version;
  if (!v) throw new Error(`not an Istio release: ${String(version)}`);
  let release = releases.get(v.text);
  if (!release) {
    const held = new Set<BehaviourName>();
    for (const [name, b] of Object.entries(BEHAVIOURS) as [BehaviourName, Behaviour][])
      if (holdsIn(v, b)) held.add(name);
    release = { version: v, text: v.text, has: (behaviour) => held.has(behaviour) };
    releases.set(v.text, release);
  }
  return release;
}
