/**
 * The blink of new critical alerts (a tile, a queue row's icon, the header badge): one
 * attribute flip on <html> twice a second, styled in app.css (`.blink`). A CSS animation per
 * element made Chromium restyle and repaint every blinking element on every frame; with 5,000
 * tiles on the board that took most of the main thread (bench/scenarios/6-console.ts).
 * With prefers-reduced-motion the elements stay lit instead.
 */
export function startBlink(root: HTMLElement = document.documentElement, periodMs = 500): () => void {
  if (typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches) return () => {};
  let on = true;
  root.dataset.blink = 'on';
  const timer = setInterval(() => { on = !on; root.dataset.blink = on ? 'on' : 'off'; }, periodMs);
  return () => { clearInterval(timer); delete root.dataset.blink; };
}
