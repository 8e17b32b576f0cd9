import { useState } from '../lib/html.js';

/**
 * Paging over an API list (`after` = the last id of the page before): a stack of the cursors that
 * led to the page shown, so "Newer" goes back exactly where "Older" came from.
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState([]);
  return {
    cursors,
    after: cursors.at(-1),
    older: (lastId) => setCursors((stack) => [...stack, lastId]),
    newer: () => setCursors((stack) => stack.slice(0, -1)),
  };
}
