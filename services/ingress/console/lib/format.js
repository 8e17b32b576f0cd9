/** Dollars as the API gives them (a number of USD), with as many decimals as a per-image price needs. */
export function usd(amount) {
  if (amount === null || amount === undefined) return '—';
  const value = Number(amount);
  const digits = Math.abs(value) >= 100 ? 2 : Math.abs(value) >= 1 ? 3 : 4;
  return `${value < 0 ? '−' : ''}$${Math.abs(value).toFixed(digits)}`;
}

/** A unix time (seconds) as local date and time. */
export function dateTime(unixSeconds) {
  if (unixSeconds === null || unixSeconds === undefined) return '—';
  return new Date(unixSeconds * 1000).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** How far a unix time (seconds) is from now, e.g. "in 4 s", "3 min ago". */
export function relative(unixSeconds, now = Date.now()) {
  if (unixSeconds === null || unixSeconds === undefined) return '—';
  const seconds = Math.round(unixSeconds - now / 1000);
  const size = Math.abs(seconds);
  const text = size < 90 ? `${size} s` : size < 5400 ? `${Math.round(size / 60)} min` : `${Math.round(size / 3600)} h`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}

/** Percent from a fraction, e.g. markup 1.25 → "+25 %". */
export function markupText(markup) {
  return markup === null || markup === undefined ? '—' : `+${Math.round((markup - 1) * 1000) / 10} %`;
}
