/* sitegen preview client: injected by `sitegen serve` only, never part of a build.
   Listens to /__sitegen/events; reloads when the page it shows changed (per-page hash),
   swaps stylesheets on CSS-only changes, shows build errors in an overlay, and offers the
   annotation inspector toggle. */
(function () {
  "use strict";
  var me = document.currentScript || document.querySelector("script[data-sitegen-preview]");
  var state = {
    hash: me.getAttribute("data-hash") || "",
    generation: parseInt(me.getAttribute("data-generation") || "0", 10),
    page: me.getAttribute("data-page") || location.pathname
  };
  var status = (window.__sitegenPreview = { connected: false, events: [], errors: [] });
  var overlay = null;

  function reload() { status.reloading = true; location.reload(); }

  function check() {
    fetch("/__sitegen/hash?path=" + encodeURIComponent(state.page), { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (d) { if (d.hash !== state.hash) reload(); })
      .catch(function () {});
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function showErrors(errors) {
    status.errors = errors || [];
    if (overlay) { overlay.remove(); overlay = null; }
    if (!errors || !errors.length) return;
    overlay = el("div", "sg-overlay");
    overlay.setAttribute("role", "alert");
    overlay.id = "sg-overlay";
    var box = el("div", "sg-overlay-box");
    box.appendChild(el("h2", null, errors.length === 1 ? "The site did not build"
      : errors.length + " problems: the site did not build"));
    errors.forEach(function (err) {
      var item = el("div", "sg-error");
      if (err.file) {
        item.appendChild(el("code", "sg-error-loc", err.file + (err.line ? ":" + err.line : "")));
      }
      item.appendChild(el("p", "sg-error-msg", err.message));
      if (err.hint) item.appendChild(el("p", "sg-error-hint", "hint: " + err.hint));
      box.appendChild(item);
    });
    box.appendChild(el("p", "sg-overlay-note",
      "Showing the last good build. Save a fix and this page updates by itself."));
    var close = el("button", "sg-overlay-close", "Dismiss");
    close.type = "button";
    close.addEventListener("click", function () { overlay.hidden = true; });
    box.appendChild(close);
    overlay.appendChild(box);
    document.body.appendChild(overlay);
  }

  function swapStylesheets(files) {
    var stamp = "sg=" + Date.now();
    document.querySelectorAll('link[rel="stylesheet"]:not([data-sitegen-preview])')
      .forEach(function (link) {
        var url = new URL(link.href, location.href);
        if (url.origin !== location.origin || files.indexOf(url.pathname) < 0) return;
        url.search = stamp;
        var next = link.cloneNode();
        next.href = url.href;
        next.addEventListener("load", function () { link.remove(); });
        next.addEventListener("error", function () { next.remove(); });
        link.after(next);
      });
  }

  function on(source, name, fn) {
    source.addEventListener(name, function (e) {
      var data = JSON.parse(e.data);
      status.events.push({ name: name, data: data });
      fn(data);
    });
  }

  var source = new EventSource("/__sitegen/events");
  source.onopen = function () { status.connected = true; };
  source.onerror = function () { status.connected = false; };
  on(source, "hello", function (d) {
    showErrors(d.errors);
    if (d.generation !== state.generation) check();   // missed events while away
  });
  on(source, "build", function (d) {
    state.generation = d.generation;
    showErrors([]);
    if (d.all || status.reloadOnBuild) { reload(); return; }  // review mode: a decision
    if (Object.prototype.hasOwnProperty.call(d.pages, state.page) &&
        d.pages[state.page] !== state.hash) reload();
  });
  on(source, "css", function (d) {
    state.generation = d.generation;
    showErrors([]);
    swapStylesheets(d.files);
  });
  on(source, "errors", function (d) { showErrors(d.errors); });
  window.addEventListener("pagehide", function () { source.close(); });

  /* Annotation inspector: labels every annotation inline with what and where from. */
  var KEY = "sitegen-inspect";
  function label(node) {
    var origin = node.getAttribute("data-origin");
    var from = origin ? " \u00b7 " + origin : "";
    var href = node.getAttribute("href") || "";
    if (node.classList.contains("ann-entity")) {
      var m = href.match(/entities\/([^/]+)\/?$/);
      return (node.getAttribute("data-type") || "entity") + ": " + (m ? m[1] : href) + from;
    }
    if (node.classList.contains("ann-term")) {
      return "glossary: " + href.split("#").pop() + from;
    }
    var kind = (node.className.match(/attr-(\w+)/) || [])[1] || "attribution";
    var n = node.getAttribute("data-source");
    var who = "";
    if (n) {
      var marker = document.querySelector('a.attr-marker[href="#source-' + n + '"] .vh');
      who = marker ? " \u2190 " + marker.textContent.replace(/^source:\s*/, "") : " \u2190 #" + n;
    }
    return kind.replace("_", " ") + who + from;
  }
  function inspect(on) {
    document.documentElement.classList.toggle("sg-inspect", on);
    button.setAttribute("aria-pressed", on ? "true" : "false");
    try { localStorage.setItem(KEY, on ? "1" : ""); } catch (e) { /* private mode */ }
    if (!on) return;
    document.querySelectorAll("a.ann, span.attr").forEach(function (node) {
      var c = node.getAttribute("data-confidence");
      node.setAttribute("data-sg-label", label(node) + (c ? " \u00b7 " + c : ""));
    });
  }
  status.inspect = inspect;  // review mode (review.js) turns the inspector on
  var button = el("button", "sg-inspect-toggle", "Annotations");
  button.type = "button";
  button.title = "Show every annotation inline (preview only)";
  button.addEventListener("click", function () {
    inspect(!document.documentElement.classList.contains("sg-inspect"));
  });
  document.body.appendChild(button);
  var saved = "";
  try { saved = localStorage.getItem(KEY) || ""; } catch (e) { /* private mode */ }
  inspect(saved === "1");
})();
