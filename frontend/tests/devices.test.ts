import { describe, expect, it } from 'vitest';
import { deviceLabel } from '../src/format/devices';

describe('deviceLabel', () => {
  it('names the browser and system of common agents', () => {
    expect(deviceLabel('Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0')).toBe('Firefox on Linux');
    expect(deviceLabel('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36')).toBe('Chrome on Android');
    expect(deviceLabel('Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1')).toBe('Safari on iOS');
    expect(deviceLabel('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0')).toBe('Edge on Windows');
  });

  it('shows other agents as sent, shortened, and says when there is none', () => {
    expect(deviceLabel('python-httpx/0.28.1')).toBe('python-httpx/0.28.1');
    expect(deviceLabel('x'.repeat(100))).toBe(`${'x'.repeat(59)}…`);
    expect(deviceLabel('  ')).toBe('Unknown device');
  });
});
