import { useCallback, useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import { clearApiKey, loadApiKey, saveApiKey } from './auth/apiKey';
import { SignInPage } from './auth/SignInPage';
import { Layout } from './components/Layout';
import { CustomerPage } from './features/customers/CustomerPage';
import { DashboardPage } from './features/dashboard/DashboardPage';
import { ProvisioningPage } from './features/provisioning/ProvisioningPage';
import { TopologyPage } from './features/topology/TopologyPage';
import { ApiProvider } from './graphql/ApiProvider';
import { LiveTrafficProvider } from './live/LiveTrafficProvider';
import { Empty } from './components/StateViews';

export function App() {
  const [apiKey, setApiKey] = useState<string | null>(() => loadApiKey());
  const [notice, setNotice] = useState<string | null>(null);

  const signIn = useCallback((key: string) => {
    saveApiKey(key);
    setNotice(null);
    setApiKey(key.trim());
  }, []);
  const signOut = useCallback((reason?: string) => {
    clearApiKey();
    setNotice(reason ?? null);
    setApiKey(null);
  }, []);

  if (!apiKey) return <SignInPage onSignIn={signIn} notice={notice} />;

  return (
    <ApiProvider key={apiKey} apiKey={apiKey} onSignOut={signOut}>
      <LiveTrafficProvider>
        <BrowserRouter>
          <Routes>
            <Route element={<Layout />}>
              <Route index element={<DashboardPage />} />
              <Route path="customers/:id" element={<CustomerPage />} />
              <Route path="topology" element={<TopologyPage />} />
              <Route path="provisioning" element={<Navigate to="/provisioning/customers" replace />} />
              <Route path="provisioning/:tab" element={<ProvisioningPage />} />
              <Route path="*" element={<Empty title="There is no such page.">Pick a page on the left.</Empty>} />
            </Route>
          </Routes>
        </BrowserRouter>
      </LiveTrafficProvider>
    </ApiProvider>
  );
}
