import { useCallback, useEffect, useRef, useState } from './html.js';

/**
 * Runs `load` (async) when `deps` change and on `reload()`; with `everyMs`, again on that interval
 * while the page is shown. Keeps the last data while reloading, so polling does not flicker.
 */
export function useLoad(load, deps = [], { everyMs } = {}) {
  const [state, setState] = useState({ data: undefined, error: undefined, loading: true });
  const generation = useRef(0);
  const run = useCallback(async () => {
    const mine = ++generation.current;
    setState((previous) => ({ ...previous, loading: true }));
    try {
      const data = await load();
      if (mine === generation.current) setState({ data, error: undefined, loading: false });
    } catch (error) {
      if (mine === generation.current) setState((previous) => ({ data: previous.data, error, loading: false }));
    }
  }, deps);
  useEffect(() => {
    run();
    if (everyMs === undefined) return undefined;
    const timer = setInterval(() => document.visibilityState === 'visible' && run(), everyMs);
    return () => {
      clearInterval(timer);
      generation.current++;
    };
  }, [run, everyMs]);
  return { ...state, reload: run };
}
