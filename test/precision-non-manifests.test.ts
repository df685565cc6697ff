// Files that are not manifests are not errors: an editor's task file (JSON with comments, a lower-case `"kind":
// "build"`) next to the manifests is reported as info when it does not parse; a broken manifest stays an error.
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
