// Files that are not manifests are not errors: an editor's task file (JSON with comments, a lower-case `"kind":
// "build"`) next to the manifests is reported as info when it does not parse; a broken manifest stays an error. The
// control flow of a Helm template after a document end (`...` then `{{- end }}`) is no document kubectl skips.
import { describe, expect, it } from 'vitest';
import { lintYaml } from './helpers/mesh.js';

const TASKS = `{
  // the build task of the editor
  "version": "2.0.0",
  "tasks": [
    {
      "label": "compile",
      "type": "shell",
      "command": "make",
      "group": { "kind": "build", "isDefault": true },
    },
  ],
}
`;

const SERVICE = `apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{port: 80}]
`;

/** The same Service as JSON, broken by a trailing comma. */
const BROKEN_SERVICE_JSON = `{
  "apiVersion": "v1", "kind": "Service",
  "metadata": {"name": "web", "namespace": "shop"},
  "spec": {"selector": {"app": "web"}, "ports": [{"port": 80},]}
}
`;

describe('syntax errors in files that are not manifests', () => {
  it('a JSON-with-comments task file whose only "kind" is lower-case is an info, and the run passes', async () => {
    const run = await lintYaml({ 'tasks.json': TASKS, 'api.yaml': SERVICE }, { allowInvalid: true });
    const syntax = run.findings.filter((f) => f.rule === 'yaml-syntax');
    expect(syntax.map((f) => [f.file.endsWith('tasks.json'), f.severity])).toEqual([[true, 'info']]);
    expect(syntax[0]!.message).toContain('Nothing in this file looks like a Kubernetes object');
    expect(run.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('a broken JSON manifest (kind: Service) stays an error', async () => {
    const run = await lintYaml({ 'web.json': BROKEN_SERVICE_JSON }, { allowInvalid: true });
    const syntax = run.findings.filter((f) => f.rule === 'yaml-syntax');
    expect(syntax.map((f) => f.severity)).toEqual(['error']);
  });
});

describe('document ends in unrendered templates', () => {
  const TEMPLATE = `{{- range .Values.teams }}
---
apiVersion: v1
kind: Namespace
metadata:
  name: {{ . }}
...
{{- end }}
`;
  const TWO_AFTER_END = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: team-a}
...
apiVersion: v1
kind: ConfigMap
metadata: {name: overrides, namespace: team-a}
`;

  it('only template directives after `...`: skipped as a template, no warning', async () => {
    const run = await lintYaml({ 'namespaces.yaml': TEMPLATE }, { allowInvalid: true });
    expect(run.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(run.findings.map((f) => f.rule)).toEqual(['input-error']);
  });

  it('a real document after `...` without `---` is still the warning kubectl deserves', async () => {
    const run = await lintYaml({ 'config.yaml': TWO_AFTER_END }, { allowInvalid: true });
    expect(run.findings.map((f) => `${f.rule} ${f.severity} ${f.line}`)).toEqual(['yaml-syntax warning 5']);
  });
});

describe('%NAME% placeholders substituted by a script', () => {
  const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: profile, namespace: workshop}
spec:
  selector: {matchLabels: {app: profile}}
  template:
    metadata: {labels: {app: profile}}
    spec:
      containers:
      - name: profile
        image: %PROFILE_IMAGE%:1.0
`;
  const ENTRY = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: sso, namespace: workshop}
spec:
  hosts:
  - %SSO_HOST%
  ports: [{number: 443, name: https, protocol: TLS}]
  resolution: DNS
`;

  it('a document YAML cannot read because of a %NAME% value is a skipped template, not a syntax error', async () => {
    const run = await lintYaml({ 'profile.yaml': DEPLOYMENT, 'sso.yaml': ENTRY }, { allowInvalid: true });
    expect(run.findings.map((f) => `${f.rule} ${f.severity}`)).toEqual(['input-error info']);
    expect(run.findings[0]!.message).toContain('a %NAME% placeholder');
  });

  it('a % inside a quoted value is no placeholder, and a real syntax error next to it is still an error', async () => {
    const broken = DEPLOYMENT.replace('%PROFILE_IMAGE%:1.0', '"%PROFILE_IMAGE%:1.0"').replace(
      'kind: Deployment',
      'kind: Deployment\n  bad: indent',
    );
    const run = await lintYaml({ 'profile.yaml': broken }, { allowInvalid: true });
    expect(run.findings.map((f) => `${f.rule} ${f.severity}`)).toEqual(['yaml-syntax error']);
  });
});

describe('templates whose first action has braces of its own', () => {
  // A regular expression with {3} inside the first action: yaml stops the broken document inside it.
  const ENDPOINTS = `{{- if regexMatch "^([0-9]*\\.){3}[0-9]*$" .Values.remoteAddress }}
apiVersion: v1
kind: Endpoints
metadata:
  name: control-plane
  namespace: {{ .Release.Namespace }}
subsets:
- addresses:
  - ip: {{ .Values.remoteAddress }}
  ports:
  - {port: 15012, name: tcp-xds}
{{- end }}
`;

  it('is a skipped template, not a yaml-syntax error', async () => {
    const run = await lintYaml({ 'endpoints.yaml': ENDPOINTS }, { allowInvalid: true });
    expect(run.findings.map((f) => `${f.rule} ${f.severity}`)).toEqual(['input-error info']);
  });
});

describe('values Kubernetes reads as unset', () => {
  it('nodePort: 0 is unset (the API server allocates one), not an invalid port; 70000 still is', async () => {
    const service = (nodePort: number) => `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, nodePort: ${nodePort}}]
`;
    const unset = await lintYaml({ 'web.yaml': service(0) }, { allowInvalid: true });
    expect(unset.findings.filter((f) => f.rule === 'invalid-resource')).toEqual([]);
    const bad = await lintYaml({ 'web.yaml': service(70000) }, { allowInvalid: true });
    expect(bad.findings.filter((f) => f.rule === 'invalid-resource').map((f) => f.message)).toEqual([
      '`spec.ports[0].nodePort` is 70000; a port number must be 1..65535.',
    ]);
  });
});

describe('envsubst placeholders where YAML expects structure', () => {
  it('a ${VAR} line substituted into a list of args is a skipped template, not a syntax error', async () => {
    const job = `apiVersion: batch/v1
kind: Job
metadata: {name: load, namespace: perf}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: load
        image: example/loadgen:2
        args:
          - --duration
          - 60s
          \${TARGETS}
`;
    const run = await lintYaml({ 'job.yaml': job }, { allowInvalid: true });
    expect(run.findings.map((f) => `${f.rule} ${f.severity}`)).toEqual(['input-error info']);
    expect(run.findings[0]!.message).toContain('envsubst');
  });
});
