// The playground's network view (anywidget ES module, no build step).
//
// Python computes every number (kit/widgets/models/network.py) and sends one
// "frame" (small byte arrays as binary buffers); this module only draws it on
// a canvas, and turns clicks into messages: a feature toggled, units or
// layers added or removed, an activation chosen for a layer, a unit selected.
// Buttons are real <button>s laid over the canvas (keyboard and tests reach them).

const FONT = "12px system-ui, -apple-system, 'Segoe UI', sans-serif";
const SMALL = "10.5px system-ui, -apple-system, 'Segoe UI', sans-serif";

function u8(v) { return v ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(0); }
function f32(v) {
  if (!v || !v.byteLength) return new Float32Array(0);
  return new Float32Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
}
function i32(v) {
  if (!v || !v.byteLength) return new Int32Array(0);
  return new Int32Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
}
function fmt(x, d = 3) {
  if (x === null || x === undefined || !isFinite(x)) return "–";
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(1);
  return x.toFixed(d);
}
function clamp(x, lo, hi) { return Math.max(lo, Math.min(hi, x)); }

function tileImage(values, n, rows, lut, cache) {
  // values: n*rows uint8 (rows = n for a square tile); returns a canvas of n x rows pixels
  const c = cache || document.createElement("canvas");
  c.width = n; c.height = rows;
  const ctx = c.getContext("2d");
  const img = ctx.createImageData(n, rows);
  for (let i = 0; i < n * rows; i++) {
    const v = values[i];
    img.data[4 * i] = lut[3 * v]; img.data[4 * i + 1] = lut[3 * v + 1]; img.data[4 * i + 2] = lut[3 * v + 2];
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return c;
}

function render({ model, el }) {
  el.classList.add("kit-network");
  const wrap = document.createElement("div");
  wrap.style.position = "relative";
  wrap.style.width = "100%";
  const canvas = document.createElement("canvas");
  canvas.dataset.frame = "0";
  canvas.style.display = "block";
  const overlay = document.createElement("div");
  overlay.style.cssText = "position:absolute;left:0;top:0;right:0;bottom:0;pointer-events:none;";
  wrap.appendChild(canvas);
  wrap.appendChild(overlay);
  el.appendChild(wrap);
  let drawn = 0;
  let layoutKey = "";
  let L = null;  // the layout of the last draw
  const scratch = [];

  function send(msg) { model.send(msg); }

  function button(text, title, x, y, w, h, onclick, cls) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.title = title;
    b.setAttribute("aria-label", title);
    b.className = "kit-net-button " + (cls || "");
    b.style.cssText = `position:absolute;left:${x}px;top:${y}px;width:${w}px;height:${h}px;pointer-events:auto;` +
      "padding:0;margin:0;font:12px system-ui,sans-serif;line-height:1;cursor:pointer;border-radius:3px;";
    b.addEventListener("click", (e) => { e.preventDefault(); onclick(); });
    overlay.appendChild(b);
    return b;
  }

  function hitArea(title, r, onclick, cls, pressed) {
    const b = button("", title, r.x, r.y, r.w, r.h, onclick, cls);
    b.style.background = "transparent";
    b.style.border = "none";
    if (pressed !== undefined) b.setAttribute("aria-pressed", pressed ? "true" : "false");
    return b;
  }

  function layout(f, W) {
    // tall enough for the tiles, short enough that controls, network and loss curve fit one screen
    const H = Math.round(clamp(Math.min(W * 0.5, (window.innerHeight || 800) - 350), 330, 620));
    const rightW = Math.round(clamp(W * 0.34, 210, 420));
    const netW = W - rightW - 12;
    const header = 50;
    const histH = Math.round(clamp(H * 0.22, 80, 130));
    const nFeat = f.features.length;
    const maxRows = Math.max(nFeat, ...f.hidden, 1);
    const areaH = H - header - histH - 16;
    const T = Math.floor(clamp(areaH / (maxRows * 1.3), 12, 44));
    const gap = Math.min(Math.floor(T * 0.3), Math.floor((areaH - maxRows * T) / Math.max(1, maxRows)));
    const labelW = 46;
    const cols = 1 + f.hidden.length;
    const x0 = labelW;
    const x1 = netW - T - 10;
    const colX = [];
    for (let c = 0; c < cols; c++) colX.push(cols === 1 ? x0 : x0 + (x1 - x0) * c / (cols - 1));
    const nodes = [];  // per column: rects
    const column = (c, n) => {
      const total = n * T + (n - 1) * gap;
      const top = header + Math.max(0, (areaH - total) / 2);
      const out = [];
      for (let i = 0; i < n; i++) out.push({ x: colX[c], y: top + i * (T + gap), w: T, h: T });
      return out;
    };
    nodes.push(column(0, nFeat));
    f.hidden.forEach((n, l) => nodes.push(column(l + 1, n)));
    const ox = netW + 12;
    const statsH = 34;
    const S = Math.floor(Math.min(rightW - 20, H - statsH - 140));
    const out = { x: ox + 10, y: statsH + 8, w: S, h: S };
    const lossBox = { x: ox + 34, y: out.y + S + 48, w: rightW - 40, h: H - (out.y + S + 48) - 22 };
    const hist = { x: 34, y: H - histH - 4, w: netW - 44, h: histH - 30 };
    return { W, H, T, gap, netW, rightW, header, nodes, out, lossBox, hist, colX, statsH, ox };
  }

  function rebuildOverlay(f) {
    overlay.replaceChildren();
    const names = model.get("activation_names") || [];
    const maxUnits = model.get("max_units"), maxLayers = model.get("max_layers");
    // features: toggles over their tiles
    L.nodes[0].forEach((r, i) => {
      const key = f.features[i];
      const on = f.inputs.includes(key);
      hitArea(`feature ${f.feature_labels[i]}${on ? " (on)" : " (off)"}`, { x: r.x - 44, y: r.y, w: r.w + 44, h: r.h },
        () => send({ action: "feature", feature: key }), "kit-feature", on);
    });
    // layers: add / remove
    const hx = L.colX[1] !== undefined ? L.colX[1] - 4 : L.netW / 2;
    button("−", "remove a hidden layer", 2, 2, 20, 18, () => send({ action: "layers", delta: -1 }), "kit-layer-minus")
      .disabled = f.hidden.length <= 1;
    button("+", "add a hidden layer", 24, 2, 20, 18, () => send({ action: "layers", delta: 1 }), "kit-layer-plus")
      .disabled = f.hidden.length >= maxLayers;
    f.hidden.forEach((n, l) => {
      const x = L.colX[l + 1] + L.T / 2;
      button("−", `fewer units in layer ${l + 1}`, x - 22, 22, 20, 16, () => send({ action: "units", layer: l, delta: -1 }),
        "kit-units-minus").disabled = n <= 1;
      button("+", `more units in layer ${l + 1}`, x + 2, 22, 20, 16, () => send({ action: "units", layer: l, delta: 1 }),
        "kit-units-plus").disabled = n >= maxUnits;
      const sel = document.createElement("select");
      sel.title = `activation of layer ${l + 1}`;
      sel.setAttribute("aria-label", sel.title);
      sel.className = "kit-layer-activation";
      const w = Math.min(96, Math.max(60, (L.colX[2] !== undefined ? L.colX[2] - L.colX[1] : 90) - 6));
      sel.style.cssText = `position:absolute;left:${x - w / 2}px;top:${L.header - 12}px;width:${w}px;height:18px;` +
        "pointer-events:auto;font:11px system-ui,sans-serif;padding:0;";
      const opts = names.includes(f.activations[l]) ? names : [f.activations[l], ...names];
      for (const name of opts) {
        const o = document.createElement("option");
        o.value = name; o.textContent = name;
        if (name === f.activations[l]) o.selected = true;
        sel.appendChild(o);
      }
      sel.addEventListener("change", () => send({ action: "activation", layer: l, name: sel.value }));
      overlay.appendChild(sel);
      L.nodes[l + 1].forEach((r, u) => {
        hitArea(`layer ${l + 1} unit ${u + 1}`, r, () => send({ action: "select", layer: l, unit: u }), "kit-unit");
      });
    });
  }

  function drawTiles(ctx, f, lut) {
    const G = f.grid, dims = f.dims;
    const featTiles = u8(f.feature_tiles), unitTiles = u8(f.unit_tiles);
    const dead = u8(f.dead), sat = f32(f.saturated), hits = i32(f.kink_hits);
    const npix = dims === 2 ? G * G : G;
    const rows = dims === 2 ? G : 1;
    let k = 0;
    const T = L.T;
    const drawOne = (vals, r, faded) => {
      ctx.globalAlpha = faded ? 0.28 : 1;
      if (dims === 2) {
        const img = tileImage(vals, G, rows, lut, scratch[k] || (scratch[k] = document.createElement("canvas")));
        k++;
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(img, r.x, r.y, r.w, r.h);
      } else {  // a curve: the value along x
        ctx.fillStyle = "#fff"; ctx.fillRect(r.x, r.y, r.w, r.h);
        ctx.strokeStyle = "#D55E00"; ctx.lineWidth = 1.5; ctx.beginPath();
        for (let i = 0; i < G; i++) {
          const px = r.x + (i / (G - 1)) * r.w, py = r.y + r.h - (vals[i] / 255) * r.h;
          if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
        }
        ctx.stroke();
        ctx.strokeStyle = "#bbb"; ctx.lineWidth = 0.5; ctx.beginPath();
        ctx.moveTo(r.x, r.y + r.h / 2); ctx.lineTo(r.x + r.w, r.y + r.h / 2); ctx.stroke();
      }
      ctx.globalAlpha = 1;
      ctx.strokeStyle = faded ? "#ccc" : "#555"; ctx.lineWidth = 1;
      ctx.strokeRect(r.x + 0.5, r.y + 0.5, r.w - 1, r.h - 1);
    };
    ctx.font = SMALL; ctx.textAlign = "right"; ctx.textBaseline = "middle";
    L.nodes[0].forEach((r, i) => {
      const on = f.inputs.includes(f.features[i]);
      drawOne(featTiles.subarray(i * npix, (i + 1) * npix), r, !on);
      ctx.fillStyle = on ? "#000" : "#999";
      ctx.fillText(f.feature_labels[i], r.x - 4, r.y + r.h / 2);
    });
    let u = 0;
    const sel = f.selected;
    f.hidden.forEach((n, l) => {
      L.nodes[l + 1].forEach((r, j) => {
        if (dead[u]) {  // flat, grey, crossed, and says so
          ctx.fillStyle = f.colors.dead; ctx.fillRect(r.x, r.y, r.w, r.h);
          ctx.strokeStyle = "#fff"; ctx.lineWidth = 1.5; ctx.beginPath();
          ctx.moveTo(r.x + 3, r.y + 3); ctx.lineTo(r.x + r.w - 3, r.y + r.h - 3);
          ctx.moveTo(r.x + r.w - 3, r.y + 3); ctx.lineTo(r.x + 3, r.y + r.h - 3); ctx.stroke();
          ctx.fillStyle = "#fff"; ctx.font = `bold ${Math.max(8, Math.floor(T / 3.6))}px system-ui,sans-serif`;
          ctx.textAlign = "center"; ctx.fillText("dead", r.x + r.w / 2, r.y + r.h / 2);
        } else {
          drawOne(unitTiles.subarray(u * npix, (u + 1) * npix), r, false);
          if (sat[u] >= f.saturated_unit) {
            ctx.strokeStyle = "#CC79A7"; ctx.lineWidth = 3;
            ctx.strokeRect(r.x - 1.5, r.y - 1.5, r.w + 3, r.h + 3);
            ctx.fillStyle = "#CC79A7"; ctx.font = SMALL; ctx.textAlign = "left";
            ctx.fillText("sat", r.x + r.w + 3, r.y + 6);
          }
        }
        if (hits[u] > 0) {
          ctx.fillStyle = "#D55E00"; ctx.font = SMALL; ctx.textAlign = "left";
          ctx.fillText(`kink ${hits[u]}`, r.x + r.w + 3, r.y + r.h - 5);
        }
        if (sel && sel[0] === l && sel[1] === j) {
          ctx.strokeStyle = f.colors.selected; ctx.lineWidth = 2.5;
          ctx.strokeRect(r.x - 3, r.y - 3, r.w + 6, r.h + 6);
        }
        u++;
      });
      const c = L.nodes[l + 1][0];
      const nd = dead.slice(u - n, u).reduce((a, b) => a + b, 0);
      ctx.fillStyle = nd ? "#B00020" : "#333"; ctx.font = SMALL; ctx.textAlign = "center"; ctx.textBaseline = "alphabetic";
      ctx.fillText(`${n} unit${n > 1 ? "s" : ""}` + (nd ? ` · ${nd} dead` : ""), c.x + c.w / 2, 16);
      ctx.textBaseline = "middle";
    });
  }

  function drawWeights(ctx, f) {
    const wmax = f.wmax || 1;
    const inputsIdx = f.inputs.map((key) => f.features.indexOf(key));
    const layers = f.weights.map(f32);
    const srcNodes = [inputsIdx.map((i) => L.nodes[0][i]), ...L.nodes.slice(1)];
    const outNode = { x: L.out.x, y: L.out.y + L.out.h / 2 - 0.5, w: 0, h: 1 };
    layers.forEach((W, l) => {
      const from = srcNodes[l];
      const to = l + 1 < srcNodes.length ? srcNodes[l + 1] : [outNode];
      const nOut = to.length;
      for (let i = 0; i < from.length; i++) {
        for (let j = 0; j < nOut; j++) {
          const w = W[i * nOut + j];
          if (!isFinite(w)) continue;
          const m = Math.min(1, Math.abs(w) / wmax);
          ctx.strokeStyle = w >= 0 ? f.colors.positive : f.colors.negative;
          ctx.globalAlpha = 0.2 + 0.8 * m;
          ctx.lineWidth = 0.4 + 4 * m;
          const a = from[i], b = to[j];
          ctx.beginPath();
          ctx.moveTo(a.x + a.w, a.y + a.h / 2);
          const mx = (a.x + a.w + b.x) / 2;
          ctx.bezierCurveTo(mx, a.y + a.h / 2, mx, b.y + b.h / 2, b.x, b.y + b.h / 2);
          ctx.stroke();
        }
      }
    });
    ctx.globalAlpha = 1;
  }

  function drawOutput(ctx, f, lut) {
    const r = L.out;
    const [x0, x1, y0, y1] = f.extent;
    const disc = f.flags.discretize;
    const sx = (x) => r.x + (x - x0) / (x1 - x0) * r.w;
    if (f.task === "classification") {
      const G = f.out_grid;
      let vals = u8(f.output);
      if (disc) vals = vals.map((v) => (v >= 128 ? 230 : 25));
      const img = tileImage(vals, G, G, lut, scratch[999] || (scratch[999] = document.createElement("canvas")));
      ctx.imageSmoothingEnabled = !disc;
      ctx.drawImage(img, r.x, r.y, r.w, r.h);
      const sy = (y) => r.y + (y1 - y) / (y1 - y0) * r.h;
      const drawPts = (P, lab, hollow) => {
        const xy = f32(P), c = u8(lab);
        for (let i = 0; i < c.length; i++) {
          const px = sx(xy[2 * i]), py = sy(xy[2 * i + 1]);
          ctx.beginPath();
          if (c[i]) { ctx.moveTo(px, py - 3.6); ctx.lineTo(px + 3.2, py + 2.4); ctx.lineTo(px - 3.2, py + 2.4); ctx.closePath(); }
          else ctx.arc(px, py, 2.8, 0, 2 * Math.PI);
          if (hollow) { ctx.strokeStyle = c[i] ? "#D55E00" : f.colors.negative; ctx.lineWidth = 1.4; ctx.stroke(); }
          else { ctx.fillStyle = c[i] ? f.colors.positive : f.colors.negative; ctx.fill(); ctx.strokeStyle = "#000";
                 ctx.lineWidth = 0.6; ctx.stroke(); }
        }
      };
      drawPts(f.points, f.labels, false);
      if (f.flags.show_test) drawPts(f.test_points, f.test_labels, true);
      // colour scale
      const bar = { x: r.x, y: r.y + r.h + 6, w: r.w, h: 8 };
      const grad = ctx.createLinearGradient(bar.x, 0, bar.x + bar.w, 0);
      for (let i = 0; i <= 8; i++) {
        const v = Math.round(255 * i / 8);
        grad.addColorStop(i / 8, `rgb(${lut[3 * v]},${lut[3 * v + 1]},${lut[3 * v + 2]})`);
      }
      ctx.fillStyle = grad; ctx.fillRect(bar.x, bar.y, bar.w, bar.h);
      ctx.strokeStyle = "#555"; ctx.lineWidth = 0.5; ctx.strokeRect(bar.x, bar.y, bar.w, bar.h);
      ctx.fillStyle = "#333"; ctx.font = SMALL; ctx.textBaseline = "top";
      ctx.textAlign = "left"; ctx.fillText("0", bar.x, bar.y + 10);
      ctx.textAlign = "center"; ctx.fillText(disc ? "class 0 | class 1 (discretised)" : "P(class 1)", bar.x + bar.w / 2, bar.y + 10);
      ctx.textAlign = "right"; ctx.fillText("1", bar.x + bar.w, bar.y + 10);
    } else {
      const [ylo, yhi] = f.out_y;
      const sy = (y) => r.y + (yhi - y) / (yhi - ylo) * r.h;
      ctx.fillStyle = "#fff"; ctx.fillRect(r.x, r.y, r.w, r.h);
      const xy = f32(f.points);
      ctx.fillStyle = f.colors.negative;
      for (let i = 0; i < xy.length / 2; i++) { ctx.beginPath(); ctx.arc(sx(xy[2 * i]), sy(xy[2 * i + 1]), 2.2, 0, 6.3); ctx.fill(); }
      if (f.flags.show_test) {
        const t = f32(f.test_points);
        ctx.strokeStyle = f.colors.positive; ctx.lineWidth = 1.2;
        for (let i = 0; i < t.length / 2; i++) { ctx.beginPath(); ctx.arc(sx(t[2 * i]), sy(t[2 * i + 1]), 2.6, 0, 6.3); ctx.stroke(); }
      }
      const out = f32(f.output), n = out.length;
      ctx.strokeStyle = "#D55E00"; ctx.lineWidth = 2.2; ctx.beginPath();
      for (let i = 0; i < n; i++) {
        const px = r.x + i / (n - 1) * r.w, py = clamp(sy(out[i]), r.y - 2, r.y + r.h + 2);
        if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
      }
      ctx.stroke();
      ctx.fillStyle = "#333"; ctx.font = SMALL; ctx.textAlign = "center"; ctx.textBaseline = "top";
      ctx.fillText("the network's fit (line) to the data (dots)", r.x + r.w / 2, r.y + r.h + 6);
    }
    ctx.strokeStyle = "#555"; ctx.lineWidth = 1; ctx.strokeRect(r.x + 0.5, r.y + 0.5, r.w - 1, r.h - 1);
  }

  function drawStats(ctx, f) {
    const s = f.stats, cls = f.task === "classification";
    ctx.fillStyle = "#000"; ctx.font = FONT; ctx.textAlign = "left"; ctx.textBaseline = "top";
    const x = L.ox + 10;
    ctx.fillText(`step ${s.step.toLocaleString("en")}` + (f.flags.stopped ? " · STOPPED" : ""), x, 1);
    ctx.font = SMALL;
    ctx.fillText(`train: loss ${fmt(s.loss)}` + (cls ? `, accuracy ${fmt(s.accuracy)}` : ""), x + 95, 1);
    ctx.fillText(`test:  loss ${fmt(s.test_loss)}` + (cls ? `, accuracy ${fmt(s.test_accuracy)}` : ""), x + 95, 15);
  }

  function drawLoss(ctx, f) {
    const r = L.lossBox;
    const steps = f32(f.loss_steps), loss = f32(f.loss), ts = f32(f.test_steps), tl = f32(f.test_loss);
    ctx.strokeStyle = "#999"; ctx.lineWidth = 1;
    ctx.strokeRect(r.x + 0.5, r.y + 0.5, r.w, r.h);
    ctx.fillStyle = "#333"; ctx.font = SMALL; ctx.textAlign = "left"; ctx.textBaseline = "bottom";
    ctx.fillText("loss (log scale): train —  test - -", r.x, r.y - 3);
    let lo = Infinity, hi = -Infinity, smax = 1;
    const scan = (a) => { for (const v of a) if (isFinite(v) && v > 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); } };
    scan(loss); scan(tl);
    for (const v of steps) smax = Math.max(smax, v);
    if (!isFinite(lo)) return;
    let a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi) + 1e-9);
    if (b <= a) b = a + 1;
    const sx = (v) => r.x + v / smax * r.w, sy = (v) => r.y + r.h - (Math.log10(v) - a) / (b - a) * r.h;
    ctx.textAlign = "right"; ctx.textBaseline = "middle";
    for (let k = a; k <= b; k++) {
      ctx.fillText(k >= 0 && k < 4 ? String(10 ** k) : `1e${k}`, r.x - 3, sy(10 ** k));
      ctx.strokeStyle = "#eee"; ctx.beginPath(); ctx.moveTo(r.x, sy(10 ** k)); ctx.lineTo(r.x + r.w, sy(10 ** k)); ctx.stroke();
    }
    ctx.textAlign = "right"; ctx.textBaseline = "top";
    ctx.fillText(`step ${Math.round(smax).toLocaleString("en")}`, r.x + r.w, r.y + r.h + 2);
    const line = (xs, ys, color, dash) => {
      ctx.strokeStyle = color; ctx.lineWidth = 2; ctx.setLineDash(dash); ctx.beginPath();
      let started = false;
      for (let i = 0; i < ys.length; i++) {
        if (!(isFinite(ys[i]) && ys[i] > 0)) continue;
        const px = sx(xs[i]), py = sy(ys[i]);
        if (!started) { ctx.moveTo(px, py); started = true; } else ctx.lineTo(px, py);
      }
      ctx.stroke(); ctx.setLineDash([]);
    };
    line(steps, loss, f.colors.negative, []);
    line(ts, tl, f.colors.positive, [5, 3]);
  }

  function drawHistogram(ctx, f) {
    const r = L.hist, h = f.histogram;
    ctx.font = SMALL; ctx.fillStyle = "#333"; ctx.textAlign = "left"; ctx.textBaseline = "bottom";
    if (!h) {
      ctx.fillText("click a unit to see its pre-activations z on the training points, against the kink and the " +
                   "saturation region", r.x - 30, r.y + r.h / 2);
      return;
    }
    const counts = f32(h.counts), n = counts.length;
    const sx = (z) => r.x + (z - h.lo) / (h.hi - h.lo) * r.w;
    let top = 0; for (const c of counts) top = Math.max(top, c);
    top = top || 1;
    for (const [a, b] of h.saturated) { ctx.fillStyle = "rgba(189,189,189,0.45)"; ctx.fillRect(sx(a), r.y, sx(b) - sx(a), r.h); }
    for (const [a, b] of h.dead_region) { ctx.fillStyle = "rgba(112,112,112,0.35)"; ctx.fillRect(sx(a), r.y, sx(b) - sx(a), r.h); }
    ctx.fillStyle = "#0072B2";
    for (let i = 0; i < n; i++) {
      const bh = counts[i] / top * (r.h - 2);
      ctx.fillRect(sx(h.lo + (h.hi - h.lo) * i / n) + 0.5, r.y + r.h - bh, r.w / n - 1, bh);
    }
    ctx.strokeStyle = "#000"; ctx.lineWidth = 1.5; ctx.setLineDash([2, 3]);
    for (const k of h.kinks) { ctx.beginPath(); ctx.moveTo(sx(k), r.y); ctx.lineTo(sx(k), r.y + r.h); ctx.stroke(); }
    ctx.setLineDash([]);
    ctx.strokeStyle = "#555"; ctx.lineWidth = 1; ctx.beginPath(); ctx.moveTo(r.x, r.y + r.h + 0.5); ctx.lineTo(r.x + r.w, r.y + r.h + 0.5); ctx.stroke();
    const state = h.dead ? "DEAD: no training point passes a gradient" :
      `${Math.round(100 * h.share_saturated)} % in the saturated region (|f'| ≤ ${h.tol})`;
    ctx.fillStyle = h.dead ? "#B00020" : "#000"; ctx.textAlign = "left"; ctx.textBaseline = "bottom";
    ctx.fillText(`layer ${h.layer + 1}, unit ${h.unit + 1} (${h.name}): pre-activations z · ${state}` +
                 (h.kinks.length ? " · dotted: kink" : "") + " · shaded: saturated, darker: f' = 0", r.x - 30, r.y - 3);
    ctx.fillStyle = "#333"; ctx.textBaseline = "top";
    ctx.textAlign = "left"; ctx.fillText(fmt(h.lo, 1), r.x, r.y + r.h + 3);
    ctx.textAlign = "center"; ctx.fillText("0", sx(0), r.y + r.h + 3);
    ctx.textAlign = "right"; ctx.fillText(fmt(h.hi, 1), r.x + r.w, r.y + r.h + 3);
  }

  function draw() {
    const t0 = performance.now();
    const f = model.get("frame");
    if (!f || !f.hidden) return;
    const W = Math.max(560, Math.floor(el.clientWidth || wrap.clientWidth || 900));
    L = layout(f, W);
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(W * dpr) || canvas.height !== Math.round(L.H * dpr)) {
      canvas.width = Math.round(W * dpr); canvas.height = Math.round(L.H * dpr);
      canvas.style.width = `${W}px`; canvas.style.height = `${L.H}px`;
    }
    const key = JSON.stringify([W, f.hidden, f.inputs, f.features, f.activations, model.get("activation_names")]);
    if (key !== layoutKey) { layoutKey = key; rebuildOverlay(f); }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, L.H);
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, L.H);
    const lut = u8(f.lut);
    ctx.fillStyle = "#333"; ctx.font = SMALL; ctx.textAlign = "left"; ctx.textBaseline = "top";
    ctx.fillText(`${f.hidden.length} hidden layer${f.hidden.length > 1 ? "s" : ""}`, 48, 5);
    ctx.fillText("inputs", 4, L.header - 12);
    drawWeights(ctx, f);
    drawTiles(ctx, f, lut);
    drawOutput(ctx, f, lut);
    drawStats(ctx, f);
    drawLoss(ctx, f);
    drawHistogram(ctx, f);
    ctx.fillStyle = "#555"; ctx.font = SMALL; ctx.textAlign = "left"; ctx.textBaseline = "bottom";
    ctx.fillText("lines: orange weight > 0, blue < 0, width |w| · tiles: each unit's output over the plane " +
                 "(orange > 0, blue < 0)", 4, L.H - 1);
    drawn += 1;
    canvas.dataset.drawMs = (performance.now() - t0).toFixed(1);  // what a frame costs the browser
    canvas.dataset.dead = String(u8(f.dead).reduce((a, b) => a + b, 0));  // for tests: dead units drawn
    canvas.dataset.step = String(f.stats.step);
    canvas.dataset.frame = String(drawn);
  }

  // Pause: of the frames still in flight, show only the last (see player.js)
  let skip = 0;
  const sameApp = (e) => e.target && e.target.closest && el.closest && e.target.closest(".kit-app") === el.closest(".kit-app");
  const onPause = (e) => { if (sameApp(e)) skip = Math.max(0, ((e.detail && e.detail.inflight) || 0) - 1); };
  const onPlay = (e) => { if (sameApp(e)) skip = 0; };
  document.addEventListener("kit-pause", onPause);
  document.addEventListener("kit-play", onPlay);
  model.on("change:frame", () => { if (skip > 0) { skip -= 1; return; } draw(); });
  model.on("change:activation_names", () => { layoutKey = ""; draw(); });
  const ro = new ResizeObserver(() => draw());
  ro.observe(el);
  draw();
  return () => {
    ro.disconnect();
    document.removeEventListener("kit-pause", onPause);
    document.removeEventListener("kit-play", onPlay);
  };
}

export default { render };
