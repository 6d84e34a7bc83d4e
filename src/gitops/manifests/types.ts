import type { Position } from '../../api/index.js';
import type { PathSegment } from '../../api/index.js';
import type { KubeObject } from '../../kube/index.js';

/** Which commit to read, and how to reach its repository. */
export interface CheckoutInput {
  /** The repository's clone URL; credentials in it (`https://x-access-token:T@host/…`) are used, never logged nor kept on disk. */
  url: string;
  /** Sent with every git request, e.g. `{ authorization: 'Basic …' }`; values are secrets. */
  headers?: Record<string, string>;
  /** The ref the commit is reachable from (`main`, `refs/pull/7/head`); the remote's HEAD when absent. */
  ref?: string;
  /** The commit to read, 40 hex digits. */
  sha: string;
}

/** What a checkout cost on the network: nothing (commit already there), a first clone, or an incremental fetch. */
export interface FetchStats {
  kind: 'cached' | 'cloned' | 'fetched';
  /** Objects in the packfile received (0 when nothing was received). */
  objects: number;
  /** Bytes of that packfile. */
  bytes: number;
}

/** The files of one commit, read from the object store without a working copy. */
export interface ManifestTree {
  sha: string;
  fetch: FetchStats;
  /** Paths (repository-relative, `/`-separated, sorted) matching any of the globs (picomatch syntax). */
  listFiles(globs: readonly string[]): Promise<string[]>;
  /** A file's text (UTF-8) at that commit; undefined when there is no such file. */
  readFile(path: string): Promise<string | undefined>;
  /** A file's size, and its text when it is at most `maxBytes` (a bigger one is never decoded); undefined when there is no such file. */
  readFileWithin(path: string, maxBytes: number): Promise<{ bytes: number; text?: string } | undefined>;
}

export interface ManifestCache {
  /** Brings the commit into the repository's cached clone (cloning once, fetching new objects after) and returns its tree. */
  checkout(input: CheckoutInput): Promise<ManifestTree>;
}

export interface ManifestFileText {
  /** The repository-relative path, as annotations name it. */
  path: string;
  text: string;
}

/** What names a Kubernetes object. `namespace` is absent for cluster-scoped kinds. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** One object of a manifest file, as it will be applied, and where it is written. */
export interface ManifestObject {
  ref: ObjectRef;
  /** The document as applied: nulls dropped, the namespace filled in when the kind is namespaced and it had none. */
  object: KubeObject;
  file: string;
  /** Where the document starts; lines and columns count from 1. */
  line: number;
  column: number;
  /** Where a field of this document is written (its nearest written ancestor when it is not). */
  locate(path: readonly PathSegment[]): Position;
}

/** A problem in the manifests, at a place in a file. */
export interface ManifestError {
  file: string;
  line: number;
  column: number;
  message: string;
  /** The field, as `spec.strategy.canary.steps[2].setWeight`; absent for YAML syntax errors and whole-document problems. */
  path?: string;
}

export interface ParsedManifests {
  objects: ManifestObject[];
  errors: ManifestError[];
}

export interface ParseManifestsOptions {
  /** The environment's namespace, given to namespaced objects that name none. */
  namespace: string;
}

export type { Position };
