import { describe, expect, it } from 'vitest';
import { fakeNode, kwokNodeName } from './kwok-nodes.js';

describe('fakeNode', () => {
  it.each([kwokNodeName(0), kwokNodeName(7), 'custom-node'])('describes %s as a Node KWOK manages', (name) => {
    const node = fakeNode(name);

    expect(node).toMatchObject({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
    expect(node.metadata?.annotations?.['kwok.x-k8s.io/node']).toBe('fake');
    expect(node.metadata?.labels?.['kubernetes.io/hostname']).toBe(name);
    // startKwokNodes finds its nodes by this label.
    expect(node.metadata?.labels?.['type']).toBe('kwok');
  });

  it('gives equal capacity and allocatable with cpu, memory and pods', () => {
    const status = fakeNode('kwok-node-0').status;

    expect(status?.capacity).toBeDefined();
    expect(Object.keys(status?.capacity ?? {}).sort()).toEqual(['cpu', 'memory', 'pods']);
    expect(status?.allocatable).toEqual(status?.capacity);
    expect(Number(status?.capacity?.['pods'])).toBeGreaterThan(0);
    expect(Number(status?.capacity?.['cpu'])).toBeGreaterThan(0);
    expect(status?.capacity?.['memory']).toMatch(/^\d+(Ki|Mi|Gi|Ti)$/);
  });

  it('returns a fresh object each time, so one node cannot change another', () => {
    const first = fakeNode('a');
    const second = fakeNode('b');

    expect(first).not.toBe(second);
    expect(first.metadata?.labels).not.toBe(second.metadata?.labels);
    expect(second.metadata?.name).toBe('b');
  });
});

describe('kwokNodeName', () => {
  it.each([
    { index: 0, name: 'kwok-node-0' },
    { index: 12, name: 'kwok-node-12' },
  ])('names node $index $name', ({ index, name }) => {
    expect(kwokNodeName(index)).toBe(name);
  });
});
