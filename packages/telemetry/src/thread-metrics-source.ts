import type { MetricObjectWithValues, MetricValue } from 'prom-client';

/** The metrics of another thread of this process, as prom-client's JSON (`Registry.getMetricsAsJSON`). */
export type ThreadMetricsSource = () => Promise<MetricObjectWithValues<MetricValue<string>>[]>;
