// The API key lives in sessionStorage: it survives a reload but not the closing of the tab, and is never written
// anywhere that outlives the browser session.

export const API_KEY_STORAGE = 'aether.apiKey';

type KeyStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function defaultStorage(): KeyStorage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

export function loadApiKey(storage: Pick<Storage, 'getItem'> | null = defaultStorage()): string | null {
  try {
    const key = storage?.getItem(API_KEY_STORAGE)?.trim();
    return key === undefined || key === '' ? null : key;
  } catch {
    return null;
  }
}

export function saveApiKey(key: string, storage: Pick<Storage, 'setItem'> | null = defaultStorage()): void {
  try {
    storage?.setItem(API_KEY_STORAGE, key.trim());
  } catch {
    // Storage disabled: the key lasts as long as the page.
  }
}

export function clearApiKey(storage: Pick<Storage, 'removeItem'> | null = defaultStorage()): void {
  try {
    storage?.removeItem(API_KEY_STORAGE);
  } catch {
    // Nothing stored.
  }
}
