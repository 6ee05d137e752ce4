import { useEffect, useRef } from 'react';
import type { Thumbnail as ThumbnailData } from '../../app/common/contract/studies.ts';
import { grayToRgba } from '../viewer/render-image.ts';

export function Thumbnail({ thumbnail }: { thumbnail: ThumbnailData }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const image = ctx.createImageData(thumbnail.width, thumbnail.height);
    grayToRgba(thumbnail.data, image.data);
    ctx.putImageData(image, 0, 0);
  }, [thumbnail]);
  return <canvas className="thumbnail" ref={ref} width={thumbnail.width} height={thumbnail.height} aria-hidden="true" />;
}
