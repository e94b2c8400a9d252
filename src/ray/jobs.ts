// Ray Jobs API shapes (ray/dashboard/modules/job/{common,pydantic_models}.py in Ray 2.58), and the
// checks that turn the dashboard's untyped JSON into them.
import { RayHttpBodyError } from './http.ts';

export type JobStatus = 'PENDING' | 'RUNNING' | 'STOPPED' | 'SUCCEEDED' | 'FAILED';
export const JOB_STATUSES: readonly JobStatus[] = ['PENDING', 'RUNNING', 'STOPPED', 'SUCCEEDED', 'FAILED'];
const TERMINAL: ReadonlySet<JobStatus> = new Set(['STOPPED', 'SUCCEEDED', 'FAILED']);

export function isTerminalJobStatus(s: JobStatus): boolean {
  return TERMINAL.has(s);
}

/** POST /api/jobs/ body. Fields left undefined are not sent (Ray strips None values too). */
export interface JobSubmitRequest {
  entrypoint: string;
  submission_id?: string;
  runtime_env?: Record<string, unknown>;
  metadata?: Record<string, string>;
  entrypoint_num_cpus?: number;
  entrypoint_num_gpus?: number;
  /** Bytes, an integer. */
  entrypoint_memory?: number;
  entrypoint_resources?: Record<string, number>;
  entrypoint_label_selector?: Record<string, string>;
}

export interface JobDetails {
  type: 'SUBMISSION' | 'DRIVER';
  job_id: string | null;
  submission_id: string | null;
  status: JobStatus;
  entrypoint: string;
  message: string | null;
  error_type: string | null;
  /** Unix milliseconds. */
  start_time: number | null;
  end_time: number | null;
  metadata: Record<string, string> | null;
  runtime_env: Record<string, unknown> | null;
  driver_info: { id: string; node_ip_address: string; pid: string } | null;
  driver_agent_http_address: string | null;
  driver_node_id: string | null;
  driver_exit_code: number | null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Record<string, unknown>, k: string): string | null {
  const v = o[k];
  return typeof v === 'string' ? v : null;
}

function num(o: Record<string, unknown>, k: string): number | null {
  const v = o[k];
  return typeof v === 'number' ? v : null;
}

/** Validates one JobDetails object from the dashboard; unknown extra fields are ignored. */
export function parseJobDetails(v: unknown, url: string): JobDetails {
  if (!isObject(v)) throw new RayHttpBodyError(url, `${url}: job details is not an object`);
  const status = v.status;
  if (typeof status !== 'string' || !(JOB_STATUSES as readonly string[]).includes(status)) {
    throw new RayHttpBodyError(url, `${url}: unknown job status ${JSON.stringify(status)}`);
  }
  const type = v.type === 'DRIVER' ? 'DRIVER' : 'SUBMISSION';
  const di = v.driver_info;
  return {
    type,
    job_id: str(v, 'job_id'),
    submission_id: str(v, 'submission_id'),
    status: status as JobStatus,
    entrypoint: str(v, 'entrypoint') ?? '',
    message: str(v, 'message'),
    error_type: str(v, 'error_type'),
    start_time: num(v, 'start_time'),
    end_time: num(v, 'end_time'),
    metadata: isObject(v.metadata) ? (v.metadata as Record<string, string>) : null,
    runtime_env: isObject(v.runtime_env) ? v.runtime_env : null,
    driver_info: isObject(di)
      ? { id: String(di.id), node_ip_address: String(di.node_ip_address), pid: String(di.pid) }
      : null,
    driver_agent_http_address: str(v, 'driver_agent_http_address'),
    driver_node_id: str(v, 'driver_node_id'),
    driver_exit_code: num(v, 'driver_exit_code'),
  };
}

/** Ray's answer to a duplicate submission_id is a 500 whose body contains this (KubeRay matches it too). */
export const JOB_ALREADY_EXISTS = 'already exists';
