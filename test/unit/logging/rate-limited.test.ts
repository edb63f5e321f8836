import { rateLimited } from '../../../src/logging/rate-limited';

test('passes the first lines of each minute and then says how many it held back', () => {
  let now = 0;
  const lines: Array<[Record<string, unknown>, string]> = [];
  const log = rateLimited(
    (fields, message) => lines.push([fields, message]),
    3,
    () => now,
  );
  for (let i = 0; i < 10; i += 1) log({ i }, 'request failed');
  expect(lines.map(([fields]) => fields.i)).toEqual([0, 1, 2]);
  now = 59_999;
  log({ i: 10 }, 'request failed');
  expect(lines).toHaveLength(3);
  now = 60_000;
  log({ i: 11 }, 'request failed');
  expect(lines.slice(3)).toEqual([
    [{ dropped: 8 }, '8 more lines like this were not logged'],
    [{ i: 11 }, 'request failed'],
  ]);
  now = 120_000;
  log({ i: 12 }, 'request failed');
  expect(lines.slice(5)).toEqual([[{ i: 12 }, 'request failed']]);
});
