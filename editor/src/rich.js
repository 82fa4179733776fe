/* rich.js - the editor's rich-text mode: the writer writes in the story's
 * own typography (ProseMirror) while the form's Markdown textarea, hidden,
 * is kept equal to what she sees (prosemirror-markdown), so saving,
 * autosave (editor.js) and the server are exactly as in Markdown mode.
 *
 * Nothing is rewritten behind her back: a story whose Markdown would not
 * come back the same from the rich editor (tables, footnotes, raw HTML...)
 * stays in Markdown mode, and says why. Photos are dropped, pasted or
 * picked anywhere in the text: alt text (and sensitivity, and who sees it)
 * is asked in place, the upload shows its progress, a story never saved is
 * saved first, and the photo appears where it was put, as readers get it
 * (a sensitive one behind its note).
 *
 * Bundled into static/rich.js by scripts/build-editor.sh; loaded after
 * editor.js, whose window.QuireEditor it uses. */
import {EditorState, Plugin, TextSelection} from "prosemirror-state";
import {EditorView} from "prosemirror-view";
import {schema, defaultMarkdownParser, defaultMarkdownSerializer} from "prosemirror-markdown";
import {keymap} from "prosemirror-keymap";
import {history, undo, redo} from "prosemirror-history";
import {baseKeymap, toggleMark, setBlockType, wrapIn, lift, chainCommands, exitCode} from "prosemirror-commands";
import {wrapInList, splitListItem, liftListItem, sinkListItem} from "prosemirror-schema-list";
import {inputRules, wrappingInputRule, textblockTypeInputRule, smartQuotes, ellipsis, emDash} from "prosemirror-inputrules";
import {dropCursor} from "prosemirror-dropcursor";
import {gapCursor} from "prosemirror-gapcursor";

const MODE_KEY = "quire-editor-mode";

function norm(s) {
  return (s || "").replace(/\r\n?/g, "\n").replace(/[ \t]+$/gm, "").replace(/\n{3,}/g, "\n\n").trim();
}

/* Whether md comes back from the rich editor as it is. */
export function representable(md) {
  try {
    return norm(defaultMarkdownSerializer.serialize(defaultMarkdownParser.parse(md || ""))) === norm(md);
  } catch (e) {
    return false;
  }
}

function el(tag, attrs, kids) {
  const e = document.createElement(tag);
  for (const k in attrs || {}) {
    if (k === "text") e.textContent = attrs[k];
    else if (attrs[k] !== false && attrs[k] != null) e.setAttribute(k, attrs[k] === true ? "" : attrs[k]);
  }
  for (const c of kids || []) e.appendChild(c);
  return e;
}

/* ---- how a photo looks while writing: as readers get it ---- */

const photoInfo = new Map(); /* id -> Promise of its JSON */

function photoJson(id) {
  if (!photoInfo.has(id))
    photoInfo.set(id, fetch("/api/v1/photos/" + id, {credentials: "same-origin"})
      .then(r => (r.ok ? r.json() : null)).catch(() => null));
  return photoInfo.get(id);
}

function bestVariant(p) {
  const vs = (p && p.variants) || [];
  let best = null;
  for (const v of vs)
    if (!best || Math.abs((v.width || 0) - 960) < Math.abs((best.width || 0) - 960)) best = v;
  return best;
}

class ImageView {
  constructor(node) {
    this.dom = el("span", {class: "rich-photo", contenteditable: "false"});
    const src = node.attrs.src || "";
    const m = /^photo:([0-9a-f]{16})$/.exec(src);
    if (!m) {
      /* An image by address: its alt text, never fetched from elsewhere. */
      this.dom.appendChild(el("span", {class: "rich-photo-missing", text: "Image: " + (node.attrs.alt || src)}));
      return;
    }
    const box = el("span", {class: "rich-photo-box"});
    this.dom.appendChild(box);
    if (node.attrs.title) this.dom.appendChild(el("span", {class: "rich-caption", text: node.attrs.title}));
    photoJson(m[1]).then(p => {
      if (!p) {
        box.appendChild(el("span", {class: "rich-photo-missing", text: "A photo not here (yet): " + (node.attrs.alt || "")}));
        return;
      }
      const v = bestVariant(p);
      const img = el("img", {src: v ? v.url : "/photos/" + m[1], alt: node.attrs.alt || p.alt || "",
                             width: v && v.width, height: v && v.height});
      if (p.sensitive) {
        const gate = el("span", {class: "rich-gate"}, [
          el("span", {class: "rich-gate-note", text: p.note || "Sensitive photo"}),
          el("button", {type: "button", class: "link", text: "Show photo"})
        ]);
        gate.querySelector("button").addEventListener("click", ev => {
          ev.preventDefault();
          box.replaceChild(img, gate);
        });
        box.appendChild(gate);
      } else {
        box.appendChild(img);
      }
      if (p.audience && p.audience !== "story")
        this.dom.appendChild(el("span", {class: "hint", text: p.audience === "private" ? "(only you see this photo)" : "(only a circle sees this photo)"}));
    });
  }
  stopEvent() { return false; }
  ignoreMutation() { return true; }
}

/* ---- commands and keys ---- */

function markActive(state, type) {
  const {from, $from, to, empty} = state.selection;
  if (empty) return !!type.isInSet(state.storedMarks || $from.marks());
  return state.doc.rangeHasMark(from, to, type);
}

function blockActive(state, type, attrs) {
  const {$from} = state.selection;
  for (let d = $from.depth; d >= 0; d--) {
    const n = $from.node(d);
    if (n.type === type && (!attrs || Object.keys(attrs).every(k => n.attrs[k] === attrs[k]))) return true;
  }
  return false;
}

function toggleHeading(level) {
  return (state, dispatch) =>
    blockActive(state, schema.nodes.heading, {level}) ?
      setBlockType(schema.nodes.paragraph)(state, dispatch) :
      setBlockType(schema.nodes.heading, {level})(state, dispatch);
}

function toggleLink(state, dispatch) {
  const type = schema.marks.link;
  if (markActive(state, type)) return toggleMark(type)(state, dispatch);
  if (state.selection.empty) return false;
  if (dispatch) {
    const href = window.prompt("Link to (an address such as https://example.com):", "https://");
    if (!href || !/^(https?:|mailto:|\/)/i.test(href.trim())) return true;
    toggleMark(type, {href: href.trim()})(state, dispatch);
  }
  return true;
}

function buildKeymap() {
  const k = {};
  k["Mod-z"] = undo;
  k["Shift-Mod-z"] = redo;
  k["Mod-y"] = redo;
  k["Mod-b"] = toggleMark(schema.marks.strong);
  k["Mod-i"] = toggleMark(schema.marks.em);
  k["Mod-`"] = toggleMark(schema.marks.code);
  k["Mod-k"] = toggleLink;
  k["Shift-Enter"] = chainCommands(exitCode, (state, dispatch) => {
    if (dispatch) dispatch(state.tr.replaceSelectionWith(schema.nodes.hard_break.create()).scrollIntoView());
    return true;
  });
  k["Enter"] = splitListItem(schema.nodes.list_item);
  k["Mod-["] = liftListItem(schema.nodes.list_item);
  k["Mod-]"] = sinkListItem(schema.nodes.list_item);
  k["Mod-Alt-2"] = toggleHeading(2);
  k["Mod-Alt-3"] = toggleHeading(3);
  k["Mod-Alt-0"] = setBlockType(schema.nodes.paragraph);
  return k;
}

function rules() {
  return inputRules({rules: smartQuotes.concat(ellipsis, emDash,
    wrappingInputRule(/^\s*>\s$/, schema.nodes.blockquote),
    wrappingInputRule(/^(\d+)\.\s$/, schema.nodes.ordered_list, m => ({order: +m[1]}),
                      (m, node) => node.childCount + node.attrs.order === +m[1]),
    wrappingInputRule(/^\s*([-+*])\s$/, schema.nodes.bullet_list),
    textblockTypeInputRule(/^```$/, schema.nodes.code_block),
    textblockTypeInputRule(/^(#{2,4})\s$/, schema.nodes.heading, m => ({level: m[1].length})))});
}

/* ---- photos placed in the text ---- */

function csrf(form) {
  const f = form.elements.namedItem("csrf");
  return f ? f.value : "";
}

function storyId(form) {
  const m = /\/edit\/([0-9a-f]{16})/.exec(form.getAttribute("action") || "");
  return m ? m[1] : null;
}

function cloneOptions(fromId, select) {
  const from = document.getElementById(fromId);
  if (!from) return false;
  for (const o of from.options) select.appendChild(el("option", {value: o.value, text: o.textContent}));
  return true;
}

/* Ask for the photo's alt text (and the rest) where it goes; upload it;
 * then done(photo JSON). */
function askPhoto(form, file, done) {
  const preview = URL.createObjectURL(file);
  const circle = el("select", {id: "rich-photo-circle", name: "circle_id"});
  const hasCircles = cloneOptions("photo-circle", circle) || cloneOptions("circle_id", circle);
  const audience = el("select", {id: "rich-photo-audience", name: "audience"});
  if (!cloneOptions("photo-audience", audience)) {
    audience.appendChild(el("option", {value: "story", text: "Everyone who can read the story"}));
    if (hasCircles) audience.appendChild(el("option", {value: "circle", text: "Only a circle (below)"}));
    audience.appendChild(el("option", {value: "private", text: "Only me"}));
  }
  const circleBox = el("p", {class: "stack", hidden: true}, [
    el("label", {for: "rich-photo-circle", text: "Which circle"}), circle]);
  const status = el("p", {class: "photo-status", role: "status", "aria-live": "polite"});
  const progress = el("progress", {max: "100", value: "0", hidden: true, "aria-label": "Upload"});
  const dlg = el("dialog", {class: "photo-dialog", "aria-labelledby": "rich-photo-h"}, [
    el("form", {method: "dialog", class: "stack"}, [
      el("h2", {id: "rich-photo-h", text: "Add this photo"}),
      el("img", {src: preview, alt: "", class: "photo-dialog-preview"}),
      el("label", {for: "rich-photo-alt", text: "Alt text (what the photo shows, for readers who cannot see it)"}),
      el("input", {id: "rich-photo-alt", name: "alt", required: true, maxlength: "500"}),
      el("label", {for: "rich-photo-caption", text: "Caption (optional)"}),
      el("input", {id: "rich-photo-caption", name: "caption", maxlength: "500"}),
      el("label", {class: "check"}, [el("input", {type: "checkbox", name: "sensitive", value: "true"}),
        document.createTextNode(" Sensitive: blur it until each reader chooses to look")]),
      el("label", {for: "rich-photo-note", text: "Content note (shown over the blurred photo)"}),
      el("input", {id: "rich-photo-note", name: "note", maxlength: "120"}),
      el("label", {for: "rich-photo-audience", text: "Who sees this photo"}), audience,
      circleBox, progress, status,
      el("div", {class: "actions"}, [
        el("button", {type: "submit", value: "add", class: "primary", text: "Add photo"}),
        el("button", {type: "submit", value: "cancel", formnovalidate: true, text: "Cancel"})])])]);
  document.body.appendChild(dlg);
  const f = dlg.querySelector("form");
  audience.addEventListener("change", () => { circleBox.hidden = !(hasCircles && audience.value === "circle"); });
  const close = () => { dlg.close(); dlg.remove(); URL.revokeObjectURL(preview); };
  f.addEventListener("submit", ev => {
    ev.preventDefault();
    if (ev.submitter && ev.submitter.value === "cancel") { close(); return; }
    const alt = f.elements.namedItem("alt");
    if (!alt.value.trim()) { status.textContent = "Please describe the photo (alt text) first."; alt.focus(); return; }
    const data = new FormData();
    data.append("file", file, file.name || "photo");
    for (const n of ["alt", "caption", "note", "audience"]) data.append(n, f.elements.namedItem(n).value);
    if (f.elements.namedItem("sensitive").checked) data.append("sensitive", "true");
    if (audience.value === "circle") data.append("circle_id", circle.value);
    status.textContent = storyId(form) ? "Uploading…" : "Saving your draft first…";
    for (const b of f.querySelectorAll("button")) b.disabled = true;
    window.QuireEditor.whenSaved(ok => {
      const id = storyId(form);
      if (!ok || !id) {
        status.textContent = "The draft could not be saved, so the photo cannot be added yet.";
        for (const b of f.querySelectorAll("button")) b.disabled = false;
        return;
      }
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/v1/stories/" + id + "/photos");
      xhr.setRequestHeader("X-CSRF-Token", csrf(form));
      xhr.setRequestHeader("Accept", "application/json");
      progress.hidden = false;
      status.textContent = "Uploading…";
      xhr.upload.onprogress = e => { if (e.lengthComputable) progress.value = Math.round(100 * e.loaded / e.total); };
      xhr.onload = () => {
        let j = null;
        try { j = JSON.parse(xhr.responseText); } catch (e) { j = null; }
        if (xhr.status === 201 && j && j.id) {
          photoInfo.set(j.id, Promise.resolve(j));
          close();
          done(j, alt.value.trim(), f.elements.namedItem("caption").value.trim());
          return;
        }
        status.textContent = (j && j.error && j.error.message) || "The upload failed (" + xhr.status + ").";
        for (const b of f.querySelectorAll("button")) b.disabled = false;
      };
      xhr.onerror = () => {
        status.textContent = "The upload failed; check your connection and try again.";
        for (const b of f.querySelectorAll("button")) b.disabled = false;
      };
      xhr.send(data);
    });
  });
  dlg.showModal();
  f.elements.namedItem("alt").focus();
}

function imageFiles(list) {
  return Array.prototype.filter.call(list || [], f => /^image\//.test(f.type));
}

/* ---- the mode, and keeping the textarea equal to the text ---- */

function start() {
  const form = document.getElementById("editor-form");
  const ta = document.getElementById("body");
  const writing = document.getElementById("writing");
  if (!form || !ta || !writing || !window.QuireEditor || !window.fetch) return;

  const toolbar = el("div", {class: "rich-toolbar", role: "toolbar", "aria-label": "Formatting", hidden: true});
  const mount = el("div", {class: "story rich-story", hidden: true});
  const note = el("p", {class: "hint rich-note", role: "status"});
  const switcher = el("div", {class: "mode-switch", role: "group", "aria-label": "Editing mode"});
  const richBtn = el("button", {type: "button", class: "link", "aria-pressed": "false", text: "Rich text"});
  const mdBtn = el("button", {type: "button", class: "link", "aria-pressed": "true", text: "Markdown"});
  switcher.append(richBtn, document.createTextNode(" · "), mdBtn);
  const label = writing.querySelector(".body-label");
  writing.insertBefore(switcher, label);
  writing.insertBefore(note, label);
  ta.parentNode.insertBefore(toolbar, ta);
  ta.parentNode.insertBefore(mount, ta);

  let syncing = false;
  function toMarkdown(doc) { return defaultMarkdownSerializer.serialize(doc); }
  function sync(doc) {
    const md = toMarkdown(doc);
    if (md === ta.value) return;
    syncing = true;
    ta.value = md;
    ta.dispatchEvent(new Event("input", {bubbles: true}));
    syncing = false;
  }

  const photoPlugin = new Plugin({
    props: {
      handleDrop(view, event) {
        const files = imageFiles(event.dataTransfer && event.dataTransfer.files);
        if (!files.length) return false;
        event.preventDefault();
        const at = view.posAtCoords({left: event.clientX, top: event.clientY});
        placePhotos(view, files, at ? at.pos : view.state.selection.from);
        return true;
      },
      handlePaste(view, event) {
        const files = imageFiles(event.clipboardData && event.clipboardData.files);
        if (!files.length) return false;
        event.preventDefault();
        placePhotos(view, files, view.state.selection.from);
        return true;
      }
    }
  });

  function placePhotos(view, files, pos) {
    const file = files[0];
    askPhoto(form, file, (photo, alt, caption) => {
      const state = view.state;
      const $p = state.doc.resolve(Math.min(pos, state.doc.content.size));
      const image = schema.nodes.image.create({src: "photo:" + photo.id, alt: alt, title: caption || null});
      const para = schema.nodes.paragraph.create(null, image);
      const after = $p.depth ? $p.after(1) : state.doc.content.size;
      const tr = state.tr.insert(after, para);
      tr.setSelection(TextSelection.near(tr.doc.resolve(Math.min(after + para.nodeSize, tr.doc.content.size))));
      view.dispatch(tr.scrollIntoView());
      view.focus();
      note.textContent = "The photo is in your story where you put it; it is saved with your text.";
      if (files.length > 1) placePhotos(view, files.slice(1), after + para.nodeSize);
    });
  }

  function newState(md) {
    return EditorState.create({
      doc: defaultMarkdownParser.parse(md || ""),
      plugins: [rules(), keymap(buildKeymap()), keymap(baseKeymap), history(), dropCursor(), gapCursor(), photoPlugin]
    });
  }

  const view = new EditorView(mount, {
    state: newState(""),
    nodeViews: {image: node => new ImageView(node)},
    attributes: {class: "body rich-body", role: "textbox", "aria-multiline": "true", "aria-label": "Story",
                 spellcheck: "true"},
    dispatchTransaction(tr) {
      view.updateState(view.state.apply(tr));
      if (tr.docChanged) sync(view.state.doc);
      paintToolbar();
    }
  });

  /* The toolbar: what each button does, and whether it is on here. */
  const tools = [
    ["Bold", toggleMark(schema.marks.strong), s => markActive(s, schema.marks.strong)],
    ["Italic", toggleMark(schema.marks.em), s => markActive(s, schema.marks.em)],
    ["Link", toggleLink, s => markActive(s, schema.marks.link)],
    ["Heading", toggleHeading(2), s => blockActive(s, schema.nodes.heading, {level: 2})],
    ["Subheading", toggleHeading(3), s => blockActive(s, schema.nodes.heading, {level: 3})],
    ["Quote", (s, d) => (blockActive(s, schema.nodes.blockquote) ? lift(s, d) : wrapIn(schema.nodes.blockquote)(s, d)),
     s => blockActive(s, schema.nodes.blockquote)],
    ["List", wrapInList(schema.nodes.bullet_list), s => blockActive(s, schema.nodes.bullet_list)],
    ["Numbered list", wrapInList(schema.nodes.ordered_list), s => blockActive(s, schema.nodes.ordered_list)]
  ];
  const buttons = tools.map(([name, cmd]) => {
    const b = el("button", {type: "button", "aria-pressed": "false", text: name});
    b.addEventListener("mousedown", ev => ev.preventDefault());
    b.addEventListener("click", ev => { ev.preventDefault(); cmd(view.state, view.dispatch); view.focus(); });
    toolbar.appendChild(b);
    return b;
  });
  const pick = el("input", {type: "file", accept: "image/jpeg,image/png,image/webp,image/heic,image/heif,image/gif",
                            class: "visually-hidden rich-pick", "aria-hidden": "true", tabindex: "-1"});
  const photoBtn = el("button", {type: "button", text: "Photo…"});
  photoBtn.addEventListener("click", ev => { ev.preventDefault(); pick.click(); });
  pick.addEventListener("change", () => {
    const files = imageFiles(pick.files);
    if (files.length) placePhotos(view, files, view.state.selection.from);
    pick.value = "";
  });
  toolbar.append(photoBtn, pick);
  function paintToolbar() {
    tools.forEach(([, , active], i) => buttons[i].setAttribute("aria-pressed", active(view.state) ? "true" : "false"));
  }

  let rich = false;
  function setMode(wantRich, remember) {
    if (wantRich && !representable(ta.value)) {
      note.textContent = "This story uses Markdown the rich editor cannot show as it is " +
        "(such as tables, footnotes or HTML), so it stays in Markdown mode: nothing of it is changed.";
      wantRich = false;
    } else {
      note.textContent = "";
    }
    rich = wantRich;
    if (rich) view.updateState(newState(ta.value));
    mount.hidden = toolbar.hidden = !rich;
    ta.hidden = rich;
    if (label) label.hidden = rich;
    richBtn.setAttribute("aria-pressed", rich ? "true" : "false");
    mdBtn.setAttribute("aria-pressed", rich ? "false" : "true");
    form.classList.toggle("rich-mode", rich);
    if (remember) {
      try { localStorage.setItem(MODE_KEY, rich ? "rich" : "markdown"); } catch (e) { /* private mode */ }
    }
    paintToolbar();
  }
  richBtn.addEventListener("click", ev => { ev.preventDefault(); setMode(true, true); if (rich) view.focus(); });
  mdBtn.addEventListener("click", ev => { ev.preventDefault(); setMode(false, true); ta.focus(); });
  /* Markdown put into the textarea by someone else (the photo form of
   * photos.js): shown in the rich text too. */
  ta.addEventListener("input", () => {
    if (!syncing && rich && representable(ta.value)) view.updateState(newState(ta.value));
  });
  let remembered = "rich";
  try { remembered = localStorage.getItem(MODE_KEY) || "rich"; } catch (e) { remembered = "rich"; }
  setMode(remembered === "rich", false);
  window.QuireEditor.rich = {view: view, setMode: setMode, isRich: () => rich};
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
