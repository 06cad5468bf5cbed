import { NavLink, Outlet } from 'react-router-dom';
import { useApi, useLiveStatus } from '../graphql/hooks';
import type { LiveStatus } from '../graphql/live';

const statusText: Record<LiveStatus, string> = {
  idle: 'Idle',
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  unauthorized: 'Key refused',
  disposed: 'Closed',
};

export function LiveIndicator() {
  const status = useLiveStatus();
  return (
    <div className={`live live-${status}`} data-testid="live-status" role="status" title="Subscription connection">
      <span className="live-dot" aria-hidden="true" />
      {statusText[status]}
    </div>
  );
}

export function Layout() {
  const { signOut } = useApi();
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Aether
        </div>
        <NavLink to="/" end className="nav-link">
          Dashboard
        </NavLink>
        <NavLink to="/topology" className="nav-link">
          Topology
        </NavLink>
        <div className="nav-group">Provisioning</div>
        <NavLink to="/provisioning/customers" className="nav-link">
          Customers
        </NavLink>
        <NavLink to="/provisioning/services" className="nav-link">
          Services
        </NavLink>
        <NavLink to="/provisioning/plans" className="nav-link">
          Plans
        </NavLink>
        <NavLink to="/provisioning/radius" className="nav-link">
          RADIUS
        </NavLink>
        <div className="sidebar-foot">
          <LiveIndicator />
          <button type="button" className="btn btn-ghost btn-small" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </nav>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}
