import { mkdir, readFile, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log/index.js';
import type { ControlPlaneBinaries } from './binaries.js';
import { httpsGet } from './https-get.js';
import { renderKubeconfig } from './kubeconfig.js';
import { createControlPlanePki, type ControlPlanePki } from './pki.js';
import { startProcess, type StartedProcess } from './process-supervisor.js';
import type { ManagedProcess } from './types.js';
import { waitUntil } from './wait-until.js';

export interface ControlPlanePorts {
  etcdClient: number;
  etcdPeer: number;
  apiServer: number;
}

export interface ControlPlane {
  apiServerUrl: string;
  etcdUrl: string;
  kubeconfig: string;
  pki: ControlPlanePki;
}

const serviceClusterIpRange = '10.96.0.0/16';
const readyTimeoutMs = 240_000;

/**
 * Starts etcd, kube-apiserver, kube-controller-manager and kube-scheduler on
 * loopback, in that order, each waited for before the next. Every process is
 * pushed to `started` as soon as it exists, so a caller can stop what was
 * started if a later step fails.
 */
export async function startControlPlane(options: {
  dir: string;
  binaries: ControlPlaneBinaries;
  ports: ControlPlanePorts;
  logger: Logger;
  started: ManagedProcess[];
}): Promise<ControlPlane> {
  const { dir, binaries, ports, logger, started } = options;
  const pkiDir = join(dir, 'pki');
  const logDir = join(dir, 'logs');
  await mkdir(logDir, { recursive: true });
  const pki = await loadOrCreatePki(pkiDir);
  const paths = {
    ca: join(pkiDir, 'ca.crt'),
    apiServerCert: join(pkiDir, 'apiserver.crt'),
    apiServerKey: join(pkiDir, 'apiserver.key'),
    saPub: join(pkiDir, 'sa.pub'),
    saKey: join(pkiDir, 'sa.key'),
  };
  const apiServerUrl = `https://127.0.0.1:${String(ports.apiServer)}`;
  const etcdUrl = `http://127.0.0.1:${String(ports.etcdClient)}`;
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, renderKubeconfig({ server: apiServerUrl, caCert: pki.ca.cert, client: pki.admin }), { mode: 0o600 });

  function start(name: string, command: string, args: string[]): StartedProcess {
    const process = startProcess({ name, command, args, logFile: join(logDir, `${name}.log`) });
    started.push(process.record);
    logger.info({ component: name, pid: process.record.pid }, 'started');
    return process;
  }

  const peerUrl = `http://127.0.0.1:${String(ports.etcdPeer)}`;
  const etcd = start('etcd', binaries.etcd, [
    '--name=gradual',
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=gradual=${peerUrl}`,
    // A throwaway test store: durability is not worth the fsync latency.
    '--unsafe-no-fsync',
    '--log-level=warn',
  ]);
  await waitUntil(
    async () => {
      const response = await fetch(`${etcdUrl}/health`);
      return response.ok && ((await response.json()) as { health?: string }).health === 'true';
    },
    { what: `etcd at ${etcdUrl}`, timeoutMs: readyTimeoutMs, abortOn: [etcd.exited] },
  );

  const apiServer = start('kube-apiserver', binaries.kubeApiserver, [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    // Explicit: the sandbox may have no default route to derive an address from.
    '--advertise-address=127.0.0.1',
    `--secure-port=${String(ports.apiServer)}`,
    `--cert-dir=${pkiDir}`,
    `--tls-cert-file=${paths.apiServerCert}`,
    `--tls-private-key-file=${paths.apiServerKey}`,
    `--client-ca-file=${paths.ca}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${paths.saPub}`,
    `--service-account-signing-key-file=${paths.saKey}`,
    `--service-cluster-ip-range=${serviceClusterIpRange}`,
    '--authorization-mode=Node,RBAC',
    // A loopback address is not a valid endpoint for the `kubernetes` Service; nothing in-cluster needs it here.
    '--endpoint-reconciler-type=none',
    '--allow-privileged=true',
    '--profiling=false',
    '--v=0',
  ]);
  const tls = { ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key };
  await waitUntil(
    async () => {
      const { status, body } = await httpsGet(`${apiServerUrl}/readyz`, tls);
      if (status !== 200) throw new Error(`/readyz answered ${String(status)}: ${body.slice(0, 200)}`);
      return true;
    },
    { what: `kube-apiserver at ${apiServerUrl}`, timeoutMs: readyTimeoutMs, abortOn: [apiServer.exited] },
  );
  logger.info({ component: 'kube-apiserver', url: apiServerUrl }, 'ready');

  const controllerManager = start('kube-controller-manager', binaries.kubeControllerManager, [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--service-account-private-key-file=${paths.saKey}`,
    `--root-ca-file=${paths.ca}`,
    `--service-cluster-ip-range=${serviceClusterIpRange}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    // No serving port: nothing scrapes it, and a fixed port would collide between environments.
    '--secure-port=0',
    '--controllers=*',
    // Its client defaults (20 requests/s, bursts of 30) suit a shared production API server, not a loopback one:
    // with them, 1,000 new Rollouts took 243 s to be Healthy under Gradual's controller; with these, 155 s.
    '--kube-api-qps=200',
    '--kube-api-burst=400',
    '--v=0',
  ]);
  const scheduler = start('kube-scheduler', binaries.kubeScheduler, [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    '--secure-port=0',
    '--v=0',
  ]);
  // Neither serves health without a port: readiness shows as the default ServiceAccount appearing (controller-manager)
  // and, later, pods being scheduled. Here we only make sure neither died on its flags.
  await waitUntil(
    async () => {
      const { status } = await httpsGet(`${apiServerUrl}/api/v1/namespaces/default/serviceaccounts/default`, tls);
      return status === 200;
    },
    {
      what: 'kube-controller-manager (the default ServiceAccount)',
      timeoutMs: readyTimeoutMs,
      abortOn: [controllerManager.exited, scheduler.exited],
    },
  );
  logger.info({ component: 'kube-controller-manager' }, 'ready');
  return { apiServerUrl, etcdUrl, kubeconfig, pki };
}

/** Reuses the PKI of an environment started before in the same folder: etcd's data was signed for it. */
async function loadOrCreatePki(pkiDir: string): Promise<ControlPlanePki> {
  const files = {
    caCert: join(pkiDir, 'ca.crt'),
    caKey: join(pkiDir, 'ca.key'),
    apiServerCert: join(pkiDir, 'apiserver.crt'),
    apiServerKey: join(pkiDir, 'apiserver.key'),
    adminCert: join(pkiDir, 'admin.crt'),
    adminKey: join(pkiDir, 'admin.key'),
    saPub: join(pkiDir, 'sa.pub'),
    saKey: join(pkiDir, 'sa.key'),
  };
  const complete = await Promise.all(
    Object.values(files).map((file) =>
      access(file).then(
        () => true,
        () => false,
      ),
    ),
  );
  if (complete.every(Boolean)) {
    const read = (file: string): Promise<string> => readFile(file, 'utf8');
    return {
      ca: { cert: await read(files.caCert), key: await read(files.caKey) },
      apiServer: { cert: await read(files.apiServerCert), key: await read(files.apiServerKey) },
      admin: { cert: await read(files.adminCert), key: await read(files.adminKey) },
      serviceAccount: { publicKey: await read(files.saPub), privateKey: await read(files.saKey) },
    };
  }
  const pki = await createControlPlanePki();
  await mkdir(pkiDir, { recursive: true, mode: 0o700 });
  const write = (file: string, text: string): Promise<void> => writeFile(file, text, { mode: 0o600 });
  await Promise.all([
    write(files.caCert, pki.ca.cert),
    write(files.caKey, pki.ca.key),
    write(files.apiServerCert, pki.apiServer.cert),
    write(files.apiServerKey, pki.apiServer.key),
    write(files.adminCert, pki.admin.cert),
    write(files.adminKey, pki.admin.key),
    write(files.saPub, pki.serviceAccount.publicKey),
    write(files.saKey, pki.serviceAccount.privateKey),
  ]);
  return pki;
}
