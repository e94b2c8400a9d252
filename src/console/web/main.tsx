// The console's shell: session header, navigation, hash routes.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { SessionInfo } from '../protocol.ts';
import { call } from './api.ts';
import { Cluster } from './Cluster.tsx';
import { Clusters } from './Clusters.tsx';
import { Create } from './Create.tsx';
import { connect } from './store.ts';
import { Jobs, Services } from './Workloads.tsx';
import './style.css';

function useHash(): string {
  const [h, set] = useState(location.hash);
  useEffect(() => {
    const l = () => {
      set(location.hash);
    };
    window.addEventListener('hashchange', l);
    return () => {
      window.removeEventListener('hashchange', l);
    };
  }, []);
  return h;
}

function App() {
  const [session, setSession] = useState<SessionInfo>();
  useEffect(() => {
    void call<SessionInfo>('api/session').then(setSession);
  }, []);
  const hash = useHash();
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  let view;
  if (parts[0] === 'cluster' && parts[1] && parts[2]) view = <Cluster namespace={parts[1]} name={parts[2]} />;
  else if (parts[0] === 'create') view = <Create defaultNamespace={session?.namespaces[0] ?? 'default'} />;
  else if (parts[0] === 'jobs') view = <Jobs />;
  else if (parts[0] === 'services') view = <Services />;
  else view = <Clusters />;
  return (
    <>
      <header>
        <strong>Kuray console</strong>
        <nav>
          <a href="#/">Clusters</a>
          <a href="#/jobs">RayJobs</a>
          <a href="#/services">RayServices</a>
          <a href="#/create">Create from YAML</a>
        </nav>
        {session && (
          <span class="who" data-testid="session">
            {session.user} @ {session.context} ·{' '}
            {session.namespaces.length === 0
              ? 'all namespaces'
              : `namespace ${session.namespaces.join(', ')}`}
          </span>
        )}
      </header>
      {session?.scopeNote && <p class="hint scope">{session.scopeNote}</p>}
      <main>{view}</main>
    </>
  );
}

connect();
render(<App />, document.getElementById('app')!);
