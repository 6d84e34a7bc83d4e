import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { gradualConfigSchema } from '../gitops/config.js';
import { parseKustomization, parseManifests, readManifests } from './apply-manifests.js';

const deployDir = fileURLToPath(new URL('../../deploy/', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gradual-apply-manifests-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseKustomization', () => {
  it('returns the resources in their listed order', () => {
    expect(
      parseKustomization(
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - b.yaml\n  - crds/a.yaml\n',
        'k.yaml',
      ),
    ).toEqual(['b.yaml', 'crds/a.yaml']);
  });

  it('reads an empty kustomization as no resources', () => {
    expect(parseKustomization('', 'k.yaml')).toEqual([]);
  });

  it('refuses any kustomize feature beyond a plain resources list, naming it', () => {
    expect(() => parseKustomization('resources: [a.yaml]\nnamespace: x\nimages: []\n', 'k.yaml')).toThrow(
      /k\.yaml: .*unsupported kustomization fields: namespace, images/,
    );
  });

  it('refuses remote resources and non-path entries', () => {
    expect(() => parseKustomization('resources:\n  - https://example.test/x.yaml\n', 'k.yaml')).toThrow(
      /resources\[0\] .*remote resources are not supported/,
    );
    expect(() => parseKustomization('resources:\n  - github.com/org/repo//deploy\n', 'k.yaml')).toThrow(/remote resources/);
    expect(() => parseKustomization('resources:\n  - 3\n', 'k.yaml')).toThrow(/resources\[0\] must be a non-empty path/);
    expect(() => parseKustomization('resources: a.yaml\n', 'k.yaml')).toThrow(/resources must be a list/);
    expect(() => parseKustomization('kind: Component\n', 'k.yaml')).toThrow(/expected Kustomization/);
  });

  it('names the file and line of a YAML error', () => {
    expect(() => parseKustomization('resources:\n  - a.yaml\n bad: [\n', 'k.yaml')).toThrow(/^k\.yaml:\d+: /);
  });
});

describe('parseManifests', () => {
  it('returns every non-empty document with the line it starts on', () => {
    const text =
      '---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n# only a comment\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: b\n  namespace: a\n';
    const documents = parseManifests(text, 'm.yaml');
    expect(documents.map((d) => [d.source, d.object.kind, d.object.metadata?.name])).toEqual([
      ['m.yaml:2', 'Namespace', 'a'],
      ['m.yaml:9', 'ServiceAccount', 'b'],
    ]);
  });

  it('keeps x-kubernetes-* keys as written (they are sent through the client model later)', () => {
    const [crd] = parseManifests(
      'apiVersion: v1\nkind: X\nmetadata:\n  name: a\nspec:\n  x-kubernetes-preserve-unknown-fields: true\n',
      'm.yaml',
    );
    expect(crd?.object).toMatchObject({ spec: { 'x-kubernetes-preserve-unknown-fields': true } });
  });

  it('refuses a document without apiVersion, kind or name, naming its place', () => {
    expect(() => parseManifests('apiVersion: v1\nkind: A\nmetadata:\n  name: a\n---\nkind: B\nmetadata: {}\n', 'm.yaml')).toThrow(
      'm.yaml:6: missing apiVersion, metadata.name',
    );
    expect(() => parseManifests('- a\n- b\n', 'm.yaml')).toThrow('m.yaml:1: a manifest is a mapping');
  });

  it('names the file and line of a YAML error', () => {
    expect(() => parseManifests('apiVersion: v1\nkind: A\nmetadata: {name: [\n', 'm.yaml')).toThrow(/^m\.yaml:\d+: /);
  });
});

describe('readManifests', () => {
  it('reads a folder without a kustomization: its *.yaml and *.yml files by name, not recursively', async () => {
    const folder = join(dir, 'plain');
    await mkdir(join(folder, 'nested'), { recursive: true });
    await writeFile(join(folder, 'b.yml'), 'apiVersion: v1\nkind: B\nmetadata:\n  name: b\n');
    await writeFile(join(folder, 'a.yaml'), 'apiVersion: v1\nkind: A\nmetadata:\n  name: a\n');
    await writeFile(join(folder, 'notes.txt'), 'not a manifest');
    await writeFile(join(folder, 'nested', 'c.yaml'), 'apiVersion: v1\nkind: C\nmetadata:\n  name: c\n');
    expect((await readManifests(folder)).map((d) => d.object.kind)).toEqual(['A', 'B']);
  });

  it("follows a kustomization's resources in order, into folders that have their own", async () => {
    const folder = join(dir, 'kustomized');
    await mkdir(join(folder, 'sub'), { recursive: true });
    await writeFile(join(folder, 'kustomization.yaml'), 'resources:\n  - z.yaml\n  - sub\n  - a.yaml\n');
    await writeFile(join(folder, 'a.yaml'), 'apiVersion: v1\nkind: A\nmetadata:\n  name: a\n');
    await writeFile(join(folder, 'z.yaml'), 'apiVersion: v1\nkind: Z\nmetadata:\n  name: z\n');
    await writeFile(join(folder, 'unlisted.yaml'), 'apiVersion: v1\nkind: Unlisted\nmetadata:\n  name: u\n');
    await writeFile(join(folder, 'sub', 'kustomization.yml'), 'resources: [s.yaml]\n');
    await writeFile(join(folder, 'sub', 's.yaml'), 'apiVersion: v1\nkind: S\nmetadata:\n  name: s\n');
    expect((await readManifests(folder)).map((d) => d.object.kind)).toEqual(['Z', 'S', 'A']);
    expect((await readManifests(join(folder, 'kustomization.yaml'))).map((d) => d.object.kind)).toEqual(['Z', 'S', 'A']);
  });

  it('refuses a missing resource and a cycle', async () => {
    const folder = join(dir, 'broken');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'kustomization.yaml'), 'resources: [missing.yaml]\n');
    await expect(readManifests(folder)).rejects.toThrow(/missing\.yaml: no such file or folder/);
    await writeFile(join(folder, 'kustomization.yaml'), 'resources: [.]\n');
    await expect(readManifests(folder)).rejects.toThrow(/form a cycle/);
  });
});

describe('the install manifests in deploy/', () => {
  it('list the namespace first, then the CRDs, the identity and its rights, the controller and its metrics Service', async () => {
    const documents = await readManifests(deployDir);
    expect(documents.map((d) => `${d.object.kind}/${d.object.metadata?.name ?? ''}`)).toEqual([
      'Namespace/gradual-system',
      'CustomResourceDefinition/rollouts.argoproj.io',
      'CustomResourceDefinition/analysistemplates.argoproj.io',
      'CustomResourceDefinition/clusteranalysistemplates.argoproj.io',
      'CustomResourceDefinition/analysisruns.argoproj.io',
      'CustomResourceDefinition/experiments.argoproj.io',
      'ServiceAccount/gradual',
      'ClusterRole/gradual-controller',
      'ClusterRoleBinding/gradual-controller',
      // Aggregated into Kubernetes' view/edit/admin, as Argo ships them (issue 24).
      'ClusterRole/gradual-aggregate-to-view',
      'ClusterRole/gradual-aggregate-to-edit',
      'ClusterRole/gradual-aggregate-to-admin',
      'Role/gradual-leader-election',
      'RoleBinding/gradual-leader-election',
      // The bot's own identity (issue 19): it only reads status and impersonates each environment's deployer.
      'ServiceAccount/gradual-bot',
      'ClusterRole/gradual-bot',
      'ClusterRoleBinding/gradual-bot',
      'Role/gradual-bot-state',
      'RoleBinding/gradual-bot-state',
      // `gradual start` runs the engine too, as gradual-bot: the engine's rights bound to it (issue 24).
      'ClusterRoleBinding/gradual-start',
      'RoleBinding/gradual-start-leader-election',
      'ConfigMap/gradual-config',
      'Deployment/gradual',
      'Service/gradual-webhook',
      'Service/gradual-metrics',
    ]);
    const cluster = new Set(['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding']);
    for (const { object } of documents)
      expect(object.metadata?.namespace, object.kind).toBe(cluster.has(object.kind ?? '') ? undefined : 'gradual-system');
  });

  it("run `gradual start` (engine, bot, dashboard) once, as gradual-bot, locked down, with the config and the app's Secret", async () => {
    const deployment = (await readManifests(deployDir)).find((d) => d.object.kind === 'Deployment')?.object as KubernetesObject & {
      spec: {
        replicas: number;
        template: {
          spec: {
            serviceAccountName: string;
            securityContext: { runAsNonRoot: boolean };
            containers: {
              args: string[];
              ports: { containerPort: number }[];
              envFrom: { secretRef: { name: string } }[];
              securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean; capabilities: { drop: string[] } };
              volumeMounts: { mountPath: string }[];
            }[];
          };
        };
      };
    };
    // One replica: the bot runs on the leader only, and a waiting replica behind the webhook Service would take deliveries it cannot handle.
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.template.spec.serviceAccountName).toBe('gradual-bot');
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    const [container] = deployment.spec.template.spec.containers;
    expect(container?.args).toEqual(['start', '--lease-namespace', 'gradual-system', '--config', '/etc/gradual/config.yaml']);
    expect(container?.ports.map((p) => p.containerPort)).toEqual([3000, 8090, 8080]);
    expect(container?.envFrom).toEqual([{ secretRef: { name: 'gradual-github-app' } }]);
    expect(container?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container?.volumeMounts.map((m) => m.mountPath)).toEqual(['/etc/gradual', '/var/cache/gradual', '/tmp']);
  });

  it('ship a config that is valid and writes its clones where the read-only container can', async () => {
    const configMap = (await readManifests(deployDir)).find((d) => d.object.kind === 'ConfigMap')?.object as KubernetesObject & {
      data: Record<string, string>;
    };
    const config = gradualConfigSchema.parse(parse(configMap.data['config.yaml'] ?? ''));
    expect(config.cacheDir).toBe('/var/cache/gradual');
    expect(Object.keys(config.clusters)).toEqual(['in-cluster']);
  });

  it("install the engine alone with overlays/controller-only: deploy/'s list less the bot's files, `gradual controller` as `gradual` in place of `gradual start`", async () => {
    const root = parseKustomization(await readFile(join(deployDir, 'kustomization.yaml'), 'utf8'), 'deploy/kustomization.yaml');
    const overlay = parseKustomization(
      await readFile(join(deployDir, 'overlays', 'controller-only', 'kustomization.yaml'), 'utf8'),
      'controller-only',
    );
    const botFiles = [
      'bot-service-account.yaml',
      'bot-cluster-role.yaml',
      'bot-cluster-role-binding.yaml',
      'bot-state-role.yaml',
      'start-role-bindings.yaml',
      'config.yaml',
      'deployment.yaml',
      'webhook-service.yaml',
    ];
    expect(overlay).toEqual(
      root.flatMap((file) =>
        file === 'deployment.yaml' ? ['controller-deployment.yaml'] : botFiles.includes(file) ? [] : [`../../${file}`],
      ),
    );
    const documents = await readManifests(join(deployDir, 'overlays', 'controller-only'));
    const names = documents.map((d) => `${d.object.kind}/${d.object.metadata?.name ?? ''}`);
    expect(names.filter((name) => name.includes('bot') || name === 'Deployment/gradual' || name.startsWith('ConfigMap/'))).toEqual([]);
    const deployment = documents.find((d) => d.object.kind === 'Deployment')?.object as KubernetesObject & {
      spec: { replicas: number; template: { spec: { serviceAccountName: string; containers: { args: string[] }[] } } };
    };
    expect(deployment.metadata?.name).toBe('gradual-controller');
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.serviceAccountName).toBe('gradual');
    expect(deployment.spec.template.spec.containers[0]?.args).toEqual(['controller', '--lease-namespace', 'gradual-system']);
  });

  it("keep the Secret and the Ingress out of the kustomization: re-applying deploy/ never overwrites the app's credentials", async () => {
    const kinds = (await readManifests(deployDir)).map((d) => d.object.kind);
    expect(kinds).not.toContain('Secret');
    expect(kinds).not.toContain('Ingress');
    const secret = parseManifests(
      await readFile(join(deployDir, 'github-app-secret.example.yaml'), 'utf8'),
      'github-app-secret.example.yaml',
    )[0]?.object as KubernetesObject & { stringData: Record<string, string> };
    expect(Object.keys(secret.stringData).sort()).toEqual(['APP_ID', 'PRIVATE_KEY', 'WEBHOOK_SECRET']);
  });
});
