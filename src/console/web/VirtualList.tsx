// A fixed-row-height virtual list: only the rows in view (plus a few) are in the DOM, so hundreds
// of clusters cost what twenty do.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export function VirtualList<T>(props: {
  items: readonly T[];
  rowHeight: number;
  height: number;
  row: (item: T, index: number) => ComponentChildren;
}) {
  const [top, setTop] = useState(0);
  const { items, rowHeight, height } = props;
  const first = Math.max(0, Math.floor(top / rowHeight) - 5);
  const last = Math.min(items.length, Math.ceil((top + height) / rowHeight) + 5);
  return (
    <div
      class="vlist"
      style={{ height: `${height}px` }}
      onScroll={(e) => {
        setTop((e.currentTarget as HTMLElement).scrollTop);
      }}
    >
      <div style={{ height: `${items.length * rowHeight}px`, position: 'relative' }}>
        {items.slice(first, last).map((it, i) => (
          <div
            class="vrow"
            style={{
              position: 'absolute',
              top: `${(first + i) * rowHeight}px`,
              height: `${rowHeight}px`,
              left: 0,
              right: 0,
            }}
          >
            {props.row(it, first + i)}
          </div>
        ))}
      </div>
    </div>
  );
}
