// The shape every slice of the page state shares, so that one slice's
// actions can read and set the others (a load needs the connection; a
// commit bumps the warehouse version).

import type { StateCreator } from 'zustand';

import type { ConnectionSlice } from './connectionSlice';
import type { LoadSlice } from './loadSlice';
import type { SettingsSlice } from './settingsSlice';
import type { WarehouseSlice } from './warehouseSlice';

export type AppState = ConnectionSlice &
  LoadSlice &
  SettingsSlice &
  WarehouseSlice;

export type Slice<T> = StateCreator<AppState, [], [], T>;
