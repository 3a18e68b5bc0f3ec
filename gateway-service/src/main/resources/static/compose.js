// The composition view: title → illustrated article, followed through its event stream, then edited through the
// composition API (choose another candidate, re-search with an edited caption, delete/add an image, rewrite a
// paragraph, export, copy Markdown). Every edit answers with the whole composition, which is drawn again.
(function (Xc) {
  'use strict';
  var $ = Xc.$;
  var STEPS = ['writing', 'slots', 'captions', 'candidates', 'selection'];
  var PICK_LABELS = { model: "model's pick", fallback: 'fallback pick (A)', first: 'top match' };
  // One composition at a time: its paragraphs and slots as the events or the last GET/edit described them.
  var current = { id: null, status: null, language: 'en', paragraphs: [], slots: {}, picks: {}, busy: false };

  function path(suffix) { return '/v1/compositions/' + encodeURIComponent(current.id) + (suffix || ''); }

  function setStep(step) {
    var reached = step === 'complete' ? STEPS.length : STEPS.indexOf(step);
    Array.prototype.forEach.call($('steps').children, function (li, i) {
      li.classList.toggle('done', i < reached);
      li.classList.toggle('current', i === reached);
      if (i === reached) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
    });
    $('steps').dataset.step = step;
  }
  function stepAtLeast(step) {
    var now = STEPS.indexOf($('steps').dataset.step);
    if ($('steps').dataset.step !== 'complete' && STEPS.indexOf(step) > now) setStep(step);
  }

  function status(text) { $('compose-status').textContent = text; }
  function toolsStatus(text, failed) {
    $('tools-status').textContent = text;
    $('tools-status').classList.toggle('error-text', !!failed);
  }

  // The model's own choice stays marked when the user picks another candidate.
  function rememberPick(slot) {
    if (slot.selection && slot.selection !== 'user' && slot.candidate !== null && slot.candidate !== undefined) {
      current.picks[slot.paragraph] = { candidate: slot.candidate, selection: slot.selection };
    }
  }

  function fromView(view) {
    current.id = view.id;
    current.status = view.status;
    current.language = view.language || 'en';
    current.error = view.error;
    current.paragraphs = [];
    current.slots = {};
    view.blocks.forEach(function (block) {
      if (block.type === 'text') current.paragraphs[block.paragraph] = block.text;
      else { current.slots[block.paragraph] = block; rememberPick(block); }
    });
  }

  // Drawing
  function section(index) {
    var article = $('article');
    var el = article.querySelector('section[data-paragraph="' + index + '"]');
    if (!el) {
      el = document.createElement('section');
      el.dataset.paragraph = index;
      el.innerHTML = '<div class="text"></div><div class="paragraph-tools"></div><div class="figure"></div>';
      article.appendChild(el);
    }
    return el;
  }
  function drawText(index) {
    section(index).querySelector('.text').innerHTML = XcMarkdown.render(current.paragraphs[index] || '');
  }
  function editable() { return current.status === 'completed' && !current.busy; }

  function button(label, className, onClick) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = className;
    b.textContent = label;
    b.disabled = !editable();
    b.addEventListener('click', onClick);
    return b;
  }
  function labelled(labelText, input) {
    var label = document.createElement('label');
    label.className = 'inline-field';
    var span = document.createElement('span');
    span.textContent = labelText;
    label.appendChild(span);
    label.appendChild(input);
    return label;
  }

  function drawParagraphTools(index) {
    var tools = section(index).querySelector('.paragraph-tools');
    tools.innerHTML = '';
    if (current.status !== 'completed') return;
    var instruction = document.createElement('input');
    instruction.className = 'rewrite-input';
    instruction.placeholder = 'expand, shorten, or an instruction';
    instruction.disabled = !editable();
    tools.appendChild(labelled('Rewrite paragraph ' + (index + 1), instruction));
    tools.appendChild(button('Rewrite', 'rewrite', function () {
      var text = instruction.value.trim();
      if (!text) { instruction.focus(); return; }
      edit('Rewriting paragraph ' + (index + 1) + '…', path('/paragraphs/' + index + ':rewrite'),
        { method: 'POST', json: { instruction: text } });
    }));
    if (!current.slots[index]) {
      tools.appendChild(button('Add image here', 'add-image', function () {
        edit('Adding an image…', path('/slots'), { method: 'POST', json: { after_paragraph: index } });
      }));
    }
  }

  function image(ref, alt, className) {
    var img = Xc.crisp(document.createElement('img'));
    img.className = className;
    img.alt = alt;
    img.src = ref.url;
    return img;
  }

  function drawCandidates(slot, figure) {
    var group = document.createElement('div');
    group.className = 'candidates';
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', 'Candidates for this image');
    var pick = current.picks[slot.paragraph];
    slot.candidates.forEach(function (candidate, i) {
      var choice = button('', 'candidate', function () {
        if (i === slot.candidate) return;
        edit('Showing candidate ' + (i + 1) + '…', path('/slots/' + slot.paragraph + ':choose'),
          { method: 'POST', json: { candidate: i } });
      });
      choice.dataset.index = i;
      choice.setAttribute('aria-pressed', String(i === slot.candidate));
      choice.setAttribute('aria-label', 'Candidate ' + (i + 1) + (i === slot.candidate ? ' (shown)' : '')
        + (pick && pick.candidate === i ? ', ' + PICK_LABELS[pick.selection] : ''));
      choice.appendChild(image(candidate, '', 'candidate-image'));
      if (pick && pick.candidate === i) {
        choice.classList.add('pick');
        var badge = document.createElement('span');
        badge.className = 'badge';
        badge.textContent = PICK_LABELS[pick.selection] || pick.selection;
        choice.appendChild(badge);
      }
      group.appendChild(choice);
    });
    figure.appendChild(group);
  }

  function drawSlotTools(slot, figure) {
    var tools = document.createElement('div');
    tools.className = 'slot-tools';
    var caption = document.createElement('input');
    caption.className = 'caption-input';
    caption.value = slot.caption;
    caption.disabled = !editable();
    tools.appendChild(labelled('Caption', caption));
    tools.appendChild(button('Search again', 'research', function () {
      var text = caption.value.trim();
      if (!text) { caption.focus(); return; }
      edit('Searching with the new caption…', path('/slots/' + slot.paragraph + ':search'),
        { method: 'POST', json: { caption: text } });
    }));
    tools.appendChild(button('Delete image', 'delete-image', function () {
      edit('Deleting the image…', path('/slots/' + slot.paragraph), { method: 'DELETE' });
    }));
    figure.appendChild(tools);
  }

  function drawSlot(index) {
    var holder = section(index).querySelector('.figure');
    holder.innerHTML = '';
    var slot = current.slots[index];
    if (!slot) return;
    var figure = document.createElement('figure');
    figure.className = 'slot';
    figure.dataset.paragraph = index;
    // The caption is the composition's, written in the article's language (not the gallery's English one).
    if (slot.image) figure.appendChild(image(slot.image, slot.caption, 'article-image'));
    else if (slot.error) {
      var failed = document.createElement('p');
      failed.className = 'error-text';
      failed.textContent = 'No image: ' + slot.error.message;
      figure.appendChild(failed);
    } else {
      var pending = document.createElement('p');
      pending.className = 'slot-pending';
      pending.textContent = 'Finding an image…';
      figure.appendChild(pending);
    }
    var caption = document.createElement('figcaption');
    caption.textContent = slot.caption;
    figure.appendChild(caption);
    if (slot.candidates && slot.candidates.length) drawCandidates(slot, figure);
    if (current.status === 'completed') drawSlotTools(slot, figure);
    holder.appendChild(figure);
  }

  function drawAll() {
    var article = $('article');
    article.lang = current.language === 'zh' ? 'zh' : 'en';
    article.querySelectorAll('section').forEach(function (el) {
      if (+el.dataset.paragraph >= current.paragraphs.length) el.remove();
    });
    current.paragraphs.forEach(function (_, i) { drawText(i); drawParagraphTools(i); drawSlot(i); });
    $('article-tools').hidden = current.status !== 'completed';
    article.dataset.done = String(current.status !== 'running');
    article.dataset.busy = String(current.busy);
  }

  async function edit(label, url, options) {
    if (!editable()) return;
    current.busy = true;
    drawAll();
    toolsStatus(label);
    try {
      fromView(await Xc.json(await Xc.api(url, options)));
      toolsStatus('Done.');
    } catch (err) {
      toolsStatus(err.message, true);
    } finally {
      current.busy = false;
      drawAll();
    }
  }

  // Following a composition's events. No event says the article is fully written: the spot step starts once the
  // text stops, so a paragraph end that no new text follows for a moment shows "choosing slots".
  var SPOT_AFTER_QUIET_MS = 250;
  var quiet = null;
  function onEvent(event) {
    var data = JSON.parse(event.data);
    clearTimeout(quiet);
    switch (event.event) {
      case 'text_delta':
        if ($('steps').dataset.step === 'slots') setStep('writing');
        stepAtLeast('writing');
        current.paragraphs[data.paragraph] = (current.paragraphs[data.paragraph] || '') + data.text;
        drawText(data.paragraph);
        break;
      case 'paragraph_done':
        current.paragraphs[data.paragraph] = data.text;
        drawText(data.paragraph);
        quiet = setTimeout(function () { stepAtLeast('slots'); status('Choosing where images go…'); },
          SPOT_AFTER_QUIET_MS);
        break;
      case 'slots_chosen':
        stepAtLeast('captions');
        status('Writing captions…');
        break;
      case 'slot_caption':
        stepAtLeast('captions');
        current.slots[data.paragraph] = { paragraph: data.paragraph, caption: data.caption, candidates: [] };
        drawSlot(data.paragraph);
        break;
      case 'candidates':
        stepAtLeast('candidates');
        status('Choosing images…');
        (current.slots[data.paragraph] || {}).candidates = data.candidates;
        drawSlot(data.paragraph);
        break;
      case 'image_selected':
        stepAtLeast('selection');
        var slot = current.slots[data.paragraph];
        if (slot) {
          slot.image = data.image; slot.candidate = data.candidate; slot.selection = data.selection;
          rememberPick(slot);
          drawSlot(data.paragraph);
        }
        break;
      case 'slot_failed':
        if (current.slots[data.paragraph]) { current.slots[data.paragraph].error = data.error; drawSlot(data.paragraph); }
        break;
      case 'done':
        setStep('complete');
        current.status = 'completed';
        break;
      case 'error':
        current.status = 'failed';
        status('Failed: ' + (data.error && data.error.message));
        break;
    }
  }

  async function follow() {
    status('Writing…');
    setStep('writing');
    // The stream replays every event from the first, so the article is rebuilt from them.
    current.paragraphs = [];
    current.slots = {};
    current.status = 'running';
    var events = await Xc.api(path('/events'));
    if (!events.ok) throw await Xc.failure(events);
    await Xc.readSse(events, onEvent);
    // The stored state has every field the events announced; drawing it adds the editing tools.
    fromView(await Xc.json(await Xc.api(path())));
    if (current.status === 'completed') { setStep('complete'); status('Done.'); }
    drawAll();
  }

  async function open(id) {
    current = { id: id, status: null, language: 'en', paragraphs: [], slots: {}, picks: {}, busy: false };
    $('article').innerHTML = '';
    toolsStatus('');
    try {
      fromView(await Xc.json(await Xc.api(path())));
      drawAll();
      if (current.status === 'running') await follow();
      else if (current.status === 'completed') { setStep('complete'); status('Done.'); }
      else status('Failed: ' + (current.error ? current.error.message : 'unknown'));
    } catch (err) {
      status('Could not open the composition: ' + err.message);
    }
  }

  $('compose-form').addEventListener('submit', async function (e) {
    e.preventDefault();
    var request = { title: $('title').value.trim() };
    if (!request.title) return;
    if ($('compose-language').value) request.language = $('compose-language').value;
    if ($('compose-select').checked) request.select = true;
    current = { id: null, status: 'running', language: 'en', paragraphs: [], slots: {}, picks: {}, busy: false };
    $('article').innerHTML = '';
    $('article').dataset.done = 'false';
    $('article-tools').hidden = true;
    toolsStatus('');
    $('compose').disabled = true;
    try {
      var created = await Xc.json(await Xc.api('/v1/compositions', { method: 'POST', json: request }));
      current.id = created.id;
      current.language = created.language || 'en';
      $('article').lang = current.language;
      $('article').dataset.compositionId = created.id;
      history.replaceState(null, '', '#composition=' + encodeURIComponent(created.id));
      await follow();
    } catch (err) {
      status('Failed: ' + err.message);
      $('article').dataset.done = 'true';
    } finally {
      $('compose').disabled = false;
    }
  });

  $('copy-markdown').addEventListener('click', async function () {
    try {
      var response = await Xc.api(path('/markdown'));
      if (!response.ok) throw await Xc.failure(response);
      var markdown = await response.text();
      await copyText(markdown);
      toolsStatus('Markdown copied (' + markdown.length + ' characters).');
    } catch (err) {
      toolsStatus('Copy failed: ' + err.message, true);
    }
  });
  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (e) {
      // Without clipboard permission (or outside a secure context) the older selection-based copy still works.
      var area = document.createElement('textarea');
      area.value = text;
      document.body.appendChild(area);
      area.select();
      var copied = document.execCommand('copy');
      area.remove();
      if (!copied) throw e;
    }
  }

  $('export-zip').addEventListener('click', async function () {
    try {
      var response = await Xc.api(path('/export'));
      if (!response.ok) throw await Xc.failure(response);
      var blob = await response.blob();
      var link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = current.id + '.zip';
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000);
      toolsStatus('Exported ' + link.download + ' (' + blob.size + ' bytes).');
    } catch (err) {
      toolsStatus('Export failed: ' + err.message, true);
    }
  });

  // #composition=<id> opens a stored composition (a reload keeps the article on screen).
  var opened = /^#composition=([^&]+)$/.exec(location.hash);
  if (opened) {
    $('tab-compose').click();
    open(decodeURIComponent(opened[1]));
  }
  Xc.openComposition = open;
})(window.Xc);
