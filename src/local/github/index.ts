export { startGithubServer, type GithubServer, type GithubServerOptions, type Violation } from './server.js';
export { seedInstallation, seedPerson, seedPullRequest, seedRepository, seedUser, seedUserToken, type SeedFile } from './seed.js';
export { loadGithubDescription } from './description.js';
export { validateWebhookPayload } from './webhook-schema.js';
export type * from './types.js';
export * as person from './person.js';
