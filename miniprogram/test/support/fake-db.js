'use strict';
// A stand-in for the cloud database, with the calls the cloud functions use:
// collection(name).where(query).limit(n).get() → {data}, .where(query).update({data}) →
// {stats: {updated}}, db.command.in([...]), db.serverDate(). A conditional update matches and
// writes in one synchronous step after its await, as the database does it atomically; every
// applied update is logged. `beforeUpdate` lets a test hold or fail an update.
function createDb(initial = {}) {
  const collections = {};
  for (const [name, docs] of Object.entries(initial)) collections[name] = docs.map((d) => structuredClone(d));
  const log = [];
  const db = {
    beforeUpdate: null,
    updates: log,
    docs: (name) => collections[name] || [],
    command: { in: (values) => ({ $in: values }) },
    serverDate: () => ({ $serverDate: true }),
    collection(name) {
      const docs = (collections[name] ||= []);
      return {
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
