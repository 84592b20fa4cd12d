// vernacular review page: keyboard-first judging. Post text is only ever set with textContent.
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
    const j = await r.json();
    if (!r.ok) throw new Error(j.error || r.status);
    return j;
  }

  function render() {
    const s = samples[i];
    if (!s) {
      $('counter').textContent = 'no samples';
      return;
    }
    $('counter').textContent = `sample ${i + 1} of ${samples.length}`;
    $('locale').textContent = s.locale;
    $('sid').textContent = s.id;
    const judged = Object.keys(samples.filter((x) => Object.keys(x.judged).length).reduce((a, x) => ((a[x.id] = 1), a), {})).length;
    $('progress').textContent = `${judged}/${samples.length} judged`;
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
    $('a-locale').textContent = s.judged.locale || '–';
    $('a-colloquial').textContent = s.judged.colloquial || '–';
    const list = $('features');
    list.replaceChildren();
    s.features.forEach((f, k) => {
      const li = document.createElement('li');
      if (k === focus) li.className = 'focus';
      const name = document.createElement('span');
      name.textContent = `${f.feature}${f.gloss ? ' — ' + f.gloss : ''} `;
      const v = document.createElement('span');
      const val = s.judged['feature:' + f.feature];
      v.textContent = val || '–';
      if (val) v.className = val;
      li.append(name, v);
      list.append(li);
    });
  }

  async function judge(question, value, feature) {
    const s = samples[i];
    if (!s) return;
    try {
      await api('/api/judgments', { sample_id: s.id, question, value, feature: feature || '' });
      s.judged[question === 'feature' ? 'feature:' + feature : question] = value;
      status(`saved: ${question}${feature ? ' ' + feature : ''} = ${value}`);
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
      status(`undone: ${r.undone.question}${r.undone.feature ? ' ' + r.undone.feature : ''}`);
      render();
    } catch (e) {
      status(`undo failed: ${e.message}`);
    }
  }

  document.addEventListener('keydown', (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const s = samples[i];
    const k = ev.key;
    if (k === '1') judge('locale', 'right');
    else if (k === '2') judge('locale', 'wrong');
    else if (k === '3') judge('colloquial', 'yes');
    else if (k === '4') judge('colloquial', 'no');
    else if ((k === 'f' || k === 'Tab') && s && s.features.length) {
      focus = (focus + 1) % s.features.length;
      render();
    } else if (k === 'c' && s && s.features[focus]) judge('feature', 'correct', s.features[focus].feature);
    else if (k === 'x' && s && s.features[focus]) judge('feature', 'wrong', s.features[focus].feature);
    else if (k === 'n') {
      i = Math.min(samples.length - 1, i + 1);
      focus = 0;
      render();
    } else if (k === 'p') {
      i = Math.max(0, i - 1);
      focus = 0;
      render();
    } else if (k === 'u') undo();
    else return;
    ev.preventDefault();
  });

  api('/api/samples')
    .then((j) => {
      samples = j.samples;
      render();
      status('ready — keys: 1/2 locale, 3/4 colloquial, f/c/x features, n/p, u');
    })
    .catch((e) => status(`could not load samples: ${e.message}`));
})();
