// Which Istio release's semantics apply. Only major.minor matters: behaviour changes land in minor releases.

export interface IstioVersion {
  major: number;
  minor: number;
  text: string;
}

/** The newest release whose semantics mtls-lint encodes (istio-semantics.md read istio@HEAD, after 1.30). */
export const LATEST_ISTIO_VERSION = '1.30';

export function parseIstioVersion(text: string): IstioVersion | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:-[0-9A-Za-z.-]+)?$/.exec(text.trim());
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major !== 1 || minor > 99) return undefined;
  return { major, minor, text: `${major}.${minor}` };
}
