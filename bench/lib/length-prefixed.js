// The byte-stream half both benches' raw clients share (MQTT packets, websocket frames): units that
// each begin with a header giving their body's length, arriving cut anywhere into chunks. A unit
// not all here yet is kept (copied: the socket's chunk is not ours to keep past the call) and
// joined to the next chunk. One reader, so both protocols' clients cost the same per byte.

/**
 * Returns `push(chunk)`. `header(buf, off, at)` reads the header of the unit at `off`: it sets
 * `at.start` (where the body begins) and `at.length` and returns true, returns false while the
 * header itself is not all here, and throws on one that can never be valid. For each whole unit,
 * `onUnit(buf, off, start, length)` is called; its body is `buf[start, start + length)`.
 */
export function lengthPrefixedReader(header, onUnit) {
  // Reused for every unit: the measuring clients allocate nothing per message they do not need.
  const at = { start: 0, length: 0 };
  let pending = null;
  return (chunk) => {
    const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = null;
    let off = 0;
    while (header(buf, off, at) && buf.length >= at.start + at.length) {
      const { start, length } = at;
      onUnit(buf, off, start, length);
      off = start + length;
    }
    if (off < buf.length) pending = Buffer.from(buf.subarray(off));
  };
}
