// Create from YAML: `kuray validate`'s errors and warnings (computed by the server with the same
// code) shown inline as you type, before anything is submitted; Create stays off while errors remain.
import { useEffect, useState } from 'preact/hooks';
import type { CreateResponse, ValidateResponse } from '../protocol.ts';
import { call } from './api.ts';

export function Create(props: { defaultNamespace: string }) {
  const [text, setText] = useState('');
  const [namespace, setNamespace] = useState(props.defaultNamespace);
  const [report, setReport] = useState<ValidateResponse>();
  const [result, setResult] = useState<CreateResponse>();
  useEffect(() => {
    const t = setTimeout(() => {
      if (text.trim() === '') {
        setReport(undefined);
        return;
      }
      call<ValidateResponse>('api/validate', { yaml: text }).then(setReport, (e: unknown) => {
        setReport({ objects: [], parseError: (e as Error).message });
      });
    }, 250);
    return () => {
      clearTimeout(t);
    };
  }, [text]);
  const errors = report?.objects.reduce((n, o) => n + o.errors.length, 0) ?? 0;
  const submit = (dryRun: boolean) =>
    call<CreateResponse>('api/create', { yaml: text, namespace, dryRun }).then(setResult, (e: unknown) => {
      setResult({ objects: [], created: [], error: (e as Error).message });
    });
  return (
    <section>
      <h2>Create from YAML</h2>
      <textarea
        aria-label="YAML"
        spellcheck={false}
        value={text}
        placeholder="paste RayCluster / RayJob / RayService YAML"
        onInput={(e) => {
          setText(e.currentTarget.value);
        }}
      />
      <div data-testid="validation">
        {report?.parseError && <p class="error">{report.parseError}</p>}
        {report?.objects.map((o) => (
          <div class="issues">
            <strong>{o.label}</strong>
            {o.errors.length + o.warnings.length + o.infos.length === 0 && <span class="ok"> ok</span>}
            <ul>
              {o.errors.map((i) => (
                <li class="error">
                  error: <code>{i.path}</code>: {i.message} <em>({i.hint})</em>
                </li>
              ))}
              {o.warnings.map((i) => (
                <li class="warning">
                  warning: <code>{i.path}</code>: {i.message} <em>({i.hint})</em>
                </li>
              ))}
              {o.infos.map((i) => (
                <li class="info">
                  info: <code>{i.path}</code>: {i.message}
                </li>
              ))}
            </ul>
          </div>
        ))}
      </div>
      <p class="actions">
        namespace (when the YAML names none){' '}
        <input
          value={namespace}
          aria-label="namespace"
          onInput={(e) => {
            setNamespace(e.currentTarget.value);
          }}
        />
        <button
          disabled={!report || errors > 0 || report.objects.length === 0}
          onClick={() => void submit(true)}
        >
          Dry run
        </button>
        <button
          disabled={!report || errors > 0 || report.objects.length === 0}
          onClick={() => void submit(false)}
        >
          Create
        </button>
      </p>
      {result && (
        <p class={result.error ? 'error' : 'ok'} data-testid="create-result">
          {result.error ?? `created ${result.created.join(', ')}`}
        </p>
      )}
    </section>
  );
}
