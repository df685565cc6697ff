// non-istio-tls-to-sidecar: a DestinationRule SIMPLE/MUTUAL toward a server that has a sidecar.
import { app, destinationRule, docs, lineOf, namespace } from '../helpers/mesh.js';
import { ruleTests } from './harness.js';

const INJECTED = { 'istio-injection': 'enabled' };
const base = (portName: string, tls = 'SIMPLE') =>
  docs(
    namespace('foo', INJECTED),
    namespace('ext'),
    app('foo', 'httpbin', { portName }),
    app('ext', 'tls-server', { portName: 'https' }),
    app('foo', 'sleep', { noService: true, calls: 'httpbin.foo:8000, tls-server.ext:8000' }),
    destinationRule('foo', 'simple', '*.local', { tls }),
  );

ruleTests('non-istio-tls-to-sidecar', {
  valid: [
    {
      name: 'ISTIO_MUTUAL toward the sidecar is what Istio expects',
      files: { 'a.yaml': base('http', 'ISTIO_MUTUAL').replace(/, tls-server\.ext:8000/, '') },
    },
  ],
  invalid: [
    {
      name: 'SIMPLE toward a sidecar on an HTTP port: warning at the DR line, listing the broken connection',
      files: { 'a.yaml': base('http') },
      findings: [
        {
          severity: 'warning',
          line: lineOf(base('http'), 'mode: SIMPLE'),
          message: 'httpbin.foo:8000',
          // The server without a sidecar is the one SIMPLE is for: not listed.
          notMessage: 'tls-server.ext',
        },
      ],
    },
    {
      name: 'SIMPLE toward a PERMISSIVE TCP port passes through to the app: still a warning, saying so',
      files: { 'a.yaml': base('tcp') },
      findings: [{ message: /passes through/ }],
    },
  ],
});
