import { formatDuration } from '../../../../cli/shared/io/duration';

describe('a duration as a person reads it', () => {
  it('is seconds under a minute, minutes and seconds under an hour, hours and minutes beyond', () => {
    expect([0, 999, 45_000, 59_999, 60_000, 187_000, 3_599_000, 3_600_000, 3_720_000].map(formatDuration)).toEqual([
      '0s',
      '0s',
      '45s',
      '59s',
      '1m 00s',
      '3m 07s',
      '59m 59s',
      '1h 00m',
      '1h 02m',
    ]);
  });
});
