import { useState } from 'react';
import { AuthError, errorMessage } from '../graphql/errors';
import { graphqlRequest } from '../graphql/request';
import { SignInCheckQuery } from './operations';

/** Asks for an API key and checks it against the API before keeping it. */
export function SignInPage({ onSignIn, notice }: { onSignIn: (key: string) => void; notice: string | null }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  const submit = async (event: { preventDefault(): void }) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) {
      setError('Enter an API key.');
      return;
    }
    setChecking(true);
    setError(null);
    try {
      await graphqlRequest(SignInCheckQuery, {}, { apiKey: trimmed });
      onSignIn(trimmed);
    } catch (e) {
      setError(e instanceof AuthError ? 'The controller refused this key.' : errorMessage(e));
      setChecking(false);
    }
  };

  return (
    <main className="signin">
      <form className="card signin-card" onSubmit={(e) => void submit(e)} aria-label="Sign in">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Aether
        </div>
        <p className="muted">Subscriber management. Sign in with an API key issued by the controller.</p>
        {notice ? (
          <div className="notice" role="status">
            {notice}
          </div>
        ) : null}
        <label className={error ? 'field field-invalid' : 'field'}>
          <span className="field-label">API key</span>
          <input
            name="apiKey"
            type="password"
            autoComplete="off"
            autoFocus
            value={key}
            onChange={(e) => setKey(e.target.value)}
            placeholder="aether_…"
          />
          {error ? (
            <span className="field-error" role="alert">
              {error}
            </span>
          ) : (
            <span className="field-hint">Kept for this browser tab only.</span>
          )}
        </label>
        <button type="submit" className="btn btn-primary" disabled={checking}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
