import type { LocalEnvironment } from '../../src/local/types.js';

// The integration global setup starts one embedded local environment per test
// run and hands its description to every test file through vitest's inject().
declare module 'vitest' {
  export interface ProvidedContext {
    gradualEnv: LocalEnvironment;
  }
}
