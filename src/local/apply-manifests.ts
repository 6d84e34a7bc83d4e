import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { KubernetesObjectApi, loadYaml, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { LineCounter, parseAllDocuments, parseDocument } from 'yaml';
import type { Logger } from '../log/index.js';
import { SetupError } from './errors.js';

/** One object of a manifest file and where it came from (`file:line`), for error messages. */
export interface ManifestDocument {
  source: string;
  object: KubernetesObject;
}

export interface AppliedObject {
  source: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface ApplyManifestsOptions {
  kubeConfig: KubeConfig;
  /** A kustomization file, a folder holding one (its `resources`, in order), or a folder of *.yaml / *.yml files (by name). */
  path: string;
  /** The server-side-apply field manager; `gradual` by default. */
  fieldManager?: string;
  /** Take over fields another manager owns (`kubectl apply --server-side --force-conflicts`); false by default. */
  force?: boolean;
  /** Changes an object before it is sent, or skips it by returning undefined. Gets a copy: mutating it is fine. */
  transform?: (object: KubernetesObject) => KubernetesObject | undefined;
  logger?: Logger;
}

const kustomizationNames = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
/** `kubectl apply -k` would honour every other kustomize field; refusing them is better than ignoring them. */
const plainKustomizationKeys = new Set(['apiVersion', 'kind', 'resources']);

/**
 * The `resources` of a kustomization, as written (paths relative to its folder). Only a plain resources
 * list is understood: any other kustomize field (namespace, patches, images, ...) and remote resources are
 * refused with an error that names them, never silently skipped. Pure.
 */
export function parseKustomization(text: string, file: string): string[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  const [problem] = document.errors;
  if (problem !== undefined) throw new SetupError('INVALID_INPUT', `${file}:${String(problem.linePos?.[0].line ?? 0)}: ${problem.message}`);
  const value = document.toJS() as unknown;
  if (value === null || value === undefined) return [];
  if (typeof value !== 'object' || Array.isArray(value)) throw new SetupError('INVALID_INPUT', `${file}: a kustomization is a mapping`);
  const kustomization = value as Record<string, unknown>;
  const unsupported = Object.keys(kustomization).filter((key) => !plainKustomizationKeys.has(key));
  if (unsupported.length > 0) {
    throw new SetupError(
      'INVALID_INPUT',
      `${file}: only a plain \`resources\` list is supported; unsupported kustomization fields: ${unsupported.join(', ')}`,
    );
  }
  if (kustomization['kind'] !== undefined && kustomization['kind'] !== 'Kustomization') {
    throw new SetupError('INVALID_INPUT', `${file}: kind is ${JSON.stringify(kustomization['kind'])}, expected Kustomization`);
  }
  const resources = kustomization['resources'] ?? [];
  if (!Array.isArray(resources)) throw new SetupError('INVALID_INPUT', `${file}: resources must be a list of paths`);
  return resources.map((entry: unknown, index) => {
    if (typeof entry !== 'string' || entry === '')
      throw new SetupError('INVALID_INPUT', `${file}: resources[${String(index)}] must be a non-empty path`);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || entry.startsWith('github.com/')) {
      throw new SetupError('INVALID_INPUT', `${file}: resources[${String(index)}] ${entry}: remote resources are not supported`);
    }
    return entry;
  });
}

/**
 * The objects of one YAML file (multi-document; empty documents skipped). Each needs apiVersion, kind and
 * metadata.name; a YAML error or a missing field names the file and line. Pure.
 */
export function parseManifests(text: string, file: string): ManifestDocument[] {
  const lineCounter = new LineCounter();
  const documents: ManifestDocument[] = [];
  for (const document of parseAllDocuments(text, { lineCounter })) {
    const [problem] = document.errors;
    if (problem !== undefined)
      throw new SetupError('INVALID_INPUT', `${file}:${String(problem.linePos?.[0].line ?? 0)}: ${problem.message}`);
    const object = document.toJS() as unknown;
    if (object === null || object === undefined) continue;
    const start = document.contents?.range[0] ?? document.range[0];
    const source = `${file}:${String(lineCounter.linePos(start).line)}`;
    if (typeof object !== 'object' || Array.isArray(object)) throw new SetupError('INVALID_INPUT', `${source}: a manifest is a mapping`);
    const candidate = object as KubernetesObject;
    const missing = [
      typeof candidate.apiVersion === 'string' && candidate.apiVersion !== '' ? undefined : 'apiVersion',
      typeof candidate.kind === 'string' && candidate.kind !== '' ? undefined : 'kind',
      typeof candidate.metadata?.name === 'string' && candidate.metadata.name !== '' ? undefined : 'metadata.name',
    ].filter((field): field is string => field !== undefined);
    if (missing.length > 0) throw new SetupError('INVALID_INPUT', `${source}: missing ${missing.join(', ')}`);
    documents.push({ source, object: candidate });
  }
  return documents;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (cause) {
    throw new SetupError('INVALID_INPUT', `${path}: no such file or folder`, { cause });
  }
}

async function kustomizationIn(dir: string): Promise<string | undefined> {
  const entries = new Set(await readdir(dir));
  const name = kustomizationNames.find((candidate) => entries.has(candidate));
  return name === undefined ? undefined : join(dir, name);
}

/**
 * Every object under `path`, in apply order, read and checked before anything is sent: a kustomization's
 * resources in their listed order (a folder entry is read the same way, recursively), or a plain folder's
 * *.yaml / *.yml files sorted by name (not recursive).
 */
export function readManifests(path: string): Promise<ManifestDocument[]> {
  return readFrom(path, new Set());
}

async function readFrom(path: string, seen: ReadonlySet<string>): Promise<ManifestDocument[]> {
  const absolute = resolve(path);
  if (seen.has(absolute)) throw new SetupError('INVALID_INPUT', `${absolute}: kustomization resources form a cycle`);
  const visiting = new Set([...seen, absolute]);
  if (await isDirectory(absolute)) {
    const kustomization = await kustomizationIn(absolute);
    if (kustomization !== undefined) return readFrom(kustomization, visiting);
    const files = (await readdir(absolute)).filter((file) => file.endsWith('.yaml') || file.endsWith('.yml')).sort();
    const documents: ManifestDocument[] = [];
    for (const file of files) documents.push(...parseManifests(await readFile(join(absolute, file), 'utf8'), join(absolute, file)));
    return documents;
  }
  const text = await readFile(absolute, 'utf8');
  if (!kustomizationNames.includes(basename(absolute))) return parseManifests(text, absolute);
  const documents: ManifestDocument[] = [];
  for (const resource of parseKustomization(text, absolute))
    documents.push(...(await readFrom(join(dirname(absolute), resource), visiting)));
  return documents;
}

/**
 * Server-side applies the manifests under `path` (see readManifests) in order, as
 * `kubectl apply --server-side` would: idempotent, and only the fields written here are owned by
 * `fieldManager`. Everything is read and checked first, so a bad file applies nothing; an object the
 * API server refuses stops the run with an error naming the object and its file.
 */
export async function applyManifests(options: ApplyManifestsOptions): Promise<AppliedObject[]> {
  const documents = await readManifests(options.path);
  const client = KubernetesObjectApi.makeApiClient(options.kubeConfig);
  const fieldManager = options.fieldManager ?? 'gradual';
  const applied: AppliedObject[] = [];
  for (const { source, object } of documents) {
    const copy = structuredClone(object);
    const transformed = options.transform === undefined ? copy : options.transform(copy);
    if (transformed === undefined) {
      options.logger?.debug({ source, kind: object.kind, name: object.metadata?.name }, 'skipped');
      continue;
    }
    // Through the client's own model: its serializer drops the `x-kubernetes-*` keys of a plain object
    // (int-or-string, preserve-unknown-fields in CRD schemas), and the API server would refuse the CRD.
    const body = loadYaml<KubernetesObject>(JSON.stringify(transformed));
    const identity: AppliedObject = {
      source,
      apiVersion: body.apiVersion ?? '',
      kind: body.kind ?? '',
      name: body.metadata?.name ?? '',
      ...(body.metadata?.namespace === undefined ? {} : { namespace: body.metadata.namespace }),
    };
    try {
      await client.patch(body, undefined, undefined, fieldManager, options.force ?? false, PatchStrategy.ServerSideApply);
    } catch (cause) {
      const where = identity.namespace === undefined ? identity.name : `${identity.namespace}/${identity.name}`;
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new Error(`${source}: applying ${identity.kind} ${where} failed: ${message}`, { cause });
    }
    options.logger?.debug({ source, kind: identity.kind, name: identity.name, namespace: identity.namespace }, 'applied');
    applied.push(identity);
  }
  return applied;
}
