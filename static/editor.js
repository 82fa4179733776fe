/* editor.js - progressive enhancement for the editor (the form works
 * without it): autosave a few seconds after typing stops, Ctrl/Cmd+S to
 * save now, a "Saved at 14:02" status, an honest message when another tab
 * changed the story meanwhile, Markdown shortcuts (Ctrl/Cmd+B, +I), and
 * the writer's time zone for scheduling. Loaded only by the editor. */
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  if (!form || !window.fetch || !window.URLSearchParams) return;
  var status = document.getElementById("save-status");
  var url = form.getAttribute("data-autosave");
  var field = function (n) { return form.elements.namedItem(n); };
  var IDLE_MS = 2000, MAX_MS = 10000;
  var dirty = false, saving = false, stopped = false, again = false;
  var timer = null, firstChange = 0;

  function say(text, cls) {
    if (!status) return;
    status.textContent = text;
    status.className = "save-status" + (cls ? " " + cls : "");
  }
  function hhmm(d) {
    var p = function (n) { return (n < 10 ? "0" : "") + n; };
    return p(d.getHours()) + ":" + p(d.getMinutes());
  }

  /* Scheduling happens in the writer's own time zone. */
  /* Scheduling happens in the writer's own time zone: the one she chose
   * in her settings (the server converts), else this browser's. */
  var at = field("publish_at");
  var chosen = at && at.getAttribute("data-zone");
  var tz = field("tz_offset");
  if (tz && !chosen) tz.value = String(new Date().getTimezoneOffset());
  var hint = document.getElementById("tz-hint");
  if (hint) {
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
    hint.textContent = "(your time" + (zone ? ", " + zone : "");
  }
  var times = document.querySelectorAll(chosen ? ".save-status time" :
                                        ".save-status time, .scheduled time");
  for (var i = 0; i < times.length; i++) {
    var d = new Date(times[i].getAttribute("datetime"));
    if (!isNaN(d)) times[i].textContent = d.toLocaleString([], {dateStyle: "medium", timeStyle: "short"});
  }

  /* Every field of the form, as the form itself would send it (without
   * a button's action), so that leaving the page loses nothing. */
  function payload(explicit) {
    var p = new URLSearchParams();
    var els = form.elements;
    for (var i = 0; i < els.length; i++) {
      var f = els[i];
      if (!f.name || f.disabled || f.type === "submit" || f.type === "button" ||
          f.type === "file" || f.name === "publish_at" || f.name === "tz_offset") continue;
      if ((f.type === "radio" || f.type === "checkbox") && !f.checked) continue;
      p.append(f.name, f.value);
    }
    if (explicit) p.append("explicit", "1");
    return p;
  }

  function save(explicit) {
    if (stopped || !url) return;
    if (saving) { again = true; return; }
    clearTimeout(timer);
    timer = null;
    saving = true;
    dirty = false;
    firstChange = 0;
    say("Saving…");
    var csrf = field("csrf") ? field("csrf").value : "";
    fetch(url, {
      method: "POST", body: payload(explicit), credentials: "same-origin",
      headers: {"X-CSRF-Token": csrf, "Accept": "application/json"}
    }).then(function (r) {
      return r.json().then(function (j) { return {status: r.status, body: j}; },
                           function () { return {status: r.status, body: {}}; });
    }).then(function (r) {
      saving = false;
      if (r.status === 200 || r.status === 201) {
        var b = r.body;
        if (field("base_revision")) field("base_revision").value = b.revision_id || "";
        if (r.status === 201 && b.edit_url) {
          /* A new story now exists: keep editing it, not a second one. */
          url = b.autosave_url;
          form.setAttribute("action", b.edit_url);
          form.setAttribute("data-autosave", b.autosave_url);
          if (window.history && history.replaceState) history.replaceState(null, "", b.edit_url);
        }
        var at = hhmm(b.saved_at ? new Date(b.saved_at) : new Date());
        say(b.held ? "Changes saved at " + at + ", not yet published: readers still see " +
                     "the published version until you press Update." :
                     "Saved at " + at, "saved");
      } else if (r.status === 409) {
        stopped = true;
        say("Not saved: this story was changed in another tab or window. Your text is kept " +
            "in the story's history. Reload to see the latest version, or press Save draft " +
            "to replace it with what is here.", "conflict");
        if (field("base_revision") && r.body.revision_id) field("base_revision").value = r.body.revision_id;
      } else {
        dirty = true;
        var msg = r.body && r.body.error && r.body.error.message;
        say("Not saved: " + (msg || "the server answered " + r.status) + " Your text is still here.", "conflict");
      }
      if (again && !stopped) { again = false; save(false); }
      else afterSave(r.status === 200 || r.status === 201);
    }, function () {
      saving = false;
      dirty = true;
      say("Not saved: no connection. Trying again shortly; your text is still here.", "conflict");
      timer = setTimeout(function () { save(false); }, 5000);
      afterSave(false);
    });
  }

  /* Who waits for the save in flight (the preview). */
  var waiting = [];
  function afterSave(ok) {
    var w = waiting;
    waiting = [];
    for (var i = 0; i < w.length; i++) w[i](ok);
    if (ok && previewOn()) showPreview(false);
  }
  function whenSaved(fn) {
    if (stopped) { fn(false); return; }
    if (!saving && !dirty && !timer && url && /\/edit\//.test(form.getAttribute("action"))) {
      fn(true);
      return;
    }
    waiting.push(fn);
    if (!saving) save(true);
  }

  /* For the rich-text mode (rich.js) and photos placed in a story never
   * saved: fn(ok) once the text is saved (the story then exists). */
  window.QuireEditor = {whenSaved: whenSaved};
  /* The words: the rich text when that mode is on, else the textarea. */
  function focusWords() {
    var r = window.QuireEditor.rich;
    if (r && r.isRich()) r.view.focus();
    else if (field("body")) field("body").focus();
  }

  /* Preview as a toggle in place: the saved text, rendered by the server
   * exactly as readers get it (/edit/ID/preview), shown where the words
   * were. Without script the Preview button posts the form and the page
   * comes back with the preview above the words. */
  var previewBtn = form.querySelector('button[value="preview"]');
  var writing = document.getElementById("writing");
  var preview = document.getElementById("preview");
  function previewOn() { return previewBtn && previewBtn.getAttribute("aria-pressed") === "true"; }
  function previewBox() {
    if (!preview) {
      preview = document.createElement("section");
      preview.className = "preview";
      preview.id = "preview";
      preview.setAttribute("aria-labelledby", "preview-label");
      writing.parentNode.insertBefore(preview, writing);
    }
    return preview;
  }
  function setPreviewLabel(box, text) {
    var label = box.querySelector("#preview-label");
    if (!label) {
      label = document.createElement("p");
      label.className = "preview-label";
      label.id = "preview-label";
      box.insertBefore(label, box.firstChild);
    }
    label.textContent = text;
  }
  function showPreview(move) {
    var box = previewBox();
    whenSaved(function (ok) {
      if (!ok) {
        setPreviewLabel(box, "Preview unavailable: the text could not be saved (see above).");
        return;
      }
      fetch(form.getAttribute("action") + "/preview", {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var art = doc.querySelector("article.story");
          if (!art) return Promise.reject("no story");
          var h1 = art.querySelector("h1");
          if (h1) {
            var h2 = document.createElement("h2");
            h2.className = "preview-title";
            h2.textContent = h1.textContent;
            h1.parentNode.replaceChild(h2, h1);
          }
          var tools = art.querySelector(".tools");
          if (tools) tools.parentNode.removeChild(tools);
          while (box.firstChild) box.removeChild(box.firstChild);
          box.appendChild(document.importNode(art, true));
          var held = status && status.getAttribute("data-held");
          setPreviewLabel(box, "Preview of your saved text, as readers will see it" +
                          (held ? " once you publish the changes." : "."));
          if (move) box.scrollIntoView({block: "start"});
        })
        .catch(function () { setPreviewLabel(box, "The preview could not be loaded; try again."); });
    });
  }
  function setPreview(on) {
    if (!previewBtn || !writing) return;
    previewBtn.setAttribute("aria-pressed", on ? "true" : "false");
    writing.hidden = on;
    var box = previewBox();
    box.hidden = !on;
    if (on) showPreview(true);
    else focusWords();
  }
  if (previewBtn && writing) {
    previewBtn.setAttribute("aria-pressed", "false");
    previewBox().hidden = !preview.querySelector("article");
    previewBtn.setAttribute("aria-controls", "preview");
    previewBtn.addEventListener("click", function (ev) {
      ev.preventDefault();
      setPreview(!previewOn());
    });
    /* A preview the server rendered (a no-script round trip, or a reload
     * of it) is the same toggle, on. */
    if (!preview.hidden) {
      previewBtn.setAttribute("aria-pressed", "true");
      writing.hidden = true;
      var back = preview.querySelector('a[href="#title"]');
      if (back) back.addEventListener("click", function (ev) { ev.preventDefault(); setPreview(false); });
    }
  }

  /* The Circle menu only when the audience is Circle (without script it
   * is always there, and ignored for other audiences). */
  function circleMenu(show, id) {
    var box = document.getElementById(id);
    if (box) box.hidden = !show;
  }
  function audienceChanged() {
    var r = form.querySelector('input[name="audience"]:checked');
    circleMenu(r && r.value === "circle", "circle-choice");
    var pa = document.getElementById("photo-audience");
    circleMenu(pa && pa.value === "circle", "photo-circle-choice");
  }
  audienceChanged();
  document.addEventListener("change", function (ev) {
    if (ev.target && (ev.target.name === "audience")) audienceChanged();
  });

  function changed() {
    if (stopped) return;
    dirty = true;
    var now = Date.now();
    if (!firstChange) firstChange = now;
    clearTimeout(timer);
    /* Save after a pause, and at least every MAX_MS while typing on. */
    var wait = Math.max(0, Math.min(IDLE_MS, firstChange + MAX_MS - now));
    timer = setTimeout(function () { save(false); }, wait);
  }
  /* Typing, a photo placed in the text (photos.js sends an input event)
   * and every other control of the form. */
  form.addEventListener("input", function (ev) {
    if (ev.target && ev.target.name && ev.target.name !== "publish_at") changed();
  });
  form.addEventListener("change", function (ev) {
    var t = ev.target;
    if (t && t.name && t.name !== "publish_at" && (t.type === "radio" || t.tagName === "SELECT" ||
                                                   t.type === "checkbox")) changed();
  });

  function wrap(el, mark) {
    var s = el.selectionStart, e = el.selectionEnd, v = el.value;
    el.value = v.slice(0, s) + mark + v.slice(s, e) + mark + v.slice(e);
    el.selectionStart = s + mark.length;
    el.selectionEnd = e + mark.length;
    changed();
  }
  /* Focus mode without a reload: a toggle button (aria-pressed); without
   * script it is a GET form that reloads the editor with ?focus=1. */
  var toggle = document.getElementById("focus-toggle");
  function setFocus(on) {
    document.body.classList.toggle("focus", on);
    if (toggle) toggle.setAttribute("aria-pressed", on ? "true" : "false");
    try { localStorage.setItem("quire-focus", on ? "1" : ""); } catch (e) { /* private mode */ }
    if (on) focusWords();
  }
  if (toggle) {
    toggle.addEventListener("click", function (ev) {
      ev.preventDefault();
      setFocus(!document.body.classList.contains("focus"));
    });
    var remembered = "";
    try { remembered = localStorage.getItem("quire-focus") || ""; } catch (e) { remembered = ""; }
    /* Not over a preview or an error the writer asked for or must see. */
    if (remembered && !document.body.classList.contains("focus") &&
        !document.querySelector(".preview:not([hidden]), .error")) setFocus(true);
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && document.body.classList.contains("focus")) {
      setFocus(false);
      return;
    }
    if (!(ev.ctrlKey || ev.metaKey) || ev.altKey) return;
    var k = (ev.key || "").toLowerCase();
    if (k === "s") {
      ev.preventDefault();
      if (stopped) { form.requestSubmit ? form.requestSubmit(form.querySelector('button[value="save"]')) : form.submit(); return; }
      save(true);
    } else if ((k === "b" || k === "i") && ev.target === field("body")) {
      ev.preventDefault();
      wrap(ev.target, k === "b" ? "**" : "_");
    }
  });

  /* Leaving with unsaved text: ask first, and send it on the way out. */
  window.addEventListener("beforeunload", function (ev) {
    if (!(dirty || saving) || stopped) return;
    ev.preventDefault();
    ev.returnValue = "";
    return "";
  });
  window.addEventListener("pagehide", function () {
    if (dirty && !stopped && url && navigator.sendBeacon) navigator.sendBeacon(url, payload(false));
  });
  form.addEventListener("submit", function (ev) {
    if (ev.submitter && ev.submitter === previewBtn) return;
    clearTimeout(timer);
    dirty = false;
    stopped = true;
  });
})();
