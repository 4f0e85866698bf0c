import { describe, expect, it } from 'vitest';

import {
  DEFAULT_REQUEST_SETTINGS,
  parseRequestSettings,
  requestSettingError,
  requestSettingsText,
} from './requestSettings';

const defaults = requestSettingsText(DEFAULT_REQUEST_SETTINGS);

describe('request settings', () => {
  it('reads the defaults back as they were', () => {
    expect(parseRequestSettings(defaults)).toEqual({
      ok: true,
      settings: {
        concurrency: 4,
        timeoutSeconds: 30,
        retries: 3,
        memoryLimitMb: 1024,
      },
    });
  });

  it('takes values at both ends of each range, spaces around them too', () => {
    expect(
      parseRequestSettings({
        concurrency: ' 16 ',
        timeoutSeconds: '1.5',
        retries: '0',
        memoryLimitMb: '3072',
      }),
    ).toEqual({
      ok: true,
      settings: {
        concurrency: 16,
        timeoutSeconds: 1.5,
        retries: 0,
        memoryLimitMb: 3072,
      },
    });
    expect(requestSettingError('memoryLimitMb', '64')).toBeNull();
    expect(requestSettingError('concurrency', '1')).toBeNull();
    expect(requestSettingError('timeoutSeconds', '600')).toBeNull();
    expect(requestSettingError('retries', '10')).toBeNull();
  });

  it('refuses values out of range, fractions of a count and non-numbers', () => {
    for (const text of ['0', '17', '2.5', '', 'four', '-1', '0x10', '1e1']) {
      expect(requestSettingError('concurrency', text)).toBe(
        'Concurrency must be a whole number from 1 to 16.',
      );
    }
    for (const text of ['0.5', '601', '', '-3', 'Infinity']) {
      expect(requestSettingError('timeoutSeconds', text)).toBe(
        'Request timeout must be a number from 1 to 600 seconds.',
      );
    }
    expect(requestSettingError('retries', '11')).toBe(
      'Retries must be a whole number from 0 to 10.',
    );
    for (const text of ['63', '3073', '512.5', '1GB']) {
      expect(requestSettingError('memoryLimitMb', text)).toBe(
        'Memory limit must be a whole number from 64 to 3072 MB.',
      );
    }
  });

  it('names every faulty setting in one message', () => {
    expect(
      parseRequestSettings({ ...defaults, concurrency: '0', retries: 'x' }),
    ).toEqual({
      ok: false,
      message:
        'Fix the Advanced settings: Concurrency must be a whole number ' +
        'from 1 to 16. Retries must be a whole number from 0 to 10.',
    });
  });
});
