// The model's resources by kind, indexed in one pass: a dozen readers each want one or two kinds, and a walk over
// every resource of a large repository costs more than the reading itself.
import type { Resource } from '../load/index.js';

export class ResourcesByKind {
  private readonly byKind = new Map<string, { resources: Resource[]; positions: number[] }>();
  /** Every namespace a resource names (metadata.namespace, or the default one). */
  readonly namespaces = new Set<string>();

  constructor(resources: readonly Resource[]) {
    resources.forEach((r, position) => {
      let entry = this.byKind.get(r.kind);
      if (!entry) this.byKind.set(r.kind, (entry = { resources: [], positions: [] }));
      entry.resources.push(r);
      entry.positions.push(position);
      if (r.namespace !== undefined) this.namespaces.add(r.namespace);
    });
  }

  /** The resources of these kinds, in input order (do not modify the array). */
  of(...kinds: string[]): Resource[] {
    if (kinds.length === 1) return this.byKind.get(kinds[0]!)?.resources ?? [];
    const found: [number, Resource][] = [];
    for (const kind of new Set(kinds)) {
      const entry = this.byKind.get(kind);
      if (entry) entry.resources.forEach((r, i) => found.push([entry.positions[i]!, r]));
    }
    return found.sort((a, b) => a[0] - b[0]).map(([, r]) => r);
  }

  /**
   * The same, for a reader that declared the kinds it reads (mesh/model.ts KindInput): asking for another kind is a
   * programming error, since PR mode's change scope is computed from the declarations.
   */
  declaredOnly(declared: ReadonlySet<string>, where: string): Pick<ResourcesByKind, 'of' | 'namespaces'> {
    return {
      namespaces: this.namespaces,
      of: (...kinds) => {
        for (const kind of kinds)
          if (!declared.has(kind)) throw new Error(`reads ${kind}, which ${where} does not declare`);
        return this.of(...kinds);
      },
    };
  }
}
