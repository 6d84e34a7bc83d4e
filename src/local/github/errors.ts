import { GradualError } from '../../errors/gradual-error.js';
/**
 * A request GitHub would refuse: the HTTP status and the body GitHub sends
 * (`message`, `documentation_url`, `status` as a string, and for validation
 * failures `errors`). Handlers throw it; the request shell turns it into the
 * response and discards every change the handler made.
 */
export interface GithubErrorDetail {
  resource?: string;
  field?: string;
  code: string;
  message?: string;
}

export class GithubApiError extends GradualError {
  readonly status: number;
  readonly errors: readonly GithubErrorDetail[] | undefined;

  constructor(status: number, message: string, errors?: readonly GithubErrorDetail[]) {
    super('GITHUB_API', message);
    this.status = status;
    this.errors = errors;
  }
}

export const restDocs = 'https://docs.github.com/rest';

export interface GithubErrorBody {
  message: string;
  documentation_url: string;
  status: string;
  errors?: GithubErrorDetail[];
}

export function errorBody(error: GithubApiError, documentationUrl: string): GithubErrorBody {
  return {
    message: error.message,
    documentation_url: documentationUrl,
    status: String(error.status),
    ...(error.errors !== undefined && { errors: [...error.errors] }),
  };
}

export function notFound(): GithubApiError {
  return new GithubApiError(404, 'Not Found');
}

export function notAccessible(): GithubApiError {
  return new GithubApiError(403, 'Resource not accessible by integration');
}

/** A 422 "Validation Failed" for a rule the OpenAPI description does not express (GitHub's `custom` code). */
export function validationFailed(resource: string, field: string, message: string): GithubApiError {
  return new GithubApiError(422, 'Validation Failed', [{ resource, field, code: 'custom', message }]);
}

/** GitHub's answer to a body its JSON schema rejects: "Invalid request." and one line per problem. */
export function invalidRequest(lines: readonly string[]): GithubApiError {
  return new GithubApiError(422, ['Invalid request.', '', ...lines].join('\n'));
}
