import { useState } from 'react';
import { useGraphQLQuery } from '../../graphql/hooks';
import { useDebounced } from '../../lib/useDebounced';
import { CustomerOptionsQuery } from './operations';

/** Finds a customer by name or email as the operator types, and hands back the one picked. */
export function CustomerPicker({
  value,
  label,
  onChange,
  invalid,
}: {
  value: { id: string; name: string } | null;
  label: string;
  onChange: (customer: { id: string; name: string } | null) => void;
  invalid?: boolean;
}) {
  const [text, setText] = useState(value?.name ?? '');
  const [open, setOpen] = useState(false);
  const search = useDebounced(text.trim(), 250);
  const query = useGraphQLQuery(CustomerOptionsQuery, { search: search || null }, { enabled: open, placeholderData: (p) => p });
  const options = query.data?.customers.nodes ?? [];
  return (
    <div className="picker">
      <input
        role="combobox"
        aria-label={label}
        aria-expanded={open}
        aria-invalid={invalid}
        value={text}
        placeholder="Type a name or email"
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          if (value) onChange(null);
        }}
      />
      {open ? (
        <ul className="picker-list" role="listbox">
          {query.isPending ? <li className="muted">Searching…</li> : null}
          {!query.isPending && options.length === 0 ? <li className="muted">No customer matches.</li> : null}
          {options.map((c) => (
            <li
              key={c.id}
              role="option"
              aria-selected={value?.id === c.id}
              onMouseDown={(e) => {
                e.preventDefault();
                onChange({ id: c.id, name: c.name });
                setText(c.name);
                setOpen(false);
              }}
            >
              {c.name} <span className="muted small">{c.email}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
