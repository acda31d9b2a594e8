// Chain a callback after a LiteGraph node prototype's existing one (ours or another pack's), so extensions add
// behaviour without clobbering it: the previous callback runs first and its return value is kept. Export only.

export function chain(object, name, callback) {
  const previous = object[name];
  object[name] = function () {
    const result = previous?.apply(this, arguments);
    callback.apply(this, arguments);
    return result;
  };
}
