import { useEffect, useState } from 'preact/hooks';
import { runs as fetchRuns, type Run } from './api.ts';
import { Table } from './view.tsx';

/** The committed and local benchmark runs, each with its report page when it has one. */
export const Runs = () => {
  const [runs, setRuns] = useState<Run[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    fetchRuns().then(setRuns, (e: Error) => setError(e.message));
  }, []);
  return (
    <section aria-labelledby="runs-title">
      <h1 id="runs-title">Benchmark runs</h1>
      <p>
        Each run's tables, charts and checker verdict on one page (<code>npm run bench -- report &lt;run&gt;</code>{' '}
        writes it for an older run).
      </p>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {runs && (
        <Table head={['Run', 'When', 'Suites', 'Modes']}>
          {runs.map((r) => (
            <tr>
              <td>{r.report ? <a href={r.report}>{r.id}</a> : `${r.id} (no report page)`}</td>
              <td>{r.generatedAt ? new Date(r.generatedAt).toLocaleString() : '—'}</td>
              <td>{r.suites.join(', ')}</td>
              <td>{r.modes.join(', ')}</td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
};
