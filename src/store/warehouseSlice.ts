// The warehouse as the page sees it: its data version and where it lives.
// Every read of the warehouse puts the version in its react-query key, so
// bumping it after a commit (or a statement that changed tables, or a
// reopen) refreshes every view at once. The storage status comes from the
// warehouse module, which reports each change.

import {
  clearWarehouse,
  getDatabase,
  retryWarehouse,
  saveChanges,
  workInMemory,
} from '../warehouse/database';
import {
  onWarehouseStatus,
  warehouseStatus,
} from '../warehouse/warehouseStatus';
import type { WarehouseStatus } from '../warehouse/warehouseStatus';
import type { Slice } from './slice';

export type { WarehouseStatus };

export interface WarehouseSlice {
  warehouseVersion: number;
  warehouseStorage: WarehouseStatus;
  /** After a commit or a statement that changed tables; also saves. */
  warehouseChanged: () => void;
  /** Starts opening the warehouse, if nothing has asked for it yet. */
  openWarehouse: () => void;
  /** Another tab holds the saved warehouse: work in memory here. */
  chooseMemoryWarehouse: () => Promise<void>;
  retryWarehouse: () => Promise<void>;
  /** Deletes every table (and the saved file), refused during a load. */
  clearWarehouse: () => Promise<void>;
}

export const createWarehouseSlice: Slice<WarehouseSlice> = (set, get) => {
  const bump = () => {
    set((state) => ({ warehouseVersion: state.warehouseVersion + 1 }));
  };
  onWarehouseStatus((status) => {
    set({ warehouseStorage: status });
  });

  return {
    warehouseVersion: 0,
    warehouseStorage: warehouseStatus(),

    warehouseChanged: () => {
      bump();
      // Statements typed in the SQL view commit on their own; this
      // writes them to the saved file. After a load it finds nothing new.
      void saveChanges().catch(() => undefined);
    },

    openWarehouse: () => {
      // Failures show in the status; the views report their own.
      getDatabase().catch(() => undefined);
    },

    chooseMemoryWarehouse: async () => {
      await workInMemory();
      bump();
    },

    retryWarehouse: async () => {
      await retryWarehouse();
      bump();
    },

    clearWarehouse: async () => {
      if (get().load.status === 'running') return;
      await clearWarehouse();
      // What the last load's summary described is gone too (unless a
      // load started meanwhile, into the new warehouse).
      set((state) => ({
        load:
          state.load.status === 'running'
            ? state.load
            : {
                ...state.load,
                status: 'idle',
                loadId: null,
                progress: null,
                summary: null,
                committedRows: null,
                error: null,
                warnings: [],
              },
      }));
      bump();
    },
  };
};
