// The gateway's web chat page: plain JS, no build step. Talks to the same public API as any client.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var KEY_STORAGE = 'xcomposer.apiKey';
  var state = { conversationId: null, images: [], controller: null };

  $('api-key').value = localStorage.getItem(KEY_STORAGE) || '';
  $('api-key').addEventListener('change', function () { localStorage.setItem(KEY_STORAGE, $('api-key').value.trim()); });

  function headers(json) {
    var h = { 'Authorization': 'Bearer ' + $('api-key').value.trim() };
    if (json) h['Content-Type'] = 'application/json';
    return h;
  }
  function showError(message) {
    var box = $('error');
    box.textContent = message;
    box.style.display = 'block';
    setTimeout(function () { box.style.display = 'none'; }, 6000);
  }
  async function failure(response) {
    var text = await response.text();
    try { return JSON.parse(text).error.message; } catch (e) { return response.status + ' ' + text; }
  }

  // Reads an SSE response body: calls onEvent({event, data, id}) per event. Comments (": ping") are skipped.
  async function readSse(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = '';
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n/g, '\n');
      var end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        var block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        var event = { event: 'message', data: [], id: null };
        block.split('\n').forEach(function (line) {
          if (!line || line[0] === ':') return;
          var colon = line.indexOf(':');
          var field = colon < 0 ? line : line.slice(0, colon);
          var value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') event.data.push(value);
          else if (field === 'event') event.event = value;
          else if (field === 'id') event.id = value;
        });
        if (event.data.length) { event.data = event.data.join('\n'); onEvent(event); }
      }
    }
  }

  // Models
  fetch('/v1/models', { headers: headers() }).then(function (r) { return r.ok ? r.json() : { data: [] }; })
    .then(function (list) {
      var models = list.data.length ? list.data : [{ id: 'xcomposer-tiny' }];
      models.forEach(function (m) {
        var option = document.createElement('option');
        option.value = m.id; option.textContent = m.id;
        $('model').appendChild(option);
      });
    });

  // Tabs
  function show(view) {
    $('chat-view').hidden = view !== 'chat';
    $('compose-view').hidden = view !== 'compose';
    $('tab-chat').classList.toggle('active', view === 'chat');
    $('tab-compose').classList.toggle('active', view === 'compose');
  }
  $('tab-chat').addEventListener('click', function () { show('chat'); });
  $('tab-compose').addEventListener('click', function () { show('compose'); });

  // Images: uploaded to /v1/images; the id goes into the chat message. Paste works as well as the file picker.
  async function addImage(file) {
    var preview = document.createElement('img');
    preview.src = URL.createObjectURL(file);
    preview.alt = file.name || 'pasted image';
    $('attachments').appendChild(preview);
    var form = new FormData();
    form.append('file', file, file.name || 'pasted.png');
    var pending = fetch('/v1/images', { method: 'POST', headers: headers(), body: form })
      .then(async function (r) {
        if (!r.ok) throw new Error(await failure(r));
        return (await r.json()).id;
      });
    state.images.push({ pending: pending, preview: preview.src });
  }
  $('image-input').addEventListener('change', function (e) {
    Array.prototype.forEach.call(e.target.files, addImage);
    e.target.value = '';
  });
  $('prompt').addEventListener('paste', function (e) {
    Array.prototype.forEach.call(e.clipboardData.items, function (item) {
      if (item.kind === 'file' && item.type.indexOf('image/') === 0) addImage(item.getAsFile());
    });
  });

  function addMessage(role, html) {
    var div = document.createElement('div');
    div.className = 'msg ' + role;
    div.innerHTML = html;
    $('messages').appendChild(div);
    div.scrollIntoView({ block: 'end' });
    return div;
  }

  $('new-chat').addEventListener('click', function () {
    state.conversationId = null;
    $('messages').innerHTML = '';
  });
  $('stop').addEventListener('click', function () { if (state.controller) state.controller.abort(); });

  $('chat-form').addEventListener('submit', async function (e) {
    e.preventDefault();
    var text = $('prompt').value.trim();
    if (!text && !state.images.length) return;
    var attached = state.images;
    state.images = [];
    $('attachments').innerHTML = '';
    var userHtml = attached.map(function (img) { return '<img alt="" src="' + img.preview + '">'; }).join('')
      + XcMarkdown.escapeHtml(text);
    addMessage('user', userHtml);
    $('prompt').value = '';
    var answer = addMessage('assistant', '<span class="slot-pending">…</span>');
    var content = [];
    try {
      var ids = await Promise.all(attached.map(function (img) { return img.pending; }));
      ids.forEach(function (id) { content.push({ type: 'image_url', image_url: { url: id } }); });
      content.push({ type: 'text', text: text });
      var body = { model: $('model').value || 'xcomposer-tiny', stream: true, messages: [{ role: 'user', content: content }] };
      if (state.conversationId) body.conversation_id = state.conversationId;
      state.controller = new AbortController();
      $('stop').disabled = false;
      var response = await fetch('/v1/chat/completions', {
        method: 'POST', headers: headers(true), body: JSON.stringify(body), signal: state.controller.signal
      });
      if (!response.ok) throw new Error(await failure(response));
      var markdown = '';
      await readSse(response, function (event) {
        if (event.data === '[DONE]') return;
        var chunk = JSON.parse(event.data);
        if (chunk.error) { showError(chunk.error.message); return; }
        if (chunk.conversation_id) state.conversationId = chunk.conversation_id;
        (chunk.choices || []).forEach(function (choice) {
          if (choice.delta && choice.delta.content) markdown += choice.delta.content;
        });
        answer.innerHTML = XcMarkdown.render(markdown);
      });
      answer.dataset.done = 'true';
    } catch (err) {
      if (err.name !== 'AbortError') showError(err.message);
      answer.dataset.done = 'true';
    } finally {
      $('stop').disabled = true;
      state.controller = null;
    }
  });

  // Composition: POST /v1/compositions, then follow its events; images appear as they are selected.
  $('compose-form').addEventListener('submit', async function (e) {
    e.preventDefault();
    var article = $('article');
    article.innerHTML = '';
    $('compose-status').textContent = 'Writing…';
    var paragraphs = {};
    function paragraph(index) {
      if (!paragraphs[index]) {
        var section = document.createElement('section');
        section.dataset.paragraph = index;
        section.innerHTML = '<div class="text"></div><div class="figure"></div>';
        article.appendChild(section);
        paragraphs[index] = { el: section, text: '' };
      }
      return paragraphs[index];
    }
    try {
      var created = await fetch('/v1/compositions', {
        method: 'POST', headers: headers(true), body: JSON.stringify({ title: $('title').value })
      });
      if (!created.ok) throw new Error(await failure(created));
      var composition = await created.json();
      article.dataset.compositionId = composition.id;
      var events = await fetch('/v1/compositions/' + encodeURIComponent(composition.id) + '/events',
        { headers: headers() });
      if (!events.ok) throw new Error(await failure(events));
      await readSse(events, function (event) {
        var data = JSON.parse(event.data);
        if (event.event === 'text_delta') {
          var p = paragraph(data.paragraph);
          p.text += data.text;
          p.el.querySelector('.text').innerHTML = XcMarkdown.render(p.text);
        } else if (event.event === 'paragraph_done') {
          var done = paragraph(data.paragraph);
          done.text = data.text;
          done.el.querySelector('.text').innerHTML = XcMarkdown.render(done.text);
        } else if (event.event === 'slot_caption') {
          $('compose-status').textContent = 'Choosing images…';
          paragraph(data.paragraph).el.querySelector('.figure').innerHTML =
            '<span class="slot-pending">' + XcMarkdown.escapeHtml(data.caption) + '</span>';
        } else if (event.event === 'image_selected') {
          var image = data.image;
          var figure = paragraph(data.paragraph).el.querySelector('.figure');
          figure.innerHTML = '';
          var fig = document.createElement('figure');
          var img = document.createElement('img');
          img.className = 'article-image';
          img.alt = image.caption || '';
          img.src = image.url;
          var caption = document.createElement('figcaption');
          caption.textContent = image.caption || '';
          fig.appendChild(img); fig.appendChild(caption); figure.appendChild(fig);
        } else if (event.event === 'slot_failed') {
          paragraph(data.paragraph).el.querySelector('.figure').textContent = '';
        } else if (event.event === 'done') {
          $('compose-status').textContent = 'Done.';
          article.dataset.done = 'true';
        } else if (event.event === 'error') {
          $('compose-status').textContent = 'Failed: ' + (data.error && data.error.message);
          article.dataset.done = 'true';
        }
      });
    } catch (err) {
      showError(err.message);
      $('compose-status').textContent = '';
    }
  });
})();
