import { type RefObject, useEffect, useState } from 'react';

/**
 * The height of the viewer toolbar inside `area` while `active`: the tag drawer starts below it,
 * so that a drawer wider than the findings column never covers the toolbar's last buttons (the
 * toolbar wraps to two rows on narrow windows, so the height is measured, not assumed).
 */
export function useToolbarHeight(area: RefObject<HTMLElement | null>, active: boolean): number {
  const [height, setHeight] = useState(0);
  useEffect(() => {
    const toolbar = active ? area.current?.querySelector<HTMLElement>('.viewer-toolbar') : undefined;
    if (!toolbar) return;
    const measure = (): void => setHeight(toolbar.offsetHeight);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(toolbar);
    return () => observer.disconnect();
  }, [area, active]);
  return height;
}
