// Quotes pages (docs/archive-pages.md): filter the statements by year and topic, in the
// browser. Without JavaScript the form stays hidden and the pages list every statement.
(function () {
  "use strict";
  var form = document.querySelector(".quote-filter");
  var list = document.querySelector(".quote-items");
  if (!form || !list || !window.fetch || !window.DOMParser) return;
  var pages = form.getAttribute("data-pages").trim().split(/\s+/);
  var loaded = pages.length < 2;
  var here = new URL(location.href).pathname;
  var count = form.querySelector("output");
  form.hidden = false;

  function loadAll() {
    // The other pages' statements, in order, so the filter sees all of them.
    var parser = new DOMParser();
    return Promise.all(pages.map(function (u) {
      var url = new URL(u, location.href);
      if (url.pathname === here) return Promise.resolve(null);
      return fetch(url).then(function (r) { return r.ok ? r.text() : ""; });
    })).then(function (texts) {
      var items = [];
      texts.forEach(function (t, i) {
        if (t === null) { items = items.concat(Array.prototype.slice.call(list.children)); return; }
        var doc = parser.parseFromString(t, "text/html");
        var base = new URL(pages[i], location.href);
        doc.querySelectorAll(".quote-item").forEach(function (li) {
          li.querySelectorAll("a[href]").forEach(function (a) {
            a.setAttribute("href", new URL(a.getAttribute("href"), base).href);
          });
          items.push(document.importNode(li, true));
        });
      });
      items.forEach(function (li) { list.appendChild(li); });
      loaded = true;
    });
  }

  function apply() {
    var year = form.year.value, tag = form.tag.value;
    var nav = document.querySelector(".quotes-page .pagination");
    var filtering = year || tag;
    var shown = 0;
    list.querySelectorAll(".quote-item").forEach(function (li, i) {
      var ok = filtering
        ? (!year || li.getAttribute("data-year") === year) &&
          (!tag || li.getAttribute("data-tags").indexOf(" " + tag + " ") >= 0)
        : !li.hasAttribute("data-elsewhere");
      li.hidden = !ok;
      if (ok) shown++;
    });
    if (nav) nav.hidden = !!filtering;
    count.textContent = filtering ? shown + " shown" : "";
  }

  form.addEventListener("change", function () {
    if (loaded) { apply(); return; }
    var mine = Array.prototype.slice.call(list.children);
    loadAll().then(function () {
      list.querySelectorAll(".quote-item").forEach(function (li) {
        if (mine.indexOf(li) < 0) li.setAttribute("data-elsewhere", "");
      });
      apply();
    }, apply);
  });
})();
