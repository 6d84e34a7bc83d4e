/**
 * Deliveries already handled, by X-GitHub-Delivery id. GitHub redelivers on
 * request and after timeouts; a repeat is dropped here, and every handler is
 * idempotent besides (a restart forgets this memory).
 */
export interface DeliveryMemory {
  /** True the first time an id is seen. */
  firstTime(id: string): boolean;
}

export function createDeliveryMemory(capacity = 10_000): DeliveryMemory {
  const seen = new Set<string>();
  return {
    firstTime(id) {
      if (seen.has(id)) return false;
      seen.add(id);
      // A Set iterates in insertion order: the oldest id goes first.
      if (seen.size > capacity) for (const oldest of seen) { seen.delete(oldest); break; }
      return true;
    },
  };
}
