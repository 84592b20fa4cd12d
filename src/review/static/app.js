// vernacular review page: every action is a button (mouse, touch) and a key (1–4, f/c/x, n/p, u).
// Post text is only ever set with textContent.
'use strict';
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  let samples = [];
  let i = 0;
  let focus = 0;
  const $ = (id) => document.getElementById(id);
  const status = (s) => ($('status').textContent = s);

  async function api(path, body) {
    const r = await fetch(path, { method: body ? 'POST' : 'GET', headers: body ? { 'content-type': 'application/json', 'x-csrf-token': csrf } : {}, body: body ? JSON.stringify(body) : undefined, credentials: 'same-origin' });
    if (r.status === 401) {
      location.href = '/login';
      throw new Error('signed out');
    }
    const j = await r.json();
    if (!r.ok) throw new Error(j.error || r.status);
    return j;
  }

  function button(label, accessibleName, action, data, pressed) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.setAttribute('aria-label', accessibleName);
    b.dataset.action = action;
    for (const [k, v] of Object.entries(data)) b.dataset[k] = v;
    b.setAttribute('aria-pressed', pressed ? 'true' : 'false');
    return b;
  }

  function render() {
    const s = samples[i];
    document.querySelectorAll('button[data-action="judge"], button[data-action="prev"], button[data-action="next"], button[data-action="undo"]').forEach((b) => (b.disabled = !s));
    if (!s) {
      $('counter').textContent = 'no samples';
      return;
    }
    $('counter').textContent = `sample ${i + 1} of ${samples.length}`;
    $('locale').textContent = s.locale;
    $('sid').textContent = s.id;
    const judged = samples.filter((x) => Object.keys(x.judged).length).length;
    $('progress').textContent = `${judged}/${samples.length} judged`;
    document.querySelector('button[data-action="prev"]').disabled = i === 0;
    document.querySelector('button[data-action="next"]').disabled = i === samples.length - 1;
    const text = $('text');
    text.replaceChildren();
    const spans = s.features.map((f, k) => ({ ...f, k })).sort((a, b) => a.span[0] - b.span[0]);
    let at = 0;
    for (const f of spans) {
      if (f.span[0] < at) continue;
      text.append(document.createTextNode(s.text.slice(at, f.span[0])));
      const m = document.createElement('mark');
      m.textContent = s.text.slice(f.span[0], f.span[1]);
      m.title = `${f.feature}${f.gloss ? ' — ' + f.gloss : ''} (${f.rule}, ${f.confidence})`;
      if (f.k === focus) m.className = 'focus';
      text.append(m);
      at = f.span[1];
    }
    text.append(document.createTextNode(s.text.slice(at)));
    document.querySelectorAll('#questions .q button[data-action="judge"]').forEach((b) => b.setAttribute('aria-pressed', s.judged[b.dataset.question] === b.dataset.value ? 'true' : 'false'));
    const list = $('features');
    list.replaceChildren();
    s.features.forEach((f, k) => {
      const li = document.createElement('li');
      if (k === focus) li.className = 'focus';
      const row = document.createElement('div');
      row.className = 'row';
      const name = document.createElement('span');
      name.className = 'fname';
      name.textContent = `${f.feature}${f.gloss ? ' — ' + f.gloss : ''}`;
      const val = s.judged['feature:' + f.feature];
      row.append(
        name,
        button('Correct', `feature ${f.feature}: correct`, 'feature', { feature: f.feature, value: 'correct', k: String(k) }, val === 'correct'),
        button('Wrong', `feature ${f.feature}: wrong`, 'feature', { feature: f.feature, value: 'wrong', k: String(k) }, val === 'wrong'),
      );
      li.append(row);
      list.append(li);
    });
  }

  /** Move to another sample: the status line belongs to the sample it was about. */
  function go(to) {
    if (!samples.length) return;
    const next = Math.max(0, Math.min(samples.length - 1, to));
    if (next !== i) status('');
    i = next;
    focus = 0;
    render();
  }

  async function judge(question, value, feature) {
    const s = samples[i];
    if (!s) return;
    try {
      await api('/api/judgments', { sample_id: s.id, question, value, feature: feature || '' });
      s.judged[question === 'feature' ? 'feature:' + feature : question] = value;
      if (samples[i] === s) status(`saved: ${question}${feature ? ' ' + feature : ''} = ${value}`);
      render();
    } catch (e) {
      status(`not saved: ${e.message}`);
    }
  }

  async function undo() {
    try {
      const r = await api('/api/undo', {});
      if (!r.undone) return status('nothing to undo');
      const s = samples.find((x) => x.id === r.undone.sample_id);
      const fresh = (await api('/api/samples')).samples.find((x) => x.id === r.undone.sample_id);
      if (s && fresh) s.judged = fresh.judged;
      status(`undone: ${r.undone.question}${r.undone.feature ? ' ' + r.undone.feature : ''}${s && s !== samples[i] ? ` (sample ${r.undone.sample_id})` : ''}`);
      render();
    } catch (e) {
      status(`undo failed: ${e.message}`);
    }
  }

  async function logout() {
    try {
      await api('/logout', {});
    } catch {
      // signed out either way
    }
    location.href = '/login';
  }

  document.addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-action]');
    if (!b || b.disabled) return;
    const a = b.dataset.action;
    if (a === 'judge') judge(b.dataset.question, b.dataset.value);
    else if (a === 'feature') {
      focus = Number(b.dataset.k);
      judge('feature', b.dataset.value, b.dataset.feature);
    } else if (a === 'next') go(i + 1);
    else if (a === 'prev') go(i - 1);
    else if (a === 'undo') undo();
    else if (a === 'logout') logout();
  });

  document.addEventListener('keydown', (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const s = samples[i];
    const k = ev.key;
    if (k === '1') judge('locale', 'right');
    else if (k === '2') judge('locale', 'wrong');
    else if (k === '3') judge('colloquial', 'yes');
    else if (k === '4') judge('colloquial', 'no');
    else if (k === 'f' && s && s.features.length) {
      focus = (focus + 1) % s.features.length;
      render();
    } else if (k === 'c' && s && s.features[focus]) judge('feature', 'correct', s.features[focus].feature);
    else if (k === 'x' && s && s.features[focus]) judge('feature', 'wrong', s.features[focus].feature);
    else if (k === 'n') go(i + 1);
    else if (k === 'p') go(i - 1);
    else if (k === 'u') undo();
    else return;
    ev.preventDefault();
  });

  api('/api/samples')
    .then((j) => {
      samples = j.samples;
      render();
      status('ready — buttons, or keys: 1/2 locale, 3/4 colloquial, f/c/x features, n/p, u');
    })
    .catch((e) => status(`could not load samples: ${e.message}`));
})();
