// The warehouse's data version. Every read of the warehouse puts it in its
// react-query key, so bumping it after a commit (or a statement that
// changed tables) refreshes every view at once.

import type { Slice } from './slice';

export interface WarehouseSlice {
  warehouseVersion: number;
  warehouseChanged: () => void;
}

export const createWarehouseSlice: Slice<WarehouseSlice> = (set) => ({
  warehouseVersion: 0,
  warehouseChanged: () => {
    set((state) => ({ warehouseVersion: state.warehouseVersion + 1 }));
  },
});
