import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as vm from 'node:vm';
import { isSubclassPromise } from './asyncRecorder';

test('isSubclassPromise: plain promises of any realm are not, instances of Promise subclasses are', async () => {
  const noop = (): void => undefined;
  assert.equal(isSubclassPromise(Promise.resolve(1)), false);
  assert.equal(isSubclassPromise((async () => 1)()), false);
  assert.equal(isSubclassPromise(new Promise(noop)), false);

  class Deferred extends Promise<number> {}
  assert.equal(isSubclassPromise(new Deferred(noop)), true);
  // Node's safe classes (primordials) cut their prototype off from Promise's.
  class Safe extends Promise<number> {}
  Object.setPrototypeOf(Safe.prototype, null);
  assert.equal(isSubclassPromise(new Safe(noop)), true);

  // Another realm's async function and promises are plain there: not taken for a subclass.
  const other = vm.runInNewContext('({ fn: async () => 1, p: Promise.resolve(2), sub: new (class X extends Promise {})(() => {}) })') as {
    fn: () => Promise<number>;
    p: Promise<number>;
    sub: Promise<unknown>;
  };
  assert.equal(isSubclassPromise(other.fn()), false);
  assert.equal(isSubclassPromise(other.p), false);
  assert.equal(isSubclassPromise(other.sub), true);

  // The answer is read from data properties only: a getter on a subclass's prototype never runs.
  class Watched extends Promise<number> {}
  let ran = false;
  Object.defineProperty(Watched.prototype, 'constructor', { get: () => ((ran = true), Promise) });
  assert.equal(isSubclassPromise(new Watched(noop)), true);
  assert.equal(ran, false);
});
