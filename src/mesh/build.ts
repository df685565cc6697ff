import type { Resource } from '../load/index.js';
import type { ResolvedOptions } from '../options.js';
import type { MeshModel } from './model.js';

export function buildMeshModel(_resources: Resource[], _options: ResolvedOptions, _invalid: Set<string>): MeshModel {
  throw new Error('mesh model not built yet');
}
