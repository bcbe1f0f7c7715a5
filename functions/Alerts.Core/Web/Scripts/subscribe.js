// The subscribe page's progressive enhancement (served as a file, so the CSP allows no inline script): the time
// zone from the browser, and live validation and preview through the preview API as the query is typed.
// Feed text is put in with textContent, never as HTML.
(function () {
  var tz = document.getElementById('timeZone');
  try { if (tz && !tz.value) tz.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { }
  var query = document.getElementById('query'), sites = document.getElementById('sites');
  var out = document.getElementById('preview');
  if (!query || !out || !window.fetch) return;
  var timer = 0, seq = 0;
  function el(tag, text, cls) { var e = document.createElement(tag); if (text) e.textContent = text; if (cls) e.className = cls; return e; }
  function clearError() {
    var old = document.getElementById('query-error'); if (old) old.remove();
    query.removeAttribute('aria-invalid');
    query.setAttribute('aria-describedby', 'query-hint');
  }
  function showError(message, position) {
    clearError();
    var box = el('div', message + ' ', 'error'); box.id = 'query-error'; box.setAttribute('role', 'alert');
    if (typeof position === 'number') {
      var text = query.value, at = Math.max(0, Math.min(position, text.length));
      var echo = el('code', null, 'query-echo'); echo.setAttribute('aria-hidden', 'true');
      echo.appendChild(document.createTextNode(text.slice(0, at)));
      echo.appendChild(el('mark', at < text.length ? text.charAt(at) : ' '));
      echo.appendChild(document.createTextNode(text.slice(at + 1)));
      box.appendChild(echo);
    }
    document.getElementById('query-hint').after(box);
    query.setAttribute('aria-invalid', 'true');
    query.setAttribute('aria-describedby', 'query-error query-hint');
  }
  // Times in the zone the form names (the browser's by default), as the server renders them; UTC when there is none.
  function local(iso) {
    var zone = (tz && tz.value.trim()) || '';
    if (zone) {
      try {
        var parts = {};
        new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
          .formatToParts(new Date(iso)).forEach(function (p) { parts[p.type] = p.value; });
        return parts.year + '-' + parts.month + '-' + parts.day + ' ' + parts.hour + ':' + parts.minute + ' ' + zone;
      } catch (e) { }
    }
    return new Date(iso).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  }
  function render(result) {
    out.replaceChildren(el('h2', 'Preview'));
    var n = result.count, shown = result.articles.length;
    out.appendChild(el('p', n === 0
      ? 'No stored article from the last 7 days matches this query. New articles will still be checked as they arrive.'
      : (result.complete === false ? 'Searched the newest ' + result.scanned + ' articles only. ' : '')
        + n + (n === 1 ? ' story' : ' stories') + ' in the last 7 days would have matched' + (n > shown ? '; the newest ' + shown + ':' : ':')));
    if (!shown) return;
    var list = el('ol');
    result.articles.forEach(function (a) {
      var li = el('li'), title = a.title || '(untitled)';
      if (a.link && /^https?:/i.test(a.link)) { var link = el('a', title); link.href = a.link; link.rel = 'noopener noreferrer'; li.appendChild(link); }
      else li.appendChild(document.createTextNode(title));
      li.appendChild(el('br'));
      li.appendChild(el('span', a.feedTitle + ' · ' + local(a.publishedAt) + (a.alsoIn ? ' · also in ' + a.alsoIn + ' more' : ''), 'meta'));
      if (a.why) { li.appendChild(el('br')); li.appendChild(el('span', 'Why: ' + a.why, 'meta why')); }
      list.appendChild(li);
    });
    out.appendChild(list);
  }
  function run() {
    var q = query.value.trim(), mine = ++seq;
    if (!q) { clearError(); out.replaceChildren(); return; }
    var url = '/api/subscriptions/preview?q=' + encodeURIComponent(q) + (sites && sites.value.trim() ? '&sites=' + encodeURIComponent(sites.value) : '');
    fetch(url, { headers: { Accept: 'application/json' } }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      if (mine !== seq) return;
      if (res.ok) { clearError(); render(res.body); return; }
      var errs = res.body.errors || {};
      if (errs.q) { showError(errs.q[0], res.body.position); out.replaceChildren(); }
      else if (errs.sites) { out.replaceChildren(el('p', errs.sites[0], 'error')); }
    }).catch(function () { });
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(run, 350); }
  query.addEventListener('input', schedule);
  if (sites) sites.addEventListener('input', schedule);
  if (query.value.trim() && !out.children.length) run();
})();
