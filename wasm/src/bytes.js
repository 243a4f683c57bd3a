// The length of a real Uint8Array (a Buffer too), for wasm/src/js.rs `bytes`, which then copies
// it straight into WebAssembly memory (`copyInto`: `Uint8Array.prototype.set`, which reads the
// source's internal slots): -1 for anything else, a fake with `Uint8Array.prototype` (no typed array
// inside, `ArrayBuffer.isView` says) or another typed array included. The length is read with
// the intrinsic getter, taken when this file loads, never through the value's own `length`: a
// subclass's getter could answer anything. scripts/build-wasm writes this file into the glue.
const U8 = Uint8Array.prototype;
const LENGTH = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(U8), 'length').get;
const SET = U8.set;
const { apply } = Reflect;
const { getPrototypeOf } = Object;
const { isView } = ArrayBuffer;

export function uint8Length(value) {
  if (!isView(value)) return -1;
  // At most 16 prototypes, as a chain made to loop must end.
  let p = getPrototypeOf(value);
  for (let i = 0; i < 16 && p !== null; i++) {
    if (p === U8) return apply(LENGTH, value, []);
    p = getPrototypeOf(p);
  }
  return -1;
}

// `value`'s bytes into `into` (a view of WebAssembly memory of uint8Length(value) bytes).
export function copyInto(into, value) {
  apply(SET, into, [value]);
}
