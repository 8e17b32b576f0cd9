import { html, useEffect, useRef, useState } from '../lib/html.js';

/** The colour strokes are shown in (the canvas is drawn opaque and shown translucent over the image). */
const PAINT = '#ec4899';

/**
 * The mask as the API takes it (OpenAI's convention): a PNG of the image's size, fully transparent
 * (alpha 0) where painted, opaque everywhere else.
 */
export function maskPng(paintCanvas) {
  const mask = document.createElement('canvas');
  mask.width = paintCanvas.width;
  mask.height = paintCanvas.height;
  const context = mask.getContext('2d');
  context.fillStyle = '#000';
  context.fillRect(0, 0, mask.width, mask.height);
  // Painted pixels are opaque on the paint canvas, so cutting them out leaves alpha 0 there.
  context.globalCompositeOperation = 'destination-out';
  context.drawImage(paintCanvas, 0, 0);
  return new Promise((resolve, reject) =>
    mask.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The mask could not be encoded.'))), 'image/png'),
  );
}

/**
 * A canvas over the first input image, at the image's own pixel size, where the user paints the
 * area to repaint with the mouse, a pen or a finger. `painterRef.current.maskPng()` gives the mask;
 * `onPaintedChange` says whether anything is painted.
 */
export function MaskPainter({ input, painterRef, onPaintedChange }) {
  const canvas = useRef(null);
  const stroke = useRef(null);
  const [brush, setBrush] = useState(48);

  const clear = () => {
    canvas.current?.getContext('2d').clearRect(0, 0, input.width, input.height);
    onPaintedChange(false);
  };
  useEffect(() => {
    painterRef.current = { maskPng: () => maskPng(canvas.current) };
    return () => {
      painterRef.current = null;
    };
  }, [painterRef]);
  // A new first image starts with nothing painted.
  useEffect(clear, [input.id]);

  /** Where the pointer is, in the image's pixels, and how many of them one screen pixel covers. */
  const pointOf = (event) => {
    const box = canvas.current.getBoundingClientRect();
    const scale = input.width / box.width;
    return { x: (event.clientX - box.left) * scale, y: (event.clientY - box.top) * scale, scale };
  };
  const paintTo = (point) => {
    const context = canvas.current.getContext('2d');
    const from = stroke.current ?? point;
    context.strokeStyle = PAINT;
    context.lineWidth = brush * point.scale;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.beginPath();
    context.moveTo(from.x, from.y);
    context.lineTo(point.x, point.y);
    context.stroke();
    stroke.current = point;
  };
  const down = (event) => {
    event.preventDefault();
    canvas.current.setPointerCapture(event.pointerId);
    stroke.current = null;
    paintTo(pointOf(event));
    onPaintedChange(true);
  };
  const move = (event) => {
    if (stroke.current !== null) paintTo(pointOf(event));
  };
  const up = () => {
    stroke.current = null;
  };
  const download = async () => {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await maskPng(canvas.current));
    link.download = 'mask.png';
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  };

  return html`<div class="field pg-mask">
    <span>Mask <span class="muted">— paint over ${input.file.name} where the image should change</span></span>
    <div class="pg-mask-stage">
      <img src=${input.url} alt="The image the mask applies to" draggable="false" />
      <canvas
        ref=${canvas}
        width=${input.width}
        height=${input.height}
        aria-label="Mask painter: drag over the area to repaint"
        onPointerDown=${down}
        onPointerMove=${move}
        onPointerUp=${up}
        onPointerCancel=${up}
      ></canvas>
    </div>
    <div class="row">
      <label class="row small">Brush size
        <input type="range" class="pg-brush" min="4" max="160" value=${brush} onInput=${(event) => setBrush(Number(event.target.value))} />
      </label>
      <button type="button" onClick=${clear}>Clear mask</button>
      <button type="button" onClick=${download}>Download mask</button>
    </div>
  </div>`;
}
