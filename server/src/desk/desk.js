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
