// WCAG 2.1 contrast of every visible text node against the background it is drawn on (the first
// ancestor with an opaque-enough background, blended over the app's background). Returns the
// failures: text under 4.5:1 (3:1 when large: >= 24 px, or >= 18.66 px and bold), and chart text
// under 4.5:1.
() => {
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (fg, bg) => ({ r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a),
                              b: fg.b * fg.a + bg.b * (1 - fg.a), a: 1 });
  const lum = (c) => {
    const ch = [c.r, c.g, c.b].map((v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const ratio = (a, b) => { const [h, l] = [lum(a), lum(b)].sort((x, y) => y - x); return (h + 0.05) / (l + 0.05); };
  const app = document.querySelector('.stApp') || document.body;
  const base = parse(getComputedStyle(app).backgroundColor) || { r: 255, g: 255, b: 255, a: 1 };
  const background = (el) => {
    const layers = [];
    for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 0.99) break; }
    }
    let bg = layers.length && layers[layers.length - 1].a >= 0.99 ? layers.pop() : base;
    while (layers.length) bg = over(layers.pop(), bg);
    return bg;
  };
  const out = [];
  let checked = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    const el = n.parentElement;
    if (!text || !el || el.closest('svg, canvas, iframe, script, style, noscript, [aria-hidden="true"]')) continue;
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    if (s.visibility !== 'visible' || Number(s.opacity) === 0 || r.width < 1 || r.height < 1) continue;
    if (el.closest('[disabled], [aria-disabled="true"]')) continue;  // WCAG exempts inactive controls
    const bg = background(el);
    let fg = parse(s.color);
    for (let e = el; e && fg; e = e.parentElement) {  // a translucent ancestor fades the text too
      const o = Number(getComputedStyle(e).opacity);
      if (o < 1) fg = { ...fg, a: fg.a * o };
    }
    if (!fg) continue;
    const cr = ratio(over(fg, bg), bg);
    const size = parseFloat(s.fontSize), bold = Number(s.fontWeight) >= 700;
    const need = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
    checked += 1;
    if (cr < need) out.push({ text: text.slice(0, 60), ratio: Math.round(cr * 100) / 100, need, color: s.color,
                              background: `rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)})` });
  }
  // chart text (Vega draws axis labels, titles and legends as SVG text with a fill)
  for (const el of document.querySelectorAll('.stVegaLiteChart svg text, [data-testid="stVegaLiteChart"] svg text')) {
    const text = el.textContent.trim();
    const r = el.getBoundingClientRect();
    if (!text || r.width < 1 || r.height < 1) continue;
    const s = getComputedStyle(el);
    const fill = parse(s.fill);
    if (!fill || Number(s.opacity) === 0 || Number(s.fillOpacity) === 0) continue;  // labels Vega hid (overlap)
    const bg = background(el.closest('svg').parentElement);
    const cr = ratio(over({ ...fill, a: fill.a * Number(s.fillOpacity || 1) * Number(s.opacity || 1) }, bg), bg);
    checked += 1;
    if (cr < 4.5) out.push({ text: 'chart: ' + text.slice(0, 50), ratio: Math.round(cr * 100) / 100, need: 4.5,
                             color: s.fill, background: `rgb(${bg.r}, ${bg.g}, ${bg.b})` });
  }
  return { checked, failures: out };
}
