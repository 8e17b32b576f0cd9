// Preact, its hooks and htm, served by the ingress from node_modules (one module, no bare imports).
export {
  html,
  render,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from '../vendor/standalone.module.js';
