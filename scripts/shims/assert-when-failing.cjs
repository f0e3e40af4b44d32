// Stands in for Node's `assert` in the yargs bundle (scripts/bundle-cli.mjs): yargs uses only its
// strictEqual and notStrictEqual, for internal checks, and loading assert costs every cas start
// about 6 ms. Both compare with Object.is, as assert does; the real assert is loaded only to
// throw its own error when a check fails.
'use strict';

const realAssert = () => require('node:assert');

exports.strictEqual = (actual, expected, message) => {
  if (!Object.is(actual, expected)) realAssert().strictEqual(actual, expected, message);
};

exports.notStrictEqual = (actual, expected, message) => {
  if (Object.is(actual, expected)) realAssert().notStrictEqual(actual, expected, message);
};
