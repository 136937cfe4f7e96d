/* sitegen: the search page. Loads Pagefind's UI from the site's pagefind/ bundle when it
   was built (pip install 'sitegen[search]'); otherwise says that search is unavailable. */
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;
  var status = box.querySelector(".search-status");
  function unavailable(text) {
    if (status) status.textContent = text;
  }
  if (location.protocol === "file:") {
    unavailable("Search works when the site is served over HTTP, not opened from disk.");
    return;
  }
  var root = new URL(box.getAttribute("data-search-root") || "./", location.href);
  var bundle = new URL("pagefind/", root);
  var script = document.createElement("script");
  script.src = new URL("pagefind-ui.js", bundle).href;
  script.onerror = function () {
    unavailable("Search is unavailable: this copy of the site has no search index.");
  };
  script.onload = function () {
    if (typeof window.PagefindUI !== "function") {
      unavailable("Search is unavailable: the search index could not be loaded.");
      return;
    }
    if (status) status.remove();
    new window.PagefindUI({
      element: "#search",
      bundlePath: bundle.pathname,
      baseUrl: root.pathname,
      showSubResults: true,
      autofocus: true,
      processResult: function (result) {
        // Cover images are stored as written in the page: relative to the article.
        var img = result.meta && result.meta.image;
        if (img && !/^([a-z]+:|\/)/i.test(img)) {
          result.meta.image = new URL(img, new URL(result.url, location.href)).pathname;
        }
        return result;
      }
    });
  };
  document.head.appendChild(script);
})();
