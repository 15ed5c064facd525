import { describe, expect, it } from 'vitest';
import type { GRPCMethodMatch, GRPCRoute } from '../resources.ts';
import { routableGRPCRoute } from './grpcroute.ts';
import { grpcMethodSpecificity } from './precedence.ts';
import { isValidRegex } from './regex.ts';

function route(...methods: (GRPCMethodMatch | undefined)[]): GRPCRoute {
  return {
    kind: 'GRPCRoute',
    metadata: { namespace: 'default', name: 'r', labels: {}, generation: 1 },
    spec: {
      parentRefs: [],
      hostnames: [],
      rules: [
        {
          matches: methods.map((method) => ({ ...(method && { method }), headers: [] })),
          filters: [],
          backendRefs: [],
          unimplementedFields: [],
        },
      ],
    },
  };
}

const pathsOf = (r: GRPCRoute) => routableGRPCRoute(r).spec.rules[0]!.matches.map((m) => m.path);

describe('routableGRPCRoute', () => {
  it('turns method matches into paths: exact, whole-service prefix, and RE2 patterns', () => {
    const paths = pathsOf(
      route(
        { type: 'Exact', service: 'echo.Echo', method: 'Ping' },
        { type: 'Exact', service: 'echo.Echo' },
        { type: 'Exact', method: 'Ping' },
        { type: 'RegularExpression', service: 'a|b', method: 'Get.*' },
        undefined,
      ),
    );
    expect(paths.slice(0, 2)).toEqual([
      { type: 'Exact', value: '/echo.Echo/Ping' },
      { type: 'PathPrefix', value: '/echo.Echo' },
    ]);
    expect(paths[2]?.type).toBe('RegularExpression');
    expect(new RegExp(`^${paths[2]!.value}$`).test('/pkg.v1.Svc/Ping')).toBe(true);
    expect(new RegExp(`^${paths[2]!.value}$`).test('/pkg.v1.Svc/Pinged')).toBe(false);
    // The user's alternation stays inside its segment: `a|b` must not match `/b/Other`.
    expect(paths[3]).toEqual({ type: 'RegularExpression', value: '/(?:a|b)/(?:Get.*)' });
    expect(paths[4]).toEqual({ type: 'PathPrefix', value: '/' });
    expect(paths.filter((p) => p.type === 'RegularExpression').every((p) => isValidRegex(p.value))).toBe(true);
  });

  it('takes every call when a rule has no matches', () => {
    const empty = route();
    expect(pathsOf(empty)).toEqual([{ type: 'PathPrefix', value: '/' }]);
  });

  it('drops a rule whose method pattern RE2 would reject, naming the field', () => {
    const rule = routableGRPCRoute(route({ type: 'RegularExpression', method: '(?=x)' })).spec.rules[0]!;
    expect(rule.invalid).toBe('matches[0].method.method: invalid regular expression "(?=x)"');
  });
});

describe('grpcMethodSpecificity', () => {
  it('ranks an exact method first, then more service characters, then more method characters', () => {
    const ranked = [
      grpcMethodSpecificity(undefined),
      grpcMethodSpecificity({ type: 'Exact', method: 'LongMethodName' }),
      grpcMethodSpecificity({ type: 'Exact', service: 'echo.Echo' }),
      grpcMethodSpecificity({ type: 'RegularExpression', service: 'echo.Echo', method: 'P.*' }),
      grpcMethodSpecificity({ type: 'Exact', service: 'e', method: 'P' }),
    ].sort((a, b) => a.rank - b.rank || b.length - a.length);
    expect(ranked).toEqual([
      { rank: 0, length: 1 * 1025 + 1 },
      { rank: 1, length: 9 * 1025 + 3 },
      { rank: 1, length: 9 * 1025 },
      { rank: 1, length: 14 },
      { rank: 2, length: 1 },
    ]);
  });
});
