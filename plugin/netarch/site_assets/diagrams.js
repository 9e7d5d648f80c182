/* netarch: every diagram legible at any width, right in both colour schemes, and opened
 * large with pan and zoom (see netarch/assets.py). No text of the page is ever parsed as
 * markup here: the viewer is built with createElement and textContent, and shows a clone of
 * the SVG that Mermaid drew. */
(function () {
  "use strict";
  if (window.netarchDiagrams) return;

  // Text drawn smaller than this is hard to read: a diagram is never shrunk below it to fit
  // its column; it scrolls sideways instead (the host's overflow-x in diagrams.css).
  var MIN_TEXT_PX = 12;
  var ZOOM_STEP = 1.25;
  var PAN_STEP_PX = 48;
  // Added to every diagram's own stylesheet, which Mermaid scopes to the diagram and
  // material puts in a closed shadow root (out of reach of the page's CSS). The colours are
  // material's custom properties, which do cross into shadow roots: a diagram follows the
  // palette toggle without being drawn again. The fallbacks are Mermaid's own colours, for
  // the other themes.
  var EDGE = "var(--md-mermaid-sequence-message-line-color, var(--md-mermaid-edge-color, #333))";
  var PAGE = "var(--md-default-bg-color, #fff)";
  var THEME_CSS = [
    // Sequence arrowheads keep Mermaid's dark fill (material styles `#arrowhead`, an id that
    // Mermaid 12 prefixes with the diagram's): invisible on a dark page.
    'marker[id$="-arrowhead"] path, marker[id$="-filled-head"] path,',
    'marker[id$="-solidTopArrowHead"] path, marker[id$="-solidBottomArrowHead"] path',
    "{ fill: " + EDGE + " !important; stroke: " + EDGE + " !important; }",
    'marker[id$="-crosshead"] path, marker[id$="-stickTopArrowHead"] path,',
    'marker[id$="-stickBottomArrowHead"] path { stroke: ' + EDGE + " !important; }",
    // A message between distant participants crosses the lifelines in between: a halo of
    // the page's colour around its letters keeps the lines from running through the text.
    ".messageText, .noteText, .loopText, .labelText {",
    "  paint-order: stroke fill; stroke: " + PAGE + " !important;",
    "  stroke-width: 4px; stroke-linejoin: round; }",
    ".noteText { stroke: var(--md-mermaid-sequence-note-bg-color, #fff4dd) !important; }",
    // Labels are HTML, laid out by the browser; material's article sets overflow-wrap:
    // break-word, which crosses into the shadow root and lets a label that wraps break
    // between any two characters ("192.168.1" / "00.200"). Only where a word may end.
    ".nodeLabel, .nodeLabel *, .edgeLabel, .edgeLabel *, .cluster-label, .cluster-label * {",
    "  overflow-wrap: normal !important; word-break: normal !important; }",
  ].join("\n");

  var viewer = null;


  function hook(mermaid) {
    if (!mermaid || typeof mermaid.render !== "function" || mermaid.netarchHooked) return;
    mermaid.netarchHooked = true;
    var initialize = mermaid.initialize;
    mermaid.initialize = function (config) {
      var merged = Object.assign({}, config);
      merged.themeCSS = (merged.themeCSS ? merged.themeCSS + "\n" : "") + THEME_CSS;
      return initialize.call(this, merged);
    };
    var render = mermaid.render;
    mermaid.render = function () {
      return Promise.resolve(render.apply(this, arguments)).then(function (drawn) {
        // material calls `fn` with the shadow root it put the SVG in (and netarch's drawing
        // script with the element it put it in): the one moment the SVG is reachable.
        var own = drawn && drawn.fn;
        return Object.assign({}, drawn, {
          fn: function (root) {
            if (typeof own === "function") own(root);
            prepare(root);
          },
        });
      });
    };
  }

  function prepare(root) {
    var svg = root && root.querySelector && root.querySelector("svg");
    var host = root && (root.host || root);
    if (!svg || !host || !host.parentNode || host.netarchPrepared) return;
    host.netarchPrepared = true;
    keepLegible(svg);
    addOpener(host, svg);
  }

  function naturalSize(svg) {
    var box = svg.viewBox && svg.viewBox.baseVal;
    if (box && box.width > 0 && box.height > 0) return { width: box.width, height: box.height };
    var rect = svg.getBoundingClientRect();
    return { width: rect.width || 300, height: rect.height || 150 };
  }

  function smallestFontPx(svg) {
    var smallest = Infinity;
    var texts = svg.querySelectorAll("text, tspan, foreignObject *");
    for (var index = 0; index < texts.length; index++) {
      var element = texts[index];
      if (!element.firstChild || element.closest("style, defs, marker")) continue;
      var own = false;
      for (var child = element.firstChild; child; child = child.nextSibling) {
        if (child.nodeType === 3 && child.nodeValue.trim()) own = true;
      }
      if (!own) continue;
      var size = parseFloat(getComputedStyle(element).fontSize);
      if (size > 0 && size < smallest) smallest = size;
    }
    return smallest === Infinity ? 16 : smallest;
  }

  // Mermaid draws a diagram at 100% of its column, at most at its own width: a wide one is
  // shrunk until its text is unreadable. A minimum width keeps the smallest text at
  // MIN_TEXT_PX or more; past the column the host scrolls sideways.
  function keepLegible(svg) {
    var width = naturalSize(svg).width;
    var least = Math.ceil((width * MIN_TEXT_PX) / smallestFontPx(svg));
    svg.style.minWidth = Math.min(least, 20000) + "px";
    svg.style.flexShrink = "0";
  }

  function diagramName(host) {
    var heading = null;
    for (var node = host; node && !heading; node = node.parentElement) {
      for (var sibling = node.previousElementSibling; sibling; sibling = sibling.previousElementSibling) {
        if (/^H[1-6]$/.test(sibling.tagName)) {
          heading = sibling;
          break;
        }
      }
    }
    var text = heading ? heading.textContent.replace(/\u00b6/g, "").trim() : "";
    return text ? "Open the diagram “" + text + "” large" : "Open the diagram large";
  }

  function addOpener(host, svg) {
    var frame = document.createElement("div");
    frame.className = "netarch-diagram";
    host.parentNode.insertBefore(frame, host);
    frame.appendChild(host);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "netarch-diagram__open";
    button.setAttribute("aria-label", diagramName(frame));
    button.title = "Open large: pan and zoom (Enter)";
    button.textContent = "\u2922";
    frame.appendChild(button);
    button.addEventListener("click", function () {
      open(svg, button);
    });
    host.addEventListener("click", function (event) {
      // Not a click on the host's own scrollbar, nor the end of a text selection.
      if (event.offsetY > host.clientHeight) return;
      var selection = window.getSelection && window.getSelection();
      if (selection && !selection.isCollapsed) return;
      open(svg, button);
    });
    host.classList.add("netarch-openable");
  }

  // --- the viewer -------------------------------------------------------------------

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) made.className = className;
    if (text) made.textContent = text;
    return made;
  }

  function button(label, symbol, action) {
    var made = element("button", "netarch-viewer__button", symbol);
    made.type = "button";
    made.setAttribute("aria-label", label);
    made.title = label;
    made.addEventListener("click", action);
    return made;
  }

  function createViewer() {
    var dialog = element("dialog", "netarch-viewer");
    dialog.setAttribute("aria-label", "Diagram");
    var bar = element("div", "netarch-viewer__bar");
    var hint = element("span", "netarch-viewer__hint", "Drag to pan, wheel or + / − to zoom, 0 to fit, Esc to close");
    var stage = element("div", "netarch-viewer__stage");
    stage.tabIndex = 0;
    stage.setAttribute("aria-label", "Diagram: arrow keys pan, + and − zoom, 0 fits it to the view");
    var canvas = element("div", "netarch-viewer__canvas");
    stage.appendChild(canvas);
    var state = { dialog: dialog, stage: stage, canvas: canvas, scale: 1, x: 0, y: 0, size: null, opener: null };
    bar.appendChild(hint);
    bar.appendChild(button("Zoom out", "\u2212", function () { zoomBy(state, 1 / ZOOM_STEP); }));
    bar.appendChild(button("Fit to the view", "Fit", function () { reset(state); }));
    bar.appendChild(button("Zoom in", "+", function () { zoomBy(state, ZOOM_STEP); }));
    bar.appendChild(button("Close", "\u00d7", function () { dialog.close(); }));
    dialog.appendChild(bar);
    dialog.appendChild(stage);
    document.body.appendChild(dialog);

    dialog.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      var handled = true;
      switch (event.key) {
        case "+": case "=": zoomBy(state, ZOOM_STEP); break;
        case "-": case "_": zoomBy(state, 1 / ZOOM_STEP); break;
        case "0": case "Home": reset(state); break;
        case "ArrowLeft": panBy(state, PAN_STEP_PX, 0); break;
        case "ArrowRight": panBy(state, -PAN_STEP_PX, 0); break;
        case "ArrowUp": panBy(state, 0, PAN_STEP_PX); break;
        case "ArrowDown": panBy(state, 0, -PAN_STEP_PX); break;
        default: handled = false;
      }
      if (handled) event.preventDefault();
    });
    dialog.addEventListener("close", function () {
      canvas.replaceChildren();
      document.documentElement.classList.remove("netarch-viewer-open");
      var opener = state.opener;
      state.opener = null;
      if (opener && opener.isConnected) opener.focus();
    });
    stage.addEventListener("wheel", function (event) {
      event.preventDefault();
      var rect = stage.getBoundingClientRect();
      var factor = Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.002));
      zoomBy(state, factor, event.clientX - rect.left, event.clientY - rect.top);
    }, { passive: false });
    stage.addEventListener("dblclick", function (event) {
      var rect = stage.getBoundingClientRect();
      zoomBy(state, event.shiftKey ? 1 / 2 : 2, event.clientX - rect.left, event.clientY - rect.top);
    });
    addPointerPanning(state);
    return state;
  }

  function addPointerPanning(state) {
    var pointers = new Map();
    var pinch = null;
    var stage = state.stage;
    stage.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      stage.setPointerCapture(event.pointerId);
      pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
      stage.classList.add("netarch-viewer__stage--dragging");
      pinch = null;
    });
    stage.addEventListener("pointermove", function (event) {
      var last = pointers.get(event.pointerId);
      if (!last) return;
      var now = { x: event.clientX, y: event.clientY };
      if (pointers.size === 2) {
        var other = null;
        pointers.forEach(function (point, id) { if (id !== event.pointerId) other = point; });
        var distance = Math.hypot(now.x - other.x, now.y - other.y);
        var rect = stage.getBoundingClientRect();
        if (pinch && pinch > 0) {
          zoomBy(state, distance / pinch, (now.x + other.x) / 2 - rect.left, (now.y + other.y) / 2 - rect.top);
        }
        pinch = distance;
      } else {
        panBy(state, now.x - last.x, now.y - last.y);
      }
      pointers.set(event.pointerId, now);
    });
    function release(event) {
      pointers.delete(event.pointerId);
      pinch = null;
      if (!pointers.size) stage.classList.remove("netarch-viewer__stage--dragging");
    }
    stage.addEventListener("pointerup", release);
    stage.addEventListener("pointercancel", release);
  }

  function apply(state) {
    state.canvas.style.transform =
      "translate(" + state.x + "px, " + state.y + "px) scale(" + state.scale + ")";
    state.dialog.setAttribute("data-scale", state.scale.toFixed(3));
  }

  function zoomBy(state, factor, atX, atY) {
    var stage = state.stage;
    var x = atX === undefined ? stage.clientWidth / 2 : atX;
    var y = atY === undefined ? stage.clientHeight / 2 : atY;
    var scale = Math.min(Math.max(state.scale * factor, 0.1), 16);
    // Keep the point under the cursor (or the centre) where it is.
    state.x = x - ((x - state.x) * scale) / state.scale;
    state.y = y - ((y - state.y) * scale) / state.scale;
    state.scale = scale;
    apply(state);
  }

  function panBy(state, dx, dy) {
    state.x += dx;
    state.y += dy;
    apply(state);
  }

  // Opened large: the whole diagram when it fits at its own size or larger (up to twice),
  // else at its own size from its start (left, top), to be panned.
  function reset(state) {
    var stage = state.stage;
    var width = stage.clientWidth, height = stage.clientHeight;
    var fit = Math.min(width / state.size.width, height / state.size.height);
    state.scale = fit >= 1 ? Math.min(fit, 2) : 1;
    var drawnWidth = state.size.width * state.scale;
    var drawnHeight = state.size.height * state.scale;
    state.x = drawnWidth <= width ? (width - drawnWidth) / 2 : 0;
    state.y = drawnHeight <= height ? (height - drawnHeight) / 2 : 0;
    apply(state);
  }

  function open(svg, opener) {
    viewer = viewer || createViewer();
    if (viewer.dialog.open) return;
    var size = naturalSize(svg);
    var copy = svg.cloneNode(true);
    copy.removeAttribute("style");
    copy.setAttribute("width", String(size.width));
    copy.setAttribute("height", String(size.height));
    copy.style.maxWidth = "none";
    viewer.canvas.replaceChildren(copy);
    viewer.canvas.style.width = size.width + "px";
    viewer.canvas.style.height = size.height + "px";
    viewer.size = size;
    viewer.opener = opener;
    document.documentElement.classList.add("netarch-viewer-open");
    viewer.dialog.showModal();
    reset(viewer);
    viewer.stage.focus();
  }

  function closeViewer() {
    if (viewer && viewer.dialog.open) viewer.dialog.close();
  }

  window.netarchDiagrams = { prepare: prepare, close: closeViewer };
  hook(window.mermaid);
  // material's instant navigation swaps the page without reloading it: a viewer left open
  // would show a diagram of the page before (its new diagrams come through `render`).
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(closeViewer);
  }
  window.addEventListener("popstate", closeViewer);
})();
