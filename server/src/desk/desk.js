// The moderation queue without page loads. Without this script every action is a plain form
// post with post-redirect-get, and that stays the fallback: here the same posts go through
// fetch, the page that comes back replaces the old one in place, and the queue refreshes itself
// when comments arrive or change anywhere (the server's event stream says when).
(() => {
  'use strict';
  let busy = false;
  let again = false;

  const content = () => document.getElementById('content');
  const liveQueue = () => document.querySelector('#content [data-live-queue]');

  // Puts the page `response` carries in place of this one; false when it is not a desk page.
  async function swap(response, remember) {
    const next = new DOMParser().parseFromString(await response.text(), 'text/html');
    const fresh = next.getElementById('content');
    if (!fresh) return false;
    document.title = next.title;
    content().replaceWith(document.adoptNode(fresh));
    if (remember && response.url && response.url !== location.href) history.pushState(null, '', response.url);
    return true;
  }

  document.addEventListener('submit', async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.getAttribute('method') || '').toLowerCase() !== 'post') return;
    if (!form.closest('[data-live-queue]') || form.dataset.plain) return;
    event.preventDefault();
    if (busy) return;
    busy = true;
    const submitter = event.submitter;
    try {
      // getAttribute: `form.action` would be the form's own field named "action".
      const response = await fetch(form.getAttribute('action') || location.href, {
        method: 'POST',
        body: new URLSearchParams(new FormData(form, submitter)),
        credentials: 'same-origin',
      });
      if (!(await swap(response, true))) throw new Error('not a desk page');
      const said = document.querySelector('#content [role=status], #content .form-problem[role=alert]:not(:empty)');
      if (said) {
        said.setAttribute('tabindex', '-1');
        said.focus();
      }
    } catch {
      // Whatever went wrong, the plain form post still works.
      form.dataset.plain = '1';
      form.requestSubmit(submitter);
    } finally {
      busy = false;
      if (again) refresh();
    }
  });

  // Fetches this queue page again and swaps it in, keeping what the moderator had chosen,
  // typed and focused.
  async function refresh() {
    again = false;
    if (!liveQueue()) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    const checked = new Set([...document.querySelectorAll('#content input[name=id]:checked')].map((i) => i.value));
    const typed = [...document.querySelectorAll('#content input[type=text], #content input[type=search]')].map((i) => [i.id, i.value]);
    const focused = document.activeElement && document.activeElement.id;
    try {
      const response = await fetch(location.href, { credentials: 'same-origin' });
      if (response.ok && !response.redirected && (await swap(response, false))) {
        document.querySelectorAll('#content input[name=id]').forEach((box) => {
          box.checked = checked.has(box.value);
        });
        for (const [id, value] of typed) {
          const field = id && document.getElementById(id);
          if (field) field.value = value;
        }
        const back = focused && document.getElementById(focused);
        if (back) back.focus();
      }
    } catch {
      // The next change tries again.
    } finally {
      busy = false;
      if (again) refresh();
    }
  }

  const queue = liveQueue();
  if (queue && 'EventSource' in window) {
    const source = new EventSource(queue.dataset.liveQueue);
    source.addEventListener('queue', refresh);
  }
})();

// The story editor. Without this script it is a plain form (preview as a button, pictures
// through a file field, post-redirect-get). Here: the preview follows the typing, saving and
// publishing happen without a page load, pictures can be dropped on the text, the typed text is
// kept in this browser until it is saved (a closed tab or an ended session loses nothing), and
// leaving with unsaved changes asks first.
(() => {
  'use strict';
  const form = () => document.getElementById('story-form');
  if (!form()) return;
  // One kept copy per story (a new story's until its first save).
  const key = () => 'desk-story:' + (form().getAttribute('action') || location.pathname);
  const fields = ['title', 'slug', 'summary', 'section', 'tags', 'author', 'image', 'markdown', 'publish_at'];
  let dirty = false;
  let previewTimer;

  const values = () => Object.fromEntries(fields.map((id) => [id, document.getElementById(id)?.value ?? '']));
  const remember = () => {
    dirty = true;
    try {
      localStorage.setItem(key(), JSON.stringify({ at: Date.now(), values: values() }));
    } catch {
      // A full or disabled storage only loses the safety copy.
    }
  };
  const forget = () => {
    dirty = false;
    localStorage.removeItem(key());
  };
  const say = (text, problem) => {
    let note = document.getElementById('story-script-note');
    if (!note) {
      note = document.createElement('p');
      note.id = 'story-script-note';
      form().before(note);
    }
    note.className = problem ? 'form-problem' : 'form-notice';
    note.setAttribute('role', problem ? 'alert' : 'status');
    note.textContent = text;
  };

  // Offers back the text this browser kept when it differs from what the page shows.
  function offerKept() {
    let kept;
    try {
      kept = JSON.parse(localStorage.getItem(key()) || 'null');
    } catch {
      kept = null;
    }
    if (!kept || JSON.stringify(kept.values) === JSON.stringify(values())) return;
    const box = document.createElement('div');
    box.id = 'story-kept';
    box.className = 'form-notice';
    box.setAttribute('role', 'status');
    const when = new Date(kept.at).toLocaleString();
    box.innerHTML = '<p></p><button type="button" data-kept="restore">Put my unsaved text back</button> <button type="button" data-kept="drop">Discard it</button>';
    box.querySelector('p').textContent = `Text you typed here at ${when} was not saved; this browser kept it.`;
    box.addEventListener('click', (event) => {
      const choice = event.target.dataset?.kept;
      if (!choice) return;
      if (choice === 'restore') {
        for (const [id, value] of Object.entries(kept.values)) {
          const field = document.getElementById(id);
          if (field) field.value = value;
        }
        dirty = true;
        schedulePreview();
      } else {
        forget();
      }
      box.remove();
    });
    form().before(box);
  }

  async function post(submitter) {
    const response = await fetch(form().getAttribute('action'), {
      method: 'POST',
      body: new URLSearchParams(new FormData(form(), submitter)),
      credentials: 'same-origin',
    });
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    return { response, page, content: page.getElementById('content') };
  }

  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(preview, 400);
  }

  async function preview() {
    const button = form().querySelector('button[value=preview]');
    try {
      const { page } = await post(button);
      const fresh = page.getElementById('preview');
      const old = document.getElementById('preview');
      if (fresh && old) old.replaceWith(document.adoptNode(fresh));
      else if (fresh) form().after(document.adoptNode(fresh));
    } catch {
      // The Preview button still works.
    }
  }

  document.addEventListener('input', (event) => {
    if (!event.target.closest?.('#story-form') || event.target.id === 'picture') return;
    remember();
    schedulePreview();
  });

  document.addEventListener('submit', async (event) => {
    if (event.target !== form() || form().dataset.plain) return;
    const submitter = event.submitter;
    // The file goes with the whole form, as without script; the page preview opens in a new tab.
    if (submitter?.value === 'picture' || submitter?.value === 'page-preview') return;
    event.preventDefault();
    if (submitter?.value === 'preview') return preview();
    try {
      const { response, page, content } = await post(submitter);
      if (new URL(response.url).pathname.startsWith('/admin/sign-in')) {
        say('You were signed out, so nothing was saved. Your text is kept in this browser: sign in again (in another tab), then save here again.', true);
        return;
      }
      if (!content) throw new Error('not a desk page');
      if (response.ok) forget();
      document.title = page.title;
      document.getElementById('content').replaceWith(document.adoptNode(content));
      if (response.url !== location.href) history.replaceState(null, '', response.url);
      if (!response.ok) remember(); // refused: the text is still only here
      const said = document.querySelector('#content [role=status], #content [role=alert]');
      if (said) {
        said.setAttribute('tabindex', '-1');
        said.focus();
      }
    } catch {
      form().dataset.plain = '1';
      form().requestSubmit(submitter);
    }
  });

  // Pictures: chosen in the file field or dropped on the text, uploaded at once, their
  // Markdown put where the cursor is.
  async function upload(file) {
    const data = new FormData();
    data.append('token', form().querySelector('input[name=token]').value);
    const story = form().querySelector('input[name=story]');
    if (story) data.append('story', story.value);
    data.append('alt', document.getElementById('alt')?.value ?? '');
    data.append('picture', file);
    say(`Uploading ${file.name}…`);
    try {
      const response = await fetch('/admin/pictures', {
        method: 'POST',
        body: data,
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
      });
      const answer = await response.json().catch(() => ({ error: 'The upload failed. Please try again.' }));
      if (!response.ok || answer.error) return say(answer.error || 'The upload failed. Please try again.', true);
      const text = document.getElementById('markdown');
      const at = text.selectionStart ?? text.value.length;
      text.setRangeText(`\n\n${answer.markdown}\n\n`, at, text.selectionEnd ?? at, 'end');
      document.getElementById('picture').value = '';
      document.getElementById('alt').value = '';
      say(answer.warning || 'The picture is in the text. Save to keep it.', Boolean(answer.warning));
      remember();
      schedulePreview();
    } catch {
      say('The upload failed (no connection?). Please try again.', true);
    }
  }

  document.addEventListener('change', (event) => {
    if (event.target.id === 'picture' && event.target.files?.[0]) upload(event.target.files[0]);
  });
  document.addEventListener('dragover', (event) => {
    if (event.target.id === 'markdown') event.preventDefault();
  });
  document.addEventListener('drop', (event) => {
    if (event.target.id !== 'markdown' || !event.dataTransfer?.files?.length) return;
    event.preventDefault();
    upload(event.dataTransfer.files[0]);
  });

  window.addEventListener('beforeunload', (event) => {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = '';
  });

  offerKept();
})();
