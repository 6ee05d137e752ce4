import { describe, expect, it } from 'vitest';
import { type ImportEdge, importEdges } from './import-graph.ts';

/**
 * The dependency rules of ../shared/design/ARCHITECTURE.md and app/node/README.md, checked on the
 * real import graph: front doors (CLI, Electron main, the HTTP server) reach the domain only
 * through app/node/services; domain modules never reach up; shared utilities reach nothing above
 * them; production code imports nothing from test/. Tests and benches may import anything.
 */
type Layer = 'common' | 'shared' | 'domain' | 'services' | 'server' | 'cli' | 'main' | 'renderer' | 'test' | 'other';

function layerOf(path: string): Layer {
  if (path.startsWith('app/common/')) return 'common';
  if (path.startsWith('app/node/shared/')) return 'shared';
  if (path.startsWith('app/node/domain/')) return 'domain';
  if (path.startsWith('app/node/services/')) return 'services';
  if (path.startsWith('app/node/server/')) return 'server';
  if (path.startsWith('app/cli/')) return 'cli';
  if (path.startsWith('main/')) return 'main';
  if (path.startsWith('renderer/')) return 'renderer';
  if (path.startsWith('test/')) return 'test';
  return 'other';
}

const MAY_IMPORT: Record<Exclude<Layer, 'test' | 'other'>, readonly Layer[]> = {
  common: ['common'],
  shared: ['common', 'shared'],
  domain: ['common', 'shared', 'domain'],
  services: ['common', 'shared', 'domain', 'services'],
  server: ['common', 'shared', 'services', 'server'],
  cli: ['common', 'shared', 'services', 'server', 'cli'],
  main: ['common', 'shared', 'services', 'main'],
  renderer: ['common', 'renderer'],
};

const isTest = (path: string): boolean => /\.test\.tsx?$/.test(path);

function violations(edges: ImportEdge[]): string[] {
  return edges.flatMap(({ from, to }) => {
    if (isTest(from)) return [];
    const source = layerOf(from);
    if (source === 'test' || source === 'other') return [];
    const target = layerOf(to);
    return MAY_IMPORT[source].includes(target) ? [] : [`${from} → ${to} (${source} may not import ${target})`];
  });
}

/** Domain modules (app/node/domain/<module>/) must form an acyclic graph; returns one cycle or undefined. */
function domainCycle(edges: ImportEdge[]): string[] | undefined {
  const moduleOf = (p: string): string | undefined => /^app\/node\/domain\/([^/]+)\//.exec(p)?.[1];
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const a = moduleOf(from);
    const b = moduleOf(to);
    if (!a || !b || a === b || isTest(from)) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)!.add(b);
  }
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('architecture', () => {
  const edges = importEdges(['app', 'main', 'renderer']);

  it('finds the import graph (the checker itself works)', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(violations([{ from: 'app/cli/commands/x.ts', to: 'app/node/domain/engine/engine.ts' }])).toHaveLength(1);
    expect(
      domainCycle([
        { from: 'app/node/domain/a/x.ts', to: 'app/node/domain/b/y.ts' },
        { from: 'app/node/domain/b/y.ts', to: 'app/node/domain/a/z.ts' },
      ]),
    ).toEqual(['a', 'b', 'a']);
  });

  it('front doors reach the domain only through services; nothing reaches up or into test/', () => {
    expect(violations(edges)).toEqual([]);
  });

  it('domain modules depend on each other without cycles', () => {
    expect(domainCycle(edges)).toBeUndefined();
  });
});
