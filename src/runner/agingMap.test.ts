import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AgingMap } from './agingMap';

test('entries are found in every generation, and deleted from every one', () => {
  const m = new AgingMap<object, number>(100);
  const a = {};
  const b = {};
  const c = {};
  m.set(a, 1);
  m.age();
  m.set(b, 2);
  m.age(); // a is old (weak) now, b older
  m.set(c, 0);
  assert.equal(m.get(a), 1);
  assert.equal(m.get(b), 2);
  assert.equal(m.get(c), 0, 'a falsy value is a value');
  assert.ok(m.has(c));
  assert.equal(m.get({}), undefined);
  assert.equal(m.size, 3);
  for (const k of [a, b, c]) m.delete(k);
  for (const k of [a, b, c]) assert.equal(m.has(k), false);
  assert.equal(m.size, 0);
});

test('a key set again while an older value of it is in an older generation gives the new value, and delete removes both', () => {
  const m = new AgingMap<object, string>(100);
  const k = {};
  m.set(k, 'first');
  m.age();
  m.set(k, 'second');
  assert.equal(m.get(k), 'second');
  m.delete(k);
  assert.equal(m.get(k), undefined);
});

test('a full young generation ages at once: nothing is dropped', () => {
  const m = new AgingMap<object, number>(10);
  const keys = Array.from({ length: 35 }, () => ({}));
  keys.forEach((k, i) => m.set(k, i));
  keys.forEach((k, i) => assert.equal(m.get(k), i));
});

test('after two ages an entry no longer keeps its key alive', async () => {
  const m = new AgingMap<object, number>(100);
  let key: object | undefined = {};
  const ref = new WeakRef(key);
  m.set(key, 1);
  key = undefined;
  m.age();
  m.age();
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let i = 0; i < 5 && ref.deref() !== undefined; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  assert.equal(ref.deref(), undefined);
});
