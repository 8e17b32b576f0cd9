import { describe, expect, it } from 'vitest';
import { parsePrefer } from './prefer.ts';

describe('parsePrefer', () => {
  it.each<[string | string[] | undefined, ReturnType<typeof parsePrefer>]>([
    [undefined, { respondAsync: false }],
    ['respond-async', { respondAsync: true }],
    ['RESPOND-ASYNC, wait=10', { respondAsync: true, waitS: 10 }],
    [['respond-async', 'wait=5'], { respondAsync: true, waitS: 5 }],
    ['wait="7"', { respondAsync: false, waitS: 7 }],
    ['wait=-1', { respondAsync: false }],
    ['wait=abc, handling=lenient', { respondAsync: false }],
    ['return=minimal; foo=bar', { respondAsync: false }],
  ])('reads %j', (header, expected) => {
    expect(parsePrefer(header)).toEqual(expected);
  });
});
