/* sitegen: previews for entity, glossary and source annotations (no framework).
   A card opens after a short delay on hover and at once on keyboard focus, placed at the
   hovered line of the link (a link may wrap) and flipped to stay in the viewport. It stays
   open while the pointer is over it and Escape closes it (WCAG 1.4.13). On touch screens
   a first tap opens the card, a second follows the link. A source marker lights up its
   statements while it is hovered or focused. Without JavaScript the links simply navigate. */
(function () {
  "use strict";
  var doc = document, root = doc.documentElement;
  if (location.protocol === "file:") {
    // Opened from disk: directory links need an explicit index.html.
    doc.querySelectorAll("a[href]").forEach(function (a) {
      var h = a.getAttribute("href");
      if (!/^[a-z]+:|^\/\/|^#/i.test(h) && /\/(#.*)?$/.test(h.split("?")[0])) {
        a.setAttribute("href", h.replace(/\/(#.*)?$/, "/index.html$1"));
      } else if (h === "" || h === "./") { a.setAttribute("href", "index.html"); }
    });
  }
  var pop = doc.createElement("div");
  pop.className = "sg-popover";
  pop.hidden = true;
  pop.setAttribute("role", "tooltip");
  pop.id = "sg-popover";
  doc.body.appendChild(pop);
  var current = null, showT = 0, hideT = 0, touched = null, lit = [], GAP = 6;
  var touch = matchMedia("(hover: none)");

  function trig(e) { return e.target.closest ? e.target.closest("[data-pop]") : null; }

  // The line box of the trigger nearest to the pointer (a wrapped link has several).
  function lineBox(t, y) {
    var rects = t.getClientRects(), best = rects[0], d = Infinity;
    for (var i = 0; y != null && i < rects.length; i++) {
      var r = rects[i], dist = y < r.top ? r.top - y : y > r.bottom ? y - r.bottom : 0;
      if (dist < d) { d = dist; best = r; }
    }
    return best || t.getBoundingClientRect();
  }

  function light(t, on) {
    lit.forEach(function (el) { el.classList.remove("sg-lit"); });
    lit = [];
    var ids = on && t.getAttribute("data-stmts");
    if (!ids) return;
    ids.split(" ").forEach(function (k) {
      doc.querySelectorAll('[data-stmt="' + k + '"]').forEach(function (el) {
        el.classList.add("sg-lit"); lit.push(el);
      });
    });
  }

  function show(t, y) {
    clearTimeout(showT); clearTimeout(hideT);
    var html = "";
    t.getAttribute("data-pop").split(" ").forEach(function (id) {
      var src = doc.getElementById(id);
      if (src) html += '<div class="pop-card">' + src.innerHTML + "</div>";
    });
    if (!html) return;
    if (current && current !== t) light(current, false);
    current = t;
    if (touch.matches && t.href) {
      html += '<p class="pop-hint">Tap the link again to open it.</p>';
    }
    pop.innerHTML = html;
    pop.hidden = false;
    light(t, true);
    place(lineBox(t, y));
  }

  function place(r) {
    var vw = root.clientWidth, vh = innerHeight, h = pop.offsetHeight, w = pop.offsetWidth;
    var top = r.bottom + GAP;
    if (top + h > vh - 4 && r.top - GAP - h >= 4) top = r.top - GAP - h;  // flip above
    var left = Math.max(8, Math.min(r.left, vw - w - 8));
    pop.style.top = (top + scrollY) + "px";
    pop.style.left = (left + scrollX) + "px";
  }

  function hide() {
    clearTimeout(showT); clearTimeout(hideT);
    pop.hidden = true;
    if (current) light(current, false);
    current = null; touched = null;
  }
  function later() { clearTimeout(showT); clearTimeout(hideT); hideT = setTimeout(hide, 300); }

  doc.addEventListener("mouseover", function (e) {
    var t = trig(e);
    if (t) {
      if (t === current) { clearTimeout(hideT); return; }
      clearTimeout(showT);
      var y = e.clientY;
      showT = setTimeout(function () { show(t, y); }, current ? 60 : 200);
    } else if (pop.contains(e.target)) { clearTimeout(hideT); }
  });
  doc.addEventListener("mouseout", function (e) {
    var t = trig(e), to = e.relatedTarget;
    if (to && (pop.contains(to) || (t && t.contains(to)))) return;
    if (t && t !== current) clearTimeout(showT);
    if ((t && t === current) || pop.contains(e.target)) later();
  });
  doc.addEventListener("focusin", function (e) {
    var t = trig(e);
    if (t && !touch.matches) show(t, null);
  });
  doc.addEventListener("focusout", function (e) { if (trig(e) && !touch.matches) later(); });
  doc.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !pop.hidden) { hide(); }
  });
  doc.addEventListener("touchstart", function (e) {
    if (!trig(e) && !pop.contains(e.target)) hide();
  }, { passive: true });
  doc.addEventListener("click", function (e) {
    var t = trig(e);
    if (t && touch.matches && touched !== t) {
      e.preventDefault(); show(t, e.clientY); touched = t;  // first tap opens, second follows
    }
  });
  addEventListener("resize", function () { if (current) hide(); });
})();
