import { createSlots } from '../../src/slots';

test('slots are taken at once while free, then in turn as they are released', async () => {
  const slots = createSlots(2);
  expect(slots.take(1000)).toBe(true);
  expect(slots.take(1000)).toBe(true);
  const order: string[] = [];
  const third = Promise.resolve(slots.take(1000)).then((taken) => order.push(`third ${taken}`));
  const fourth = Promise.resolve(slots.take(1000)).then((taken) => order.push(`fourth ${taken}`));
  slots.release();
  slots.release();
  await Promise.all([third, fourth]);
  expect(order).toEqual(['third true', 'fourth true']);
  slots.release();
  slots.release();
  // Both free again.
  expect(slots.take(0)).toBe(true);
  expect(slots.take(0)).toBe(true);
});

test('a wait ends false after its time, when too many wait, or when its caller goes', async () => {
  const slots = createSlots(1, 2);
  expect(slots.take(0)).toBe(true);
  const late = slots.take(10);
  const gone = new AbortController();
  const abandoned = slots.take(60_000, gone.signal);
  expect(slots.take(60_000)).toBe(false); // two wait already
  gone.abort();
  expect(await abandoned).toBe(false);
  expect(await late).toBe(false);
  // Those that gave up hold nothing: one release frees the only slot.
  slots.release();
  expect(slots.take(0)).toBe(true);
  const aborted = new AbortController();
  aborted.abort();
  expect(slots.take(0, aborted.signal)).toBe(false);
});
