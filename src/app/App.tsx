// The page: connection and load side by side, then the warehouse's
// tables, its schema, the SQL view and the load history as tabs. The
// table open in the Tables tab lives here, so the schema view can open
// one there.

import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';

import { ConnectPanel } from '../ui/connect/ConnectPanel';
import { Tabs } from '../ui/common/Tabs';
import { HistoryPanel } from '../ui/history/HistoryPanel';
import { LoadPanel } from '../ui/load/LoadPanel';
import { SchemaPanel } from '../ui/schema/SchemaPanel';
import { SqlPanel } from '../ui/sql/SqlPanel';
import { TablesPanel } from '../ui/tables/TablesPanel';
import { WarehouseStatus } from '../ui/warehouse/WarehouseStatus';
import { queryClient } from './queryClient';

export function App() {
  const [tab, setTab] = useState('tables');
  const [openTable, setOpenTable] = useState<string | null>(null);
  const showTable = (name: string) => {
    setOpenTable(name);
    setTab('tables');
  };
  return (
    <QueryClientProvider client={queryClient}>
      <div className="app">
        <header className="app-header">
          <h1>Orthanc Warehouse</h1>
          <p className="muted">
            DICOM metadata from Orthanc, in a DuckDB warehouse in this browser.
          </p>
          <WarehouseStatus />
        </header>
        <main>
          <div className="top-row">
            <ConnectPanel />
            <LoadPanel />
          </div>
          <section className="card warehouse" aria-label="Warehouse">
            <Tabs
              label="Warehouse views"
              selected={tab}
              onSelect={setTab}
              tabs={[
                {
                  id: 'tables',
                  label: 'Tables',
                  content: (
                    <TablesPanel selected={openTable} onSelect={setOpenTable} />
                  ),
                },
                {
                  id: 'schema',
                  label: 'Schema',
                  content: <SchemaPanel onOpenTable={showTable} />,
                },
                { id: 'sql', label: 'SQL', content: <SqlPanel /> },
                { id: 'history', label: 'History', content: <HistoryPanel /> },
              ]}
            />
          </section>
        </main>
      </div>
    </QueryClientProvider>
  );
}
