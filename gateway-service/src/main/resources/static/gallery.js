// The gallery view: search by text or by image, upload one image, or several as a bulk job whose progress is polled.
(function (Xc) {
  'use strict';
  var $ = Xc.$;
  // Base64 grows bytes by a third; the gateway takes bodies up to 25 MB. Larger sets: scripts/ingest-folder.
  var MAX_JOB_BYTES = 18 * 1024 * 1024;
  var POLL_MS = 400;

  function base64(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(String(reader.result).replace(/^data:[^,]*,/, '')); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(file);
    });
  }

  function showResults(results) {
    var grid = $('gallery-results');
    grid.innerHTML = '';
    grid.dataset.count = results.length;
    if (!results.length) { grid.textContent = 'Nothing found.'; return; }
    results.forEach(function (hit) {
      var figure = document.createElement('figure');
      figure.className = 'hit';
      figure.dataset.id = hit.id;
      var img = Xc.crisp(document.createElement('img'));
      img.src = hit.url;
      img.alt = hit.caption || hit.id;
      var caption = document.createElement('figcaption');
      caption.textContent = (hit.caption || hit.id) + ' · ' + hit.score.toFixed(3);
      figure.appendChild(img);
      figure.appendChild(caption);
      grid.appendChild(figure);
    });
  }

  async function search(query) {
    $('gallery-results').dataset.count = '';
    $('gallery-results').textContent = 'Searching…';
    try {
      query.top_k = 12;
      var found = await Xc.json(await Xc.api('/v1/gallery/search', { method: 'POST', json: query }));
      showResults(found.results);
    } catch (err) {
      $('gallery-results').textContent = 'Search failed: ' + err.message;
    }
  }

  $('gallery-search-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var text = $('gallery-query').value.trim();
    if (text) search({ text: text });
  });
  $('gallery-search-image').addEventListener('change', async function (e) {
    var file = e.target.files[0];
    if (file) search({ image_base64: await base64(file) });
    e.target.value = '';
  });

  function uploadStatus(text, failed) {
    $('gallery-upload-status').textContent = text;
    $('gallery-upload-status').classList.toggle('error-text', !!failed);
  }
  function tags() {
    return $('gallery-tags').value.split(',').map(function (t) { return t.trim(); }).filter(Boolean);
  }

  async function uploadOne(file) {
    var form = new FormData();
    form.append('file', file, file.name);
    if ($('gallery-caption').value.trim()) form.append('caption', $('gallery-caption').value.trim());
    if (tags().length) form.append('tags', tags().join(','));
    var image = await Xc.json(await Xc.api('/v1/gallery/images', { method: 'POST', body: form }));
    uploadStatus((image.created ? 'Added ' : 'Already in the gallery: ') + image.id);
    showResults([{ id: image.id, caption: image.caption, url: image.url, score: 1 }]);
  }

  async function bulk(files) {
    var size = files.reduce(function (sum, f) { return sum + f.size; }, 0);
    if (size > MAX_JOB_BYTES) throw new Error('More than 18 MB at once: use scripts/ingest-folder for large sets.');
    var caption = $('gallery-caption').value.trim();
    var items = await Promise.all(files.map(async function (file) {
      var item = { image_base64: await base64(file), tags: tags(), metadata: { filename: file.name } };
      if (caption) item.caption = caption;
      return item;
    }));
    var job = await Xc.json(await Xc.api('/v1/gallery/jobs', { method: 'POST', json: { items: items } }));
    var progress = $('gallery-progress');
    progress.hidden = false;
    progress.max = files.length;
    progress.value = 0;
    // Bounded: a job whose status stops changing is reported instead of polled forever.
    for (var polls = 0, lastDone = -1, still = 0; still < 150; polls++) {
      var status = await Xc.json(await Xc.api('/v1/gallery/jobs/' + encodeURIComponent(job.job_id)));
      progress.max = status.total;
      progress.value = status.done + status.failed;
      uploadStatus('Job ' + status.job_id + ': ' + status.done + ' of ' + status.total + ' done'
        + (status.failed ? ', ' + status.failed + ' failed' : '') + ' (' + status.status + ')', status.failed > 0);
      $('gallery-upload-status').dataset.status = status.status;
      if (status.status !== 'running') return;
      still = status.done === lastDone ? still + 1 : 0;
      lastDone = status.done;
      await new Promise(function (resolve) { setTimeout(resolve, POLL_MS); });
    }
    uploadStatus('The job made no progress for a minute; its status stays at GET /v1/gallery/jobs/' + job.job_id, true);
  }

  $('gallery-upload-form').addEventListener('submit', async function (e) {
    e.preventDefault();
    var files = Array.prototype.slice.call($('gallery-files').files);
    if (!files.length) return;
    $('gallery-upload').disabled = true;
    delete $('gallery-upload-status').dataset.status;
    uploadStatus('Uploading…');
    try {
      if (files.length === 1) await uploadOne(files[0]);
      else await bulk(files);
      $('gallery-files').value = '';
    } catch (err) {
      uploadStatus('Upload failed: ' + err.message, true);
    } finally {
      $('gallery-upload').disabled = false;
    }
  });
})(window.Xc);
