import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { runOfSource, sources as fetchSources, type Source } from './api.ts';
import { SagaList } from './list.tsx';
import { SagaPage } from './saga.tsx';
import { Runs } from './runs.tsx';
import { parseList } from './state.ts';

/** Where the address points: the list (`#/?…`), one saga (`#/saga/<source>/<id>`) or the runs (`#/runs`). */
type Route =
  { kind: 'list'; params: URLSearchParams } | { kind: 'saga'; source: string; id: string } | { kind: 'runs' };

const routeOf = (hash: string): Route => {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'saga' && parts.length === 3) return { kind: 'saga', source: parts[1]!, id: parts[2]! };
  if (parts[0] === 'runs') return { kind: 'runs' };
  return { kind: 'list', params: new URLSearchParams(query) };
};

const TOKEN_KEY = 'saga-explorer-admin-token';

/** The admin token the actions send (kept for this browser tab only). */
const TokenField = ({ token, setToken }: { token: string; setToken: (t: string) => void }) => (
  <label class="token">
    Admin token{' '}
    <input
      type="password"
      autocomplete="off"
      value={token}
      onInput={(e) => setToken((e.target as HTMLInputElement).value)}
      placeholder="for retry, compensate, resolve"
    />
  </label>
);

const App = () => {
  const [route, setRoute] = useState(routeOf(location.hash));
  const [sources, setSources] = useState<Source[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [token, setTokenState] = useState(sessionStorage.getItem(TOKEN_KEY) ?? '');
  const setToken = (t: string) => {
    sessionStorage.setItem(TOKEN_KEY, t);
    setTokenState(t);
  };

  useEffect(() => {
    const onHash = () => setRoute(routeOf(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  // A benchmark run's kept sagas are sources too: those of the run the address names, else the newest.
  const run = runOfSource(
    route.kind === 'saga' ? route.source : route.kind === 'list' ? (route.params.get('source') ?? '') : '',
  );
  useEffect(() => {
    let alive = true;
    const load = () =>
      fetchSources(run).then(
        (s) => alive && (setSources(s), setError(undefined)),
        (e: Error) => alive && setError(e.message),
      );
    void load();
    const t = setInterval(() => void load(), 5_000);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, [run]);

  const fallback = sources?.find((s) => s.up && !s.archived)?.name ?? sources?.find((s) => s.up)?.name ?? 'custom';
  return (
    <>
      <header>
        <a class="brand" href="#/">
          Saga Explorer
        </a>
        <nav aria-label="Main">
          <a href="#/" aria-current={route.kind !== 'runs' ? 'page' : undefined}>
            Sagas
          </a>
          <a href="#/runs" aria-current={route.kind === 'runs' ? 'page' : undefined}>
            Benchmark runs
          </a>
        </nav>
        <TokenField token={token} setToken={setToken} />
      </header>
      <main>
        {error && (
          <p role="alert" class="error">
            The explorer's server does not answer: {error}
          </p>
        )}
        {!sources ? (
          <p>Looking for coordinators…</p>
        ) : route.kind === 'saga' ? (
          <SagaPage
            source={sources.find((s) => s.name === route.source)}
            name={route.source}
            id={route.id}
            token={token}
          />
        ) : route.kind === 'runs' ? (
          <Runs />
        ) : (
          <SagaList sources={sources} state={parseList(route.params, fallback)} token={token} />
        )}
      </main>
    </>
  );
};

const root = document.getElementById('app')!;
root.textContent = ''; // the "Loading…" line the page starts with
render(<App />, root);
