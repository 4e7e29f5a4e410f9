import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './api.ts';

export interface Data<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  loading: boolean;
  reload: () => void;
}

/** Loads `load()` when `key` changes; `reload()` loads again in place (live updates keep what is shown meanwhile). */
export function useData<T>(key: string | null, load: () => Promise<T>): Data<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError | Error>();
  const [loading, setLoading] = useState(false);
  const [generation, setGeneration] = useState(0);
  const loader = useRef(load);
  loader.current = load;
  const lastKey = useRef<string | null>(null);
  useEffect(() => {
    if (key === null) return;
    let cancelled = false;
    if (lastKey.current !== key) {
      setData(undefined);
      setError(undefined);
    }
    lastKey.current = key;
    setLoading(true);
    loader
      .current()
      .then((value) => {
        if (!cancelled) {
          setData(value);
          setError(undefined);
        }
      })
      .catch((failure) => {
        if (!cancelled) setError(failure);
      })
      .finally(() => {
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [key, generation]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { data, error, loading, reload };
}
