import fc from 'fast-check';
import { isConfigError } from '../../../src/config/errors';
import { parseConfig } from '../../../src/config/load';
import { configText } from '../../helpers/config-arbitraries';

describe('config loader (fast-check)', () => {
  test('any text either loads or is refused with located, readable problems; nothing else', () => {
    let refused = 0;
    let loaded = 0;
    fc.assert(
      fc.property(configText, (text) => {
        try {
          parseConfig(text, { INTERVAL: '2s' });
          loaded += 1;
          return true;
        } catch (error) {
          if (!isConfigError(error)) throw error; // a crash, not a refusal
          refused += 1;
          return (
            error.problems.length > 0 &&
            error.problems.every(
              (problem) =>
                problem.message.length > 0 &&
                problem.message.length < 300 &&
                !problem.message.includes('\n    at '),
            )
          );
        }
      }),
      { numRuns: 2000 },
    );
    // Both outcomes are exercised: the generator is not all garbage.
    expect(refused).toBeGreaterThan(100);
    expect(loaded).toBeGreaterThan(0);
  });
});
