import type { OperatorAction, SagaPage, SagaTimeline } from '@saga/contracts';
import type { Run, Source as SourceInfo } from '../src/shapes.ts';

/** Each coordinator as the explorer's server knows it, and whether it answers now. */
export type Source = SourceInfo & { up: boolean };
export type { Run };

/** An answer that was not 2xx: its status and the coordinator's (or the explorer's) message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const call = async <T>(path: string, init?: RequestInit): Promise<T> => {
  const res = await fetch(path, init);
  const body = (await res.json().catch(() => ({}))) as { error?: string; details?: unknown };
  if (!res.ok) {
    const details = Array.isArray(body.details)
      ? ` (${(body.details as { path?: string; message?: string }[]).map((d) => `${d.path}: ${d.message}`).join('; ')})`
      : '';
    throw new ApiError(res.status, `${body.error ?? res.statusText}${details}`);
  }
  return body as T;
};

export const sources = (run?: string) => call<Source[]>(`/api/sources${run ? `?run=${encodeURIComponent(run)}` : ''}`);
/** The run of a source that is a benchmark run's kept sagas (`run:<run>:<mode>`). */
export const runOfSource = (name: string) => /^run:([^:]+):[^:]+$/.exec(name)?.[1];
export const runs = () => call<Run[]>('/api/runs');
export const listSagas = (source: string, query: URLSearchParams) =>
  call<SagaPage>(`/api/sources/${encodeURIComponent(source)}/sagas?${query.toString()}`);
export const getSaga = (source: string, id: string) =>
  call<SagaTimeline>(`/api/sources/${encodeURIComponent(source)}/sagas/${encodeURIComponent(id)}`);
export const operate = (source: string, id: string, action: OperatorAction, token: string, note?: string) =>
  call<{ id: string; status: string; currentStep: string | null }>(
    `/api/sources/${encodeURIComponent(source)}/sagas/${encodeURIComponent(id)}/${action}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(note ? { note } : {}),
    },
  );
