// Typed API errors, so callers branch on reason (NotFound, Conflict, Gone…) the way client-go's
// apierrors.IsNotFound does, instead of matching message strings.

/** The metav1.Status body the API server returns with an error. */
export interface StatusBody {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
    retryAfterSeconds?: number;
  };
}

export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly body: StatusBody | undefined;
  readonly method: string;
  readonly path: string;
  override readonly name = 'ApiError';

  constructor(status: number, body: StatusBody | undefined, method: string, path: string, raw?: string) {
    const reason = body?.reason ?? reasonForCode(status);
    super(`${method} ${path}: ${status} ${reason}: ${body?.message ?? raw?.slice(0, 300) ?? ''}`);
    this.status = status;
    this.reason = reason;
    this.body = body;
    this.method = method;
    this.path = path;
  }
}

/** The reason client-go infers when the body carries none (apierrors.NewGenericServerResponse). */
function reasonForCode(code: number): string {
  switch (code) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 405:
      return 'MethodNotAllowed';
    case 409:
      return 'Conflict';
    case 410:
      return 'Expired';
    case 415:
      return 'UnsupportedMediaType';
    case 422:
      return 'Invalid';
    case 429:
      return 'TooManyRequests';
    case 500:
      return 'InternalError';
    case 503:
      return 'ServiceUnavailable';
    case 504:
      return 'Timeout';
    default:
      return 'Unknown';
  }
}

function api(e: unknown): ApiError | undefined {
  return e instanceof ApiError ? e : undefined;
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}
export function reasonOf(e: unknown): string | undefined {
  return api(e)?.reason;
}
export const isNotFound = (e: unknown): boolean => api(e)?.reason === 'NotFound' || api(e)?.status === 404;
export const isAlreadyExists = (e: unknown): boolean => api(e)?.reason === 'AlreadyExists';
/** 409 Conflict that is not AlreadyExists: a stale resourceVersion or an apply conflict. */
export const isConflict = (e: unknown): boolean => api(e)?.reason === 'Conflict';
/** 410 Gone / Expired: the resourceVersion is too old; relist. */
export const isGone = (e: unknown): boolean =>
  api(e)?.status === 410 || api(e)?.reason === 'Expired' || api(e)?.reason === 'Gone';
/** 422: an invalid object, or a JSON patch whose `test` op failed. */
export const isUnprocessable = (e: unknown): boolean => api(e)?.status === 422;
export const isInvalid = (e: unknown): boolean => api(e)?.reason === 'Invalid';
export const isForbidden = (e: unknown): boolean => api(e)?.reason === 'Forbidden';
export const isUnauthorized = (e: unknown): boolean => api(e)?.reason === 'Unauthorized';
export const isBadRequest = (e: unknown): boolean => api(e)?.reason === 'BadRequest';
export const isTooManyRequests = (e: unknown): boolean => api(e)?.status === 429;
export const isServerTimeout = (e: unknown): boolean =>
  api(e)?.reason === 'ServerTimeout' || api(e)?.reason === 'Timeout';
export const isServiceUnavailable = (e: unknown): boolean => api(e)?.status === 503;

/** An error's message for logs, Events and status (non-Errors stringified). */
export function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
