import { useState, type ReactNode } from 'react';

export function Card({
  title,
  actions,
  className,
  children,
  testId,
}: {
  title?: ReactNode;
  actions?: ReactNode;
  className?: string;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <section className={`card ${className ?? ''}`} data-testid={testId}>
      {title || actions ? (
        <header className="card-header">
          {title ? <h2>{title}</h2> : <span />}
          {actions ? <div className="card-actions">{actions}</div> : null}
        </header>
      ) : null}
      {children}
    </section>
  );
}

export function Stat({ label, value, hint, testId }: { label: string; value: ReactNode; hint?: ReactNode; testId?: string }) {
  return (
    <div className="stat" data-testid={testId}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {hint ? <div className="stat-hint">{hint}</div> : null}
    </div>
  );
}

export type BadgeTone = 'ok' | 'warn' | 'bad' | 'info' | 'muted';

export function Badge({ tone, children, title }: { tone: BadgeTone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

export function stateTone(state: string): BadgeTone {
  switch (state.toUpperCase()) {
    case 'ACTIVE':
    case 'UP':
    case 'ONLINE':
      return 'ok';
    case 'STOPPED':
    case 'SUSPENDED':
      return 'warn';
    case 'DOWN':
    case 'REJECTED':
      return 'bad';
    default:
      return 'muted';
  }
}

export interface TabDef {
  readonly id: string;
  readonly label: ReactNode;
}

export function Tabs({
  tabs,
  active,
  onChange,
  label,
}: {
  tabs: readonly TabDef[];
  active: string;
  onChange: (id: string) => void;
  label: string;
}) {
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((tab) => (
        <button
          key={tab.id}
          type="button"
          role="tab"
          aria-selected={tab.id === active}
          className={tab.id === active ? 'tab tab-active' : 'tab'}
          onClick={() => onChange(tab.id)}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}

/** A button that asks once more before doing something that cannot be undone. */
export function ConfirmButton({
  children,
  confirmLabel = 'Confirm',
  onConfirm,
  disabled,
  className = 'btn btn-danger-quiet btn-small',
  testId,
}: {
  children: ReactNode;
  confirmLabel?: string;
  onConfirm: () => void;
  disabled?: boolean;
  className?: string;
  testId?: string;
}) {
  const [asking, setAsking] = useState(false);
  if (asking) {
    return (
      <span className="confirm">
        <button
          type="button"
          className={className}
          data-testid={testId ? `${testId}-confirm` : undefined}
          onClick={() => {
            setAsking(false);
            onConfirm();
          }}
        >
          {confirmLabel}
        </button>
        <button type="button" className="btn btn-small btn-ghost" onClick={() => setAsking(false)}>
          Cancel
        </button>
      </span>
    );
  }
  return (
    <button type="button" className={className} disabled={disabled} data-testid={testId} onClick={() => setAsking(true)}>
      {children}
    </button>
  );
}

export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  children: ReactNode;
}) {
  return (
    <label className={error ? 'field field-invalid' : 'field'}>
      <span className="field-label">{label}</span>
      {children}
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : hint ? (
        <span className="field-hint">{hint}</span>
      ) : null}
    </label>
  );
}
