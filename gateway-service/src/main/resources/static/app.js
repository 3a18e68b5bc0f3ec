// The gateway's web page: plain JS, no build step. Talks to the same public API as any client.
// app.js holds what every view shares (the key, API calls, SSE reading, tabs) and the chat view;
// compose.js and gallery.js add their views through window.Xc.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var KEY_STORAGE = 'xcomposer.apiKey';
  var state = { conversationId: null, images: [], controller: null };
  var keyWaiters = [];

  // The key lives for this tab only; a key an older page version left in localStorage is removed.
  localStorage.removeItem(KEY_STORAGE);
  function currentKey() { return sessionStorage.getItem(KEY_STORAGE) || ''; }

  function askForKey(message) {
    var dialog = $('key-dialog');
    $('api-key').value = currentKey();
    if (message) $('key-status').textContent = message;
    if (!dialog.open) dialog.showModal();
    $('api-key').focus();
  }
  $('key-form').addEventListener('submit', function (e) {
    var key = $('api-key').value.trim();
    if (!key) { e.preventDefault(); return; }
    sessionStorage.setItem(KEY_STORAGE, key);
    $('key-status').textContent = '';
    $('key-dialog').close();
    loadModels();
    keyWaiters.splice(0).forEach(function (resolve) { resolve(key); });
  });
  // Escape must not leave the page without a key. Chromium ignores preventDefault() on a dialog's cancel without a
  // user activation first, so a dialog closed while no key is set opens again.
  $('key-dialog').addEventListener('cancel', function (e) { if (!currentKey()) e.preventDefault(); });
  $('key-dialog').addEventListener('close', function () { if (!currentKey()) setTimeout(askForKey, 0); });
  $('change-key').addEventListener('click', function () { askForKey(); });

  /** Resolves with the key, asking for it first when there is none (so no call is ever made without one). */
  function key() {
    var current = currentKey();
    if (current) return Promise.resolve(current);
    askForKey();
    return new Promise(function (resolve) { keyWaiters.push(resolve); });
  }

  /** fetch() with the key; options.json is sent as a JSON body. */
  async function api(path, options) {
    var opts = Object.assign({}, options || {});
    var secret = await key();
    opts.headers = Object.assign({ 'Authorization': 'Bearer ' + secret }, opts.headers || {});
    if (opts.json !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(opts.json);
      delete opts.json;
    }
    return fetch(path, opts);
  }

  /** The platform's error message of a failed response ({"error":{"message",...}}), else status and text. */
  async function failure(response) {
    var text = await response.text();
    var message;
    try { message = JSON.parse(text).error.message; } catch (e) { message = text || response.statusText; }
    var error = new Error(response.status + ': ' + message);
    error.status = response.status;
    return error;
  }

  /** The JSON of a successful response; a failed one throws the platform's error message. */
  async function json(response) {
    if (!response.ok) throw await failure(response);
    return response.json();
  }

  function showError(message) {
    var box = $('error');
    box.textContent = message;
    box.style.display = 'block';
    clearTimeout(showError.timer);
    showError.timer = setTimeout(function () { box.style.display = 'none'; }, 6000);
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

  // Small pictures (the tiny model's 64 px scenes) are drawn larger with hard pixel edges instead of blur.
  function crisp(img) {
    img.addEventListener('load', function () {
      if (img.naturalWidth && img.naturalWidth <= 256) img.classList.add('pixelated');
    });
    return img;
  }

  // Models: loaded once a key is there, never before.
  async function loadModels() {
    var select = $('model');
    var previous = select.value;
    var models = [{ id: 'xcomposer-tiny' }];
    try {
      var response = await api('/v1/models');
      if (response.ok) {
        var list = await response.json();
        if (list.data && list.data.length) models = list.data;
        $('key-status').textContent = '';
      } else {
        $('key-status').textContent = 'The key was refused (' + (await failure(response)).message + ').';
      }
    } catch (err) {
      $('key-status').textContent = 'Could not list models: ' + err.message;
    }
    select.innerHTML = '';
    models.forEach(function (m) {
      var option = document.createElement('option');
      option.value = m.id; option.textContent = m.id;
      select.appendChild(option);
    });
    if (previous) select.value = previous;
    if (!select.value && select.options.length) select.selectedIndex = 0;
  }

  // Tabs
  var views = ['chat', 'compose', 'gallery'];
  function show(view) {
    views.forEach(function (name) {
      $(name + '-view').hidden = name !== view;
      $('tab-' + name).classList.toggle('active', name === view);
      if (name === view) $('tab-' + name).setAttribute('aria-current', 'page');
      else $('tab-' + name).removeAttribute('aria-current');
    });
  }
  views.forEach(function (name) {
    $('tab-' + name).addEventListener('click', function () { show(name); });
  });

  // Chat images: uploaded to /v1/images as soon as attached; the id goes into the message.
  function upload(file) {
    var form = new FormData();
    form.append('file', file, file.name || 'pasted.png');
    return api('/v1/images', { method: 'POST', body: form }).then(json).then(function (image) { return image.id; });
  }
  function uploaded(image) {
    if (!image.pending) image.pending = upload(image.file);
    // A failed upload (a wrong key, say) is tried again by the next attempt.
    return image.pending.catch(function (err) { image.pending = null; throw err; });
  }
  function addImage(file) {
    var preview = crisp(document.createElement('img'));
    preview.src = URL.createObjectURL(file);
    preview.alt = file.name || 'pasted image';
    $('attachments').appendChild(preview);
    var image = { file: file, preview: preview.src, pending: null };
    uploaded(image).catch(function () { /* reported when the message is sent */ });
    state.images.push(image);
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
  // Enter sends, Shift+Enter makes a new line (as in common chat front ends).
  $('prompt').addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); $('chat-form').requestSubmit(); }
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

  /** Shows a failure in the answer's own bubble, with a button that sends the same message again. */
  function answerFailed(answer, markdown, message, retry) {
    answer.classList.add('failed');
    answer.dataset.error = 'true';
    answer.innerHTML = (markdown ? XcMarkdown.render(markdown) : '')
      + '<p class="error-text"></p><button type="button" class="retry">Retry</button>';
    answer.querySelector('.error-text').textContent = message;
    answer.querySelector('.retry').addEventListener('click', retry);
    answer.dataset.done = 'true';
  }

  async function ask(answer, text, attached) {
    answer.classList.remove('failed');
    delete answer.dataset.error;
    delete answer.dataset.done;
    answer.innerHTML = '<span class="slot-pending">…</span>';
    var retry = function () { ask(answer, text, attached); };
    var markdown = '';
    var streamError = null;
    state.controller = new AbortController();
    $('stop').disabled = false;
    try {
      var ids = await Promise.all(attached.map(uploaded));
      var content = ids.map(function (id) { return { type: 'image_url', image_url: { url: id } }; });
      content.push({ type: 'text', text: text });
      var body = { model: $('model').value || 'xcomposer-tiny', stream: true, messages: [{ role: 'user', content: content }] };
      if (state.conversationId) body.conversation_id = state.conversationId;
      var response = await api('/v1/chat/completions', { method: 'POST', json: body, signal: state.controller.signal });
      if (!response.ok) throw await failure(response);
      await readSse(response, function (event) {
        if (event.data === '[DONE]') return;
        var chunk = JSON.parse(event.data);
        if (chunk.error) { streamError = chunk.error.message; return; }
        if (chunk.conversation_id) state.conversationId = chunk.conversation_id;
        (chunk.choices || []).forEach(function (choice) {
          if (choice.delta && choice.delta.content) markdown += choice.delta.content;
        });
        answer.innerHTML = XcMarkdown.render(markdown) || '<span class="slot-pending">…</span>';
      });
      if (streamError) answerFailed(answer, markdown, streamError, retry);
      else {
        if (!markdown) answer.innerHTML = '<span class="slot-pending">(empty answer)</span>';
        answer.dataset.done = 'true';
      }
    } catch (err) {
      if (err.name === 'AbortError') {
        answer.innerHTML = XcMarkdown.render(markdown) + '<p class="slot-pending">Stopped.</p>';
        answer.dataset.done = 'true';
      } else {
        answerFailed(answer, markdown, err.message, retry);
      }
    } finally {
      $('stop').disabled = true;
      state.controller = null;
    }
  }

  $('chat-form').addEventListener('submit', function (e) {
    e.preventDefault();
    if (state.controller) return;
    var text = $('prompt').value.trim();
    if (!text && !state.images.length) return;
    var attached = state.images;
    state.images = [];
    $('attachments').innerHTML = '';
    var user = addMessage('user', '');
    attached.forEach(function (img) {
      var shown = crisp(document.createElement('img'));
      shown.alt = img.file.name || 'attached image';
      shown.src = img.preview;
      user.appendChild(shown);
    });
    user.appendChild(document.createTextNode(text));
    $('prompt').value = '';
    ask(addMessage('assistant', ''), text, attached);
  });

  window.Xc = { $: $, api: api, json: json, failure: failure, readSse: readSse, showError: showError, crisp: crisp };

  if (currentKey()) loadModels();
  else askForKey();
})();
