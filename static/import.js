/* import.js - keeps an import's page current while it runs: asks for
 * its state each second and shows it; reloads the page for the report
 * when it ends. Without it the page has a Refresh link. */
(function () {
	'use strict';
	var box = document.getElementById('import-job');
	if (!box || box.getAttribute('data-active') !== '1')
		return;
	var url = '/settings/import/' + box.getAttribute('data-id') + '?format=json';
	var status = document.getElementById('import-status');
	var bar = document.getElementById('import-progress');
	function show(j) {
		status.textContent = j.status_text + (j.total ? ': ' + j.done + ' of ' + j.total + ' posts' : '');
		var count = document.getElementById('import-count');
		if (count)
			count.remove();
		if (j.total) {
			bar.max = j.total;
			bar.value = j.done;
			bar.textContent = j.done + ' of ' + j.total;
			bar.hidden = false;
		}
	}
	function poll() {
		fetch(url, {credentials: 'same-origin', cache: 'no-store'}).then(function (r) {
			if (!r.ok)
				throw new Error(r.status);
			return r.json();
		}).then(function (j) {
			if (!j.active) {
				window.location.reload();
				return;
			}
			show(j);
			setTimeout(poll, 1000);
		}).catch(function () {
			setTimeout(poll, 5000);
		});
	}
	setTimeout(poll, 1000);
})();
