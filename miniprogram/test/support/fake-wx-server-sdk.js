'use strict';
// Stands in for `wx-server-sdk` in tests (the cloud functions keep `require('wx-server-sdk')`):
// init() is recorded, database() is the fake set by the test.
let db = null;
const inits = [];

module.exports = {
  DYNAMIC_CURRENT_ENV: Symbol('DYNAMIC_CURRENT_ENV'),
  init(options) {
    inits.push(options);
  },
  database() {
    if (!db) throw new Error('the test set no database');
    return db;
  },
  __setDatabase(d) {
    db = d;
  },
  __inits: inits,
};
