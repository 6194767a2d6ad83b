import * as fs from 'fs';
import * as path from 'path';

/**
 * The import rules of lambda-src, as docs/architecture.md states them:
 * - entry files (`lambda-src/*.lambda.ts`) import common/ and features; nothing imports an entry file;
 * - common/ imports only common/ and the contract;
 * - a feature imports its own folder, common/ and the contract, never another feature, except
 *   that broker/ runs the strategies' `broker-actions` modules;
 * - from outside lambda-src, only the contract (src/private/*contract.ts) is imported;
 * - there is no `shared/` any more, and no import cycle.
 */

const ROOT = path.join(__dirname, '..', '..');
const LAMBDA_SRC = 'lambda-src';
const COMMON = 'common';
const FEATURES = ['pre-token', 'custom-challenge', 'groups', 'broker', 'attach-triggers', 'events', 'approval'];
const CONTRACTS = ['src/private/contract.ts', 'src/private/attach-triggers-contract.ts'];
/** The one allowed crossing between features: the broker runs the strategies' actions. */
const BROKER_RUNS = [
  'lambda-src/groups/broker-actions.ts',
  'lambda-src/custom-challenge/broker-actions.ts',
  // approval (four-eyes): the broker runs its actions and hands the strategies its gate.
  'lambda-src/approval/approval-actions.ts',
  'lambda-src/approval/approval-config.ts',
  'lambda-src/approval/approval-gate.ts',
  'lambda-src/approval/approval-store.ts',
];

/** Module (repository-relative path) -> the repository-relative modules it imports; packages are left out. */
type ImportGraph = ReadonlyMap<string, readonly string[]>;

const SPECIFIER = /(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

function resolveModule(fromFile: string, specifier: string): string {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), specifier));
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) {
    if (fs.existsSync(path.join(ROOT, candidate)) && fs.statSync(path.join(ROOT, candidate)).isFile()) return candidate;
  }
  return `${base}.ts`; // missing: reported by the rules below
}

function listTs(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return listTs(rel);
    return entry.name.endsWith('.ts') ? [rel] : [];
  });
}

function readGraph(): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of listTs(LAMBDA_SRC)) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    graph.set(file, [...text.matchAll(SPECIFIER)].map((m) => resolveModule(file, m[1])));
  }
  return graph;
}

/** Where a module lives: `entry`, `common`, a feature's name, `contract`, or `elsewhere`. */
function roomOf(file: string): string {
  if (CONTRACTS.includes(file)) return 'contract';
  const parts = file.split('/');
  if (parts[0] !== LAMBDA_SRC) return 'elsewhere';
  if (parts.length === 2) return file.endsWith('.lambda.ts') ? 'entry' : 'loose';
  return parts[1] === COMMON || FEATURES.includes(parts[1]) ? parts[1] : `unknown folder ${parts[1]}`;
}

function mayImport(from: string, to: string): boolean {
  const [source, target] = [roomOf(from), roomOf(to)];
  if (target === 'contract') return true;
  if (target === 'entry' || target === 'elsewhere' || target === 'loose') return false;
  if (source === 'entry') return true;
  if (source === COMMON) return target === COMMON;
  if (FEATURES.includes(source)) {
    return target === COMMON || target === source || (source === 'broker' && BROKER_RUNS.includes(to));
  }
  return false;
}

function cycles(graph: ImportGraph): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      found.push([...stack.slice(stack.indexOf(file)), file]);
      return;
    }
    state.set(file, 'visiting');
    stack.push(file);
    for (const next of graph.get(file) ?? []) visit(next);
    stack.pop();
    state.set(file, 'done');
  };
  [...graph.keys()].sort().forEach(visit);
  return found;
}

/** Every broken rule, as `from -> to: why`. */
function violations(graph: ImportGraph, exists: (file: string) => boolean): string[] {
  const found: string[] = [];
  for (const [from, imports] of graph) {
    const room = roomOf(from);
    if (room === 'loose' || room.startsWith('unknown folder')) found.push(`${from}: not in a room (${room})`);
    for (const to of imports) {
      if (to.split('/').includes('shared')) found.push(`${from} -> ${to}: shared/ was removed`);
      else if (!exists(to)) found.push(`${from} -> ${to}: no such module`);
      else if (!mayImport(from, to)) found.push(`${from} -> ${to}: ${room} may not import ${roomOf(to)}`);
    }
  }
  for (const cycle of cycles(graph)) found.push(`cycle: ${cycle.join(' -> ')}`);
  return found;
}

const existsInRepo = (file: string) => fs.existsSync(path.join(ROOT, file));

describe('the import rules of lambda-src', () => {
  const graph = readGraph();

  it('reads every handler module and sees their imports', () => {
    expect(graph.size).toBeGreaterThan(30);
    expect(graph.get('lambda-src/broker.lambda.ts')).toEqual(['lambda-src/broker/handle-request.ts']);
    // require() of lazily loaded modules counts too.
    expect(graph.get('lambda-src/pre-token-generation.lambda.ts')).toEqual(expect.arrayContaining([
      'lambda-src/pre-token/impersonate.ts',
      'lambda-src/custom-challenge/challenge-token.ts',
    ]));
  });

  it('there is no lambda-src/shared/ any more', () => {
    expect(fs.existsSync(path.join(ROOT, LAMBDA_SRC, 'shared'))).toBe(false);
  });

  it('every module keeps to its room, and nothing imports in a cycle', () => {
    expect(violations(graph, existsInRepo)).toEqual([]);
  });
});

describe('the rule checker itself', () => {
  const exists = () => true;
  const check = (edges: Record<string, string[]>) => violations(new Map(Object.entries(edges)), exists);

  it('accepts what the rules allow', () => {
    expect(check({
      'lambda-src/broker.lambda.ts': ['lambda-src/broker/handle-request.ts'],
      'lambda-src/broker/handle-request.ts': ['lambda-src/common/audit.ts', 'lambda-src/groups/broker-actions.ts', 'src/private/contract.ts'],
      'lambda-src/groups/broker-actions.ts': ['lambda-src/groups/session.ts', 'lambda-src/common/audit.ts'],
      'lambda-src/common/audit.ts': ['lambda-src/common/errors.ts', 'src/private/contract.ts'],
    })).toEqual([]);
  });

  it.each([
    ['a feature importing another feature', { 'lambda-src/groups/a.ts': ['lambda-src/custom-challenge/signing-keys.ts'] }, 'groups may not import custom-challenge'],
    ['a strategy importing the broker', { 'lambda-src/groups/broker-actions.ts': ['lambda-src/broker/handle-request.ts'] }, 'groups may not import broker'],
    ['the broker importing more of a feature than its actions', { 'lambda-src/broker/a.ts': ['lambda-src/groups/session-store.ts'] }, 'broker may not import groups'],
    ['common importing a feature', { 'lambda-src/common/a.ts': ['lambda-src/pre-token/impersonate.ts'] }, 'common may not import pre-token'],
    ['a module importing an entry file', { 'lambda-src/common/a.ts': ['lambda-src/broker.lambda.ts'] }, 'common may not import entry'],
    ['handler code importing the construct', { 'lambda-src/common/a.ts': ['src/index.ts'] }, 'common may not import elsewhere'],
    ['an import from the removed shared/', { 'lambda-src/broker.lambda.ts': ['lambda-src/shared/broker.ts'] }, 'shared/ was removed'],
    ['a module outside every room', { 'lambda-src/helpers.ts': [] }, 'not in a room (loose)'],
    ['a folder that is not a room', { 'lambda-src/utils/a.ts': [] }, 'not in a room (unknown folder utils)'],
  ])('refuses %s', (_, edges, why) => {
    expect(check(edges)).toEqual([expect.stringContaining(why)]);
  });

  it('finds a cycle, however long', () => {
    expect(check({
      'lambda-src/groups/a.ts': ['lambda-src/groups/b.ts'],
      'lambda-src/groups/b.ts': ['lambda-src/groups/c.ts'],
      'lambda-src/groups/c.ts': ['lambda-src/groups/a.ts'],
    })).toEqual(['cycle: lambda-src/groups/a.ts -> lambda-src/groups/b.ts -> lambda-src/groups/c.ts -> lambda-src/groups/a.ts']);
  });

  it('reports an import of a module that does not exist', () => {
    expect(violations(new Map([['lambda-src/common/a.ts', ['lambda-src/common/gone.ts']]]), () => false))
      .toEqual(['lambda-src/common/a.ts -> lambda-src/common/gone.ts: no such module']);
  });
});
