'use strict';
// A stand-in for the cloud database, with the calls the cloud functions use:
// collection(name).where(query).limit(n).get() → {data}, .where(query).update({data}) →
// {stats: {updated}}, collection(name).add({data}) → {_id} (refused when a document already has
// its `_id`, as the database refuses a duplicate key), db.command.in([...]), db.serverDate(). A
// conditional update or an add writes in one synchronous step after its await, as the database
// does it atomically; every applied update is logged in `updates`, every add in `adds`.
// `beforeUpdate` lets a test hold or fail a write (an update or an add).
function createDb(initial = {}) {
  const collections = {};
  for (const [name, docs] of Object.entries(initial)) collections[name] = docs.map((d) => structuredClone(d));
  const log = [];
  const adds = [];
  let ids = 0;
  const db = {
    beforeUpdate: null,
    updates: log,
    adds,
    docs: (name) => collections[name] || [],
    command: { in: (values) => ({ $in: values }) },
    serverDate: () => ({ $serverDate: true }),
    collection(name) {
      const docs = (collections[name] ||= []);
      return {
        async add({ data }) {
          if (db.beforeUpdate) await db.beforeUpdate({ collection: name, data });
          else await null;
          const _id = data._id ?? `auto-${++ids}`;
          if (docs.some((d) => d._id === _id)) throw new Error(`duplicate key: _id ${_id} in ${name}`);
          const now = new Date();
          const doc = { _id };
          for (const [k, v] of Object.entries(data)) if (k !== '_id') doc[k] = v && v.$serverDate ? now : v;
          docs.push(doc);
          adds.push({ collection: name, data: structuredClone(data) });
          return { _id };
        },
        where(query) {
          const matches = (doc) =>
            Object.entries(query).every(([k, v]) => (v && Array.isArray(v.$in) ? v.$in.includes(doc[k]) : doc[k] === v));
          let max = Infinity;
          const q = {
            limit(n) {
              max = n;
              return q;
            },
            async get() {
              await null;
              return { data: docs.filter(matches).slice(0, max).map((d) => structuredClone(d)) };
            },
            async update({ data }) {
              if (db.beforeUpdate) await db.beforeUpdate({ collection: name, query, data });
              else await null;
              const hit = docs.filter(matches);
              const now = new Date();
              for (const d of hit) {
                for (const [k, v] of Object.entries(data)) d[k] = v && v.$serverDate ? now : v;
                log.push({ collection: name, query: structuredClone(query), data: structuredClone(data) });
              }
              return { stats: { updated: hit.length } };
            },
          };
          return q;
        },
      };
    },
  };
  return db;
}

module.exports = { createDb };
