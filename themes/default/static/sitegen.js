/* sitegen: accessible popovers for entity, glossary and source annotations (no framework).
   Opens on hover and keyboard focus, stays open while hovered (WCAG 1.4.13), Escape closes,
   a first tap opens it on touch screens; without JavaScript the links simply navigate. */
(function () {
  "use strict";
  if (location.protocol === "file:") {
    // Opened from disk: directory links need an explicit index.html.
    document.querySelectorAll("a[href]").forEach(function (a) {
      var h = a.getAttribute("href");
      if (!/^[a-z]+:|^\/\/|^#/i.test(h) && /\/(#.*)?$/.test(h.split("?")[0])) {
        a.setAttribute("href", h.replace(/\/(#.*)?$/, "/index.html$1"));
      } else if (h === "" || h === "./") { a.setAttribute("href", "index.html"); }
    });
  }
  var pop = document.createElement("div");
  pop.className = "sg-popover";
  pop.hidden = true;
  pop.setAttribute("role", "tooltip");
  pop.id = "sg-popover";
  document.body.appendChild(pop);
  var current = null, timer = 0, touched = null;

  function show(trigger) {
    var src = document.getElementById(trigger.getAttribute("data-pop"));
    if (!src) return;
    clearTimeout(timer);
    current = trigger;
    pop.innerHTML = src.innerHTML;
    pop.hidden = false;
    var r = trigger.getBoundingClientRect();
    var top = window.scrollY + r.bottom + 6;
    var left = Math.max(8, Math.min(window.scrollX + r.left,
      window.scrollX + document.documentElement.clientWidth - pop.offsetWidth - 8));
    if (r.bottom + pop.offsetHeight + 12 > window.innerHeight && r.top > pop.offsetHeight + 12) {
      top = window.scrollY + r.top - pop.offsetHeight - 6;
    }
    pop.style.top = top + "px";
    pop.style.left = left + "px";
  }
  function hide() { pop.hidden = true; current = null; touched = null; }
  function later() { clearTimeout(timer); timer = setTimeout(hide, 250); }
  function trig(e) { return e.target.closest ? e.target.closest("[data-pop]") : null; }

  document.addEventListener("mouseover", function (e) {
    var t = trig(e);
    if (t) show(t); else if (pop.contains(e.target)) clearTimeout(timer);
  });
  document.addEventListener("mouseout", function (e) {
    var t = trig(e);
    if ((t && t === current) || pop.contains(e.target)) later();
  });
  document.addEventListener("focusin", function (e) { var t = trig(e); if (t) show(t); });
  document.addEventListener("focusout", function (e) { if (trig(e)) later(); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !pop.hidden) { hide(); }
  });
  document.addEventListener("touchstart", function (e) {
    var t = trig(e);
    if (!t && !pop.contains(e.target)) hide();
  }, { passive: true });
  document.addEventListener("click", function (e) {
    var t = trig(e);
    if (t && matchMedia("(hover: none)").matches && touched !== t) {
      e.preventDefault(); show(t); touched = t;   // first tap opens, second follows the link
    }
  });
})();
