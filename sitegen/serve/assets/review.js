/* sitegen preview only: review mode (docs/review.md). Injected by `sitegen serve` with the
   preview's token, never part of a build. Lists every annotation of the article shown,
   published or held back, with its kind, confidence and source, and Accept / Reject /
   Correct buttons; a decision is POSTed to /__sitegen/review, the server writes
   NAME.review.yaml and rebuilds, and the page reloads. Keyboard: every control is a real
   button or form field; Escape closes the correction form, then the panel. */
(function () {
  "use strict";
  var tag = document.querySelector("script[data-sitegen-preview][data-token]");
  if (!tag) return;
  var token = tag.getAttribute("data-token");
  var page = tag.getAttribute("data-page") || location.pathname;
  var preview = window.__sitegenPreview || (window.__sitegenPreview = {});
  var KEY = "sitegen-review", FOCUS = "sitegen-review-focus";
  var panel = null, data = null;

  function el(name, cls, text) {
    var e = document.createElement(name);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function button(text, cls, label) {
    var b = el("button", cls, text);
    b.type = "button";
    if (label) b.setAttribute("aria-label", label);
    return b;
  }
  function remember(key, value) {
    try {
      if (value) sessionStorage.setItem(key, value); else sessionStorage.removeItem(key);
    } catch (e) { /* private mode */ }
  }
  function recall(key) {
    try { return sessionStorage.getItem(key) || ""; } catch (e) { return ""; }
  }
  function api(method, url, body) {
    var init = { method: method, cache: "no-store", headers: { "X-Sitegen-Token": token } };
    if (body) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (r) {
      return r.json().then(function (d) {
        if (!r.ok) throw new Error((d && d.error) || ("HTTP " + r.status));
        return d;
      });
    });
  }

  var toggle = button("Review", "sg-review-toggle");
  toggle.title = "Accept, reject or correct this article's annotations (preview only)";
  toggle.setAttribute("aria-pressed", "false");
  toggle.setAttribute("aria-controls", "sg-review");
  toggle.addEventListener("click", function () {
    if (panel && !panel.hidden) close(); else open(true);
  });
  document.body.appendChild(toggle);

  function say(text, alert) {
    if (!panel) return;
    var box = panel.querySelector(".sg-review-message");
    box.setAttribute("role", alert ? "alert" : "status");
    box.textContent = text;
  }

  function open(focus) {
    try { localStorage.setItem(KEY, "1"); } catch (e) { /* private mode */ }
    toggle.setAttribute("aria-pressed", "true");
    if (preview.inspect) preview.inspect(true);  // held-back candidates show greyed
    if (!panel) {
      panel = el("aside", "sg-review");
      panel.id = "sg-review";
      panel.setAttribute("role", "dialog");
      panel.setAttribute("aria-labelledby", "sg-review-title");
      panel.tabIndex = -1;
      panel.addEventListener("keydown", function (e) {
        if (e.key === "Escape" && !e.defaultPrevented) { e.preventDefault(); close(); }
      });
      document.body.appendChild(panel);
    }
    panel.hidden = false;
    panel.textContent = "";
    var head = el("div", "sg-review-head");
    var title = el("h2", null, "Review");
    title.id = "sg-review-title";
    head.appendChild(title);
    var shut = button("Close", "sg-review-close", "Close review (Escape)");
    shut.addEventListener("click", close);
    head.appendChild(shut);
    panel.appendChild(head);
    var msg = el("p", "sg-review-message", "Loading\u2026");
    msg.setAttribute("role", "status");
    panel.appendChild(msg);
    if (focus) panel.focus();
    api("GET", "/__sitegen/review?page=" + encodeURIComponent(page)).then(function (d) {
      data = d;
      render(focus);
    }).catch(function (err) { say(err.message, true); });
  }

  function close() {
    try { localStorage.setItem(KEY, ""); } catch (e) { /* private mode */ }
    toggle.setAttribute("aria-pressed", "false");
    if (panel) panel.hidden = true;
    remember(FOCUS, "");
    toggle.focus();
  }

  var DECIDED = { accept: "accepted", reject: "rejected", correct: "corrected" };

  function source(item) {
    if (item.kind === "entity") {
      return item.label + " \u00b7 " + item.name + " (" + item.entity_id + ")";
    }
    if (item.kind === "glossary") return "term: " + item.term;
    var who = item.source_name || item.source || "unnamed";
    return item.attribution_kind.replace("_", " ") + " \u00b7 speaker: " + who +
      (item.source_id ? " (" + item.source_id + ")" : "");
  }

  function render(focus) {
    var title = panel.querySelector("#sg-review-title");
    title.textContent = "Review: " + data.title;
    var msg = panel.querySelector(".sg-review-message");
    var summary = el("p", "sg-review-summary", data.summary.text);
    summary.id = "sg-review-summary";
    panel.insertBefore(summary, msg);
    panel.insertBefore(el("p", "sg-review-file", "Decisions go to " + data.review_file), msg);
    msg.textContent = "";
    var list = el("ol", "sg-review-list");
    data.items.forEach(function (item) { list.appendChild(row(item)); });
    panel.appendChild(list);
    if (data.orphans.length) {
      panel.appendChild(el("p", "sg-review-orphans", data.orphans.length +
        " decision(s) in " + data.review_file + " find no annotation (see sitegen review --orphans)"));
    }
    var want = recall(FOCUS);
    var target = want && panel.querySelector('[data-sg-focus="' + CSS.escape(want) + '"]');
    if (target) target.focus(); else if (focus) panel.focus();
  }

  function row(item) {
    var li = el("li", "sg-review-item");
    li.setAttribute("data-sg-id", item.id);
    li.setAttribute("data-sg-kind", item.kind);
    var state = item.decision ? DECIDED[item.decision] : "unchecked";
    li.setAttribute("data-sg-decision", state);
    var words = el("p", "sg-review-words");
    var cut = 38;  // the server keeps up to 40 characters of context: mark where it was cut
    words.appendChild(el("span", "sg-review-context",
      (item.before.length >= cut ? "\u2026" : "") + item.before));
    words.appendChild(el("mark", null, item.text));
    words.appendChild(el("span", "sg-review-context",
      item.after + (item.after.length >= cut ? "\u2026" : "")));
    var meta = el("p", "sg-review-meta");
    meta.appendChild(el("span", "sg-review-kind", item.kind));
    meta.appendChild(el("span", "sg-review-confidence", "confidence " + item.confidence.toFixed(2)));
    meta.appendChild(el("span", "sg-review-published", item.published ? "published" : "held back"));
    meta.appendChild(el("span", "sg-review-state sg-" + state, state));
    var from = el("p", "sg-review-source", source(item) + (item.origin ? " \u00b7 from " + item.origin : ""));
    li.appendChild(meta);
    li.appendChild(words);
    li.appendChild(from);
    var name = "\u201c" + (item.text.length > 40 ? item.text.slice(0, 39) + "\u2026" : item.text) + "\u201d";
    var buttons = el("div", "sg-review-actions");
    [["accept", "Accept"], ["reject", "Reject"]].forEach(function (pair) {
      var b = button(pair[1], "sg-review-" + pair[0], pair[1] + " " + item.kind + " " + name);
      b.setAttribute("data-sg-focus", item.id + ":" + pair[0]);
      b.setAttribute("aria-pressed", item.decision === pair[0] ? "true" : "false");
      b.addEventListener("click", function () {
        decide(item, pair[0], {}, b);
      });
      buttons.appendChild(b);
    });
    if (item.kind !== "glossary") {
      var c = button("Correct", "sg-review-correct", "Correct " + item.kind + " " + name);
      c.setAttribute("data-sg-focus", item.id + ":correct");
      c.setAttribute("aria-expanded", "false");
      c.addEventListener("click", function () { correct(li, item, c); });
      buttons.appendChild(c);
    }
    li.appendChild(buttons);
    return li;
  }

  function field(form, label, control) {
    var wrap = el("label", "sg-review-field");
    wrap.appendChild(el("span", null, label));
    wrap.appendChild(control);
    form.appendChild(wrap);
    return control;
  }
  function select(name, options, current) {
    var s = el("select");
    s.name = name;
    options.forEach(function (o) {
      var opt = el("option", null, o[1]);
      opt.value = o[0];
      if (o[0] === current) opt.selected = true;
      s.appendChild(opt);
    });
    return s;
  }
  function slug(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  }

  function correct(li, item, opener) {
    var old = li.querySelector("form");
    if (old) { old.remove(); opener.setAttribute("aria-expanded", "false"); opener.focus(); return; }
    opener.setAttribute("aria-expanded", "true");
    var form = el("form", "sg-review-form");
    form.setAttribute("aria-label", "Correct " + item.kind);
    var pick, fresh, extra;
    if (item.kind === "entity") {
      pick = field(form, "Entity", select("entity", [["", "(keep " + item.entity_id + ")"]].concat(
        data.entities.map(function (e) { return [e.id, e.name + " (" + e.id + ")"]; })), ""));
      fresh = field(form, "or a new entity named", el("input"));
      extra = field(form, "Type", select("label", data.labels.map(function (l) { return [l, l]; }),
        item.label));
    } else {
      var options = [["", "(keep " + (item.source_name || item.source || "unnamed") + ")"]];
      data.sources.forEach(function (s) {
        options.push(["source:" + (s.id || s.name), s.name + (s.id ? " (" + s.id + ")" : "")]);
      });
      data.entities.forEach(function (e) {
        if (e.label === "PERSON" || e.label === "ORG") {
          options.push(["entity:" + e.id, e.name + " (" + e.id + ")"]);
        }
      });
      pick = field(form, "Speaker", select("speaker", options, ""));
      fresh = field(form, "or a new speaker named", el("input"));
      extra = field(form, "Kind", select("kind", data.attribution_kinds.map(function (k) {
        return [k, k.replace("_", " ")];
      }), item.attribution_kind));
    }
    fresh.type = "text";
    fresh.name = "new";
    fresh.autocomplete = "off";
    var save = el("button", "sg-review-save", "Save correction");
    save.type = "submit";
    var cancel = button("Cancel", "sg-review-cancel");
    var bar = el("div", "sg-review-actions");
    bar.appendChild(save);
    bar.appendChild(cancel);
    form.appendChild(bar);
    function dismiss() {
      form.remove();
      opener.setAttribute("aria-expanded", "false");
      opener.focus();
    }
    cancel.addEventListener("click", dismiss);
    form.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); dismiss(); }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var values = item.kind === "entity" ? entityValues(item, pick.value, fresh.value.trim(), extra.value)
        : speakerValues(item, pick.value, fresh.value.trim(), extra.value);
      if (!Object.keys(values).length) { say("Nothing to correct: pick or type a new value.", true); return; }
      decide(item, "correct", values, opener);
    });
    li.appendChild(form);
    pick.focus();
  }

  function entityValues(item, picked, name, label) {
    var out = {};
    if (name) {                       // a new entity: its id from its name, the type chosen
      out.id = slug(name) || name; out.name = name; out.label = label;
      return out;
    }
    if (picked) {                     // another entity of the site: its name and type
      var e = data.entities.filter(function (x) { return x.id === picked; })[0];
      out.id = picked;
      if (e) out.name = e.name;
      if (label === item.label && e) label = e.label;
    }
    if (label !== item.label) out.label = label;
    return out;
  }

  function speakerValues(item, picked, name, kind) {
    var out = {};
    if (name) {
      out.source = name; out.source_name = name; out.source_id = "";
    } else if (picked.indexOf("source:") === 0) {
      var key = picked.slice(7);
      var s = data.sources.filter(function (x) { return (x.id || x.name) === key; })[0];
      if (s && s.id) { out.source_id = s.id; out.source_name = s.name; }
      else if (s) { out.source = s.name; out.source_name = s.name; out.source_id = ""; }
    } else if (picked.indexOf("entity:") === 0) {
      var id = picked.slice(7);
      var e = data.entities.filter(function (x) { return x.id === id; })[0];
      out.source_id = id;
      if (e) out.source_name = e.name;
    }
    if (kind !== item.attribution_kind) out.kind = kind;
    return out;
  }

  function decide(item, action, values, from) {
    var body = { article: data.article, id: item.id, action: action };
    if (action === "correct") body.set = values;
    say("Saving\u2026", false);
    api("POST", "/__sitegen/review", body).then(function (d) {
      data.summary = d.summary;
      var summary = panel.querySelector(".sg-review-summary");
      if (summary) summary.textContent = d.summary.text;
      var li = from.closest(".sg-review-item");
      if (li) li.setAttribute("data-sg-decision", DECIDED[action]);
      say("Saved (" + DECIDED[action] + ") in " + d.review_file + "; rebuilding\u2026", false);
      remember(FOCUS, from.getAttribute("data-sg-focus") || "");
      preview.reloadOnBuild = true;  // the preview client reloads on the next build
    }).catch(function (err) { say("Not saved: " + err.message, true); });
  }

  var on = "";
  try { on = localStorage.getItem(KEY) || ""; } catch (e) { /* private mode */ }
  if (on === "1") open(false);
})();
