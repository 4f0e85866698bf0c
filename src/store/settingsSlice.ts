// The Advanced settings of the next load, as typed (see
// requestSettings.ts). They live in memory only, like the connection.

import {
  DEFAULT_REQUEST_SETTINGS,
  type RequestSettingName,
  requestSettingsText,
  type RequestSettingsText,
} from './requestSettings';
import type { Slice } from './slice';

export interface SettingsSlice {
  requestSettings: RequestSettingsText;
  setRequestSetting: (name: RequestSettingName, text: string) => void;
  resetRequestSettings: () => void;
}

export const createSettingsSlice: Slice<SettingsSlice> = (set) => ({
  requestSettings: requestSettingsText(DEFAULT_REQUEST_SETTINGS),
  setRequestSetting: (name, text) => {
    set((state) => ({
      requestSettings: { ...state.requestSettings, [name]: text },
    }));
  },
  resetRequestSettings: () => {
    set({ requestSettings: requestSettingsText(DEFAULT_REQUEST_SETTINGS) });
  },
});
