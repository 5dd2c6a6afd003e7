import { test } from 'node:test';
import assert from 'node:assert/strict';
import { identifierRangeAt } from './identifierRange';

test('selects the callee name V8 points at', () => {
  const line = "  const data = await fs.promises.readFile('a.txt');";
  const col = line.indexOf('readFile') + 1;
  assert.deepEqual(identifierRangeAt(line, col), { start: col - 1, end: col - 1 + 'readFile'.length });
});

test('a column in the middle of a name selects the whole name', () => {
  assert.deepEqual(identifierRangeAt('setTimeout(f, 10)', 4), { start: 0, end: 10 });
});

test('new X covers the constructor name too', () => {
  const line = 'const w = new Worker(file);';
  assert.deepEqual(identifierRangeAt(line, 11), { start: 10, end: 20 });
});

test('identifiers with $ and non-ASCII letters', () => {
  assert.deepEqual(identifierRangeAt('$fetch(x)', 1), { start: 0, end: 6 });
  assert.deepEqual(identifierRangeAt('await 取得(1)', 7), { start: 6, end: 8 });
});

test('off an identifier: an empty range at the column, clamped to the line', () => {
  assert.deepEqual(identifierRangeAt('foo(  )', 5), { start: 4, end: 4 });
  assert.deepEqual(identifierRangeAt('abc', 40), { start: 3, end: 3 });
  assert.deepEqual(identifierRangeAt('abc', 0), { start: 0, end: 3 });
  assert.deepEqual(identifierRangeAt('', 1), { start: 0, end: 0 });
});

test('a number is not an identifier', () => {
  assert.deepEqual(identifierRangeAt('x = 123;', 5), { start: 4, end: 4 });
});
