// The page's state, one store made of slices. Reads of the warehouse are
// not kept here: react-query caches them, keyed by warehouseVersion.

import { create } from 'zustand';

import { createConnectionSlice } from './connectionSlice';
import { createLoadSlice } from './loadSlice';
import { createSettingsSlice } from './settingsSlice';
import type { AppState } from './slice';
import { createWarehouseSlice } from './warehouseSlice';

export type { AppState };

export const useAppStore = create<AppState>()((...args) => ({
  ...createConnectionSlice(...args),
  ...createLoadSlice(...args),
  ...createSettingsSlice(...args),
  ...createWarehouseSlice(...args),
}));
