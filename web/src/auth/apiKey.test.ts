import { describe, expect, it } from 'vitest';
import { API_KEY_STORAGE, clearApiKey, loadApiKey, saveApiKey } from './apiKey';

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
}

describe('the API key in session storage', () => {
  it('is saved trimmed, loaded and cleared', () => {
    const storage = memoryStorage();
    saveApiKey('  key-1 ', storage);
    expect(storage.map.get(API_KEY_STORAGE)).toBe('key-1');
    expect(loadApiKey(storage)).toBe('key-1');
    clearApiKey(storage);
    expect(loadApiKey(storage)).toBeNull();
  });

  it('reads as absent when storage is blank, missing or throws', () => {
    expect(loadApiKey({ getItem: () => '   ' })).toBeNull();
    expect(loadApiKey(null)).toBeNull();
    expect(
      loadApiKey({
        getItem: () => {
          throw new Error('SecurityError');
        },
      }),
    ).toBeNull();
  });
});
