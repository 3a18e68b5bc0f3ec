// Minimal, safe Markdown: everything is HTML-escaped first, then a small set of constructs is re-introduced.
// Links and images accept only http(s), relative paths and uploaded-image ids; no raw HTML ever reaches the DOM.
(function (global) {
  'use strict';
  function escapeHtml(text) {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  }
  function safeUrl(url) {
    var u = url.trim();
    if (/^https?:\/\//i.test(u) || /^\/(?!\/)/.test(u)) return u;
    return null;
  }
  function inline(escaped) {
    var codes = [];
    var out = escaped.replace(/`([^`]+)`/g, function (_, code) {
      codes.push('<code>' + code + '</code>');
      return '\u0000' + (codes.length - 1) + '\u0000';
    });
    out = out.replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, function (all, alt, url) {
      var safe = safeUrl(url.replace(/&amp;/g, '&'));
      return safe ? '<img alt="' + alt + '" src="' + escapeHtml(safe) + '">' : all;
    });
    out = out.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, function (all, label, url) {
      var safe = safeUrl(url.replace(/&amp;/g, '&'));
      return safe ? '<a href="' + escapeHtml(safe) + '" target="_blank" rel="noopener noreferrer">' + label + '</a>' : all;
    });
    out = out.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
      .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>');
    return out.replace(/\u0000(\d+)\u0000/g, function (_, i) { return codes[+i]; });
  }
  function render(markdown) {
    var lines = escapeHtml(markdown || '').split('\n');
    var html = [], inCode = false, code = [], list = null, para = [];
    function flushPara() { if (para.length) { html.push('<p>' + inline(para.join('<br>')) + '</p>'); para = []; } }
    function flushList() { if (list) { html.push('</' + list + '>'); list = null; } }
    lines.forEach(function (line) {
      if (/^```/.test(line)) {
        if (inCode) { html.push('<pre><code>' + code.join('\n') + '</code></pre>'); code = []; inCode = false; }
        else { flushPara(); flushList(); inCode = true; }
        return;
      }
      if (inCode) { code.push(line); return; }
      var m;
      if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) {
        flushPara(); flushList();
        html.push('<h' + m[1].length + '>' + inline(m[2]) + '</h' + m[1].length + '>');
      } else if ((m = /^\s*[-*]\s+(.*)$/.exec(line)) || (m = /^\s*\d+[.)]\s+(.*)$/.exec(line))) {
        flushPara();
        var kind = /^\s*\d/.test(line) ? 'ol' : 'ul';
        if (list !== kind) { flushList(); html.push('<' + kind + '>'); list = kind; }
        html.push('<li>' + inline(m[1]) + '</li>');
      } else if (!line.trim()) {
        flushPara(); flushList();
      } else {
        flushList(); para.push(line);
      }
    });
    if (inCode) html.push('<pre><code>' + code.join('\n') + '</code></pre>');
    flushPara(); flushList();
    return html.join('');
  }
  global.XcMarkdown = { render: render, escapeHtml: escapeHtml };
})(window);
