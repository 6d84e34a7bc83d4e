import { describe, expect, it } from 'vitest';
import { defaultPullPolicy, withPodTemplateDefaults } from './pod-template-defaults.js';

describe('defaultPullPolicy (Kubernetes: Always for :latest or no tag, else IfNotPresent)', () => {
  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['registry.example.com:5000/team/nginx', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['registry.example.com:5000/team/nginx:1.25', 'IfNotPresent'],
    ['nginx@sha256:0123', 'IfNotPresent'],
    ['nginx:latest@sha256:0123', 'Always'],
  ])('%s: %s', (image, policy) => {
    expect(defaultPullPolicy(image)).toBe(policy);
  });
});

describe('withPodTemplateDefaults', () => {
  it('gives a template what the v1.34 API server stored for it (a server-side dry run of a PodTemplate)', () => {
    const written = {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'nginx:1.25',
            ports: [{ containerPort: 80 }],
            env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            readinessProbe: { httpGet: { path: '/', port: 80 } },
            resources: { limits: { cpu: '100m' } },
          },
          { name: 'latest', image: 'nginx' },
        ],
        volumes: [
          { name: 'c', configMap: { name: 'c' } },
          { name: 'h', hostPath: { path: '/tmp' } },
          { name: 'd', downwardAPI: { items: [{ path: 'p', fieldRef: { fieldPath: 'metadata.name' } }] } },
        ],
      },
    };
    expect(withPodTemplateDefaults(written)).toEqual({
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'nginx:1.25',
            imagePullPolicy: 'IfNotPresent',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            env: [{ name: 'A', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }],
            readinessProbe: {
              httpGet: { path: '/', port: 80, scheme: 'HTTP' },
              timeoutSeconds: 1,
              periodSeconds: 10,
              successThreshold: 1,
              failureThreshold: 3,
            },
            resources: { limits: { cpu: '100m' } },
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
          },
          {
            name: 'latest',
            image: 'nginx',
            imagePullPolicy: 'Always',
            resources: {},
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
          },
        ],
        volumes: [
          { name: 'c', configMap: { name: 'c', defaultMode: 420 } },
          { name: 'h', hostPath: { path: '/tmp', type: '' } },
          {
            name: 'd',
            downwardAPI: { defaultMode: 420, items: [{ path: 'p', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } }] },
          },
        ],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        securityContext: {},
        schedulerName: 'default-scheduler',
      },
    });
    // The input is left as it was.
    expect(written.spec.containers[1]).toEqual({ name: 'latest', image: 'nginx' });
  });

  it('keeps what the template sets, so a changed field still differs', () => {
    const template = {
      spec: {
        restartPolicy: 'Always',
        containers: [{ name: 'app', image: 'nginx:1.25', imagePullPolicy: 'Always' }],
        terminationGracePeriodSeconds: 5,
      },
    };
    expect(withPodTemplateDefaults(template)).toMatchObject({
      spec: { terminationGracePeriodSeconds: 5, containers: [{ imagePullPolicy: 'Always' }] },
    });
  });
});
