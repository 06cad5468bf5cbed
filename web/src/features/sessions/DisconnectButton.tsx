import { ConfirmButton } from '../../components/ui';
import { errorMessage } from '../../graphql/errors';
import { useGraphQLMutation } from '../../graphql/hooks';
import { ActiveSessionsQuery, SessionCountQuery } from '../dashboard/operations';
import { DisconnectSessionMutation } from './operations';

/**
 * Ends a live session through its BNG (RFC 5176 Disconnect-Request). The row goes when SESSION_STOP arrives;
 * the queries are refetched as well in case the live connection is down.
 */
export function DisconnectButton({ sessionId, onDone }: { sessionId: string; onDone?: () => void }) {
  const mutation = useGraphQLMutation(DisconnectSessionMutation, [ActiveSessionsQuery, SessionCountQuery]);
  return (
    <span className="inline-action">
      <ConfirmButton
        confirmLabel="Disconnect now"
        disabled={mutation.isPending}
        testId="disconnect"
        onConfirm={() => mutation.mutate({ id: sessionId, cause: 'Admin-Reset' }, { onSuccess: () => onDone?.() })}
      >
        {mutation.isPending ? 'Disconnecting…' : 'Disconnect'}
      </ConfirmButton>
      {mutation.isSuccess ? <span className="muted small">Disconnect sent.</span> : null}
      {mutation.error ? (
        <span className="error-text small" role="alert">
          {errorMessage(mutation.error)}
        </span>
      ) : null}
    </span>
  );
}
