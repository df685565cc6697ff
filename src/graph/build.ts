import type { MeshModel } from '../mesh/model.js';
import type { ResolvedOptions } from '../options.js';
import type { Graph } from './graph.js';

export function buildGraph(_mesh: MeshModel, _options: ResolvedOptions): Graph {
  return { edges: [] };
}
