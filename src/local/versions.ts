/**
 * The one place where the versions of the embedded environment's parts are
 * pinned. The Go wrapper modules under test/infra/ require exactly these; a
 * test checks that they agree, and the build cache is keyed by them.
 */
export const pinnedVersions = {
  kubernetes: 'v1.34.4',
  etcd: 'v3.6.16',
  kwok: 'v0.8.0',
  /** The reference controller for differential tests and side-by-side benches (not part of the control plane). */
  argoRollouts: 'v1.9.1',
  /** The bot renders kustomize directories with it: the version kubectl v1.34 embeds. */
  kustomize: 'v5.7.1',
  /** Argo CD's module, read (never built) for its Rollout health check, resource_customizations/argoproj.io/Rollout/health.lua (v3.6 needs Go 1.27 to extract). */
  argoCd: 'v3.5.8',
} as const;

/** Debian packages the environment runs (their versions are whatever Debian ships; env.json records them). */
export const debianPackages = ['prometheus', 'git', 'lua5.4'] as const;
