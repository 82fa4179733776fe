/* photos.js - progressive enhancement for photos; everything works without it.
 *  - Story pages: "Show photo" on a sensitive photo reveals it in place
 *    (without JavaScript the link reloads the page with that photo shown).
 *    The full photo sits in an inert <template> until then, so nothing of
 *    it is downloaded before the reader chooses.
 *  - Editor: uploads through the JSON API without leaving the page, drops
 *    a photo dragged onto the story text into the upload form, and inserts
 *    the photo's Markdown where the cursor is.
 */
(function () {
	'use strict';

	document.addEventListener('click', function (e) {
		var a = e.target.closest ? e.target.closest('a.show-photo') : null;
		if (!a) return;
		var fig = a.closest('figure.photo');
		var tpl = fig && fig.querySelector('template.photo-full');
		var gate = fig && fig.querySelector('.gate');
		if (!tpl || !gate) return;
		e.preventDefault();
		var full = tpl.content.cloneNode(true);
		var img = full.querySelector('img');
		if (img) img.removeAttribute('loading');
		fig.insertBefore(full, gate);
		fig.removeChild(gate);
		fig.removeChild(tpl);
		fig.classList.remove('gated');
		fig.setAttribute('tabindex', '-1');
		fig.focus();
	});

	var form = document.querySelector('form.photo-upload');
	if (!form || !window.fetch || !window.FormData) return;
	var body = document.getElementById('body');
	var status = form.querySelector('.photo-status');
	var fileInput = form.querySelector('input[type=file]');
	var alt = form.querySelector('input[name=alt]');

	function say(msg) { if (status) status.textContent = msg; }

	function insertMarkdown(md) {
		if (!body) return;
		var at = typeof body.selectionStart === 'number' ? body.selectionStart : body.value.length;
		var before = body.value.slice(0, at), after = body.value.slice(at);
		var pre = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? '\n' : '\n\n') : '';
		body.value = before + pre + md + '\n\n' + after.replace(/^\n+/, '');
		body.focus();
		var pos = (before + pre + md).length;
		body.setSelectionRange(pos, pos);
		/* As if typed: autosave (editor.js) keeps it. */
		var ev;
		try { ev = new Event('input', {bubbles: true}); } catch (e) {
			ev = document.createEvent('Event');
			ev.initEvent('input', true, false);
		}
		body.dispatchEvent(ev);
	}

	form.addEventListener('submit', function (e) {
		if (!alt.value.trim()) {
			e.preventDefault();
			say('Please describe the photo (alt text) first.');
			alt.focus();
			return;
		}
		e.preventDefault();
		var data = new FormData(form);
		var csrf = form.querySelector('input[name=csrf]').value;
		say('Uploading…');
		fetch(form.getAttribute('data-api'), {
			method: 'POST', body: data, credentials: 'same-origin',
			headers: {'X-CSRF-Token': csrf}
		}).then(function (r) {
			return r.json().then(function (j) { return {ok: r.ok, j: j}; });
		}).then(function (res) {
			if (!res.ok) {
				say(res.j && res.j.error ? res.j.error.message : 'The upload failed.');
				return;
			}
			insertMarkdown(res.j.markdown);
			form.reset();
			say('Added to your story where the cursor was; it is saved with your text.');
		}).catch(function () {
			say('The upload failed; check your connection and try again.');
		});
	});

	if (body && fileInput) {
		body.addEventListener('dragover', function (e) {
			if (e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, 'Files') >= 0)
				e.preventDefault();
		});
		body.addEventListener('drop', function (e) {
			if (!e.dataTransfer || !e.dataTransfer.files.length) return;
			e.preventDefault();
			fileInput.files = e.dataTransfer.files;
			say('Now describe the photo (alt text), then upload it.');
			form.scrollIntoView({block: 'center'});
			alt.focus();
		});
	}
})();
