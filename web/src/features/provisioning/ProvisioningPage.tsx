import { Navigate, useNavigate, useParams } from 'react-router-dom';
import { Tabs } from '../../components/ui';
import { CustomersTab } from './CustomersTab';
import { PlansTab } from './PlansTab';
import { RadiusTab } from './RadiusTab';
import { ServicesTab } from './ServicesTab';

const tabs = [
  { id: 'customers', label: 'Customers' },
  { id: 'services', label: 'Services' },
  { id: 'plans', label: 'Plans' },
  { id: 'radius', label: 'RADIUS' },
] as const;

/** The provisioning console: customers, their services on plans, and the RADIUS rows that follow from them. */
export function ProvisioningPage() {
  const { tab } = useParams();
  const navigate = useNavigate();
  if (!tabs.some((t) => t.id === tab)) return <Navigate to="/provisioning/customers" replace />;
  return (
    <div className="page" data-testid={`provisioning-${tab ?? ''}`}>
      <header className="page-header">
        <h1>Provisioning</h1>
      </header>
      <Tabs label="Provisioning" tabs={tabs} active={tab ?? 'customers'} onChange={(id) => void navigate(`/provisioning/${id}`)} />
      {tab === 'customers' ? <CustomersTab /> : tab === 'services' ? <ServicesTab /> : tab === 'plans' ? <PlansTab /> : <RadiusTab />}
    </div>
  );
}
