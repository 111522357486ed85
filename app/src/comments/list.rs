use std::collections::HashSet;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::form::ReplyForm;
use super::input::looks_like_link;
use super::outcome::Posted;
use super::reader::ReaderState;
use super::types::{Comment, CommentPage};
use crate::core::{PublishedDate, Slug};

/// Replies deeper than this attach to their ancestor at this depth.
pub const MAX_DEPTH: usize = 5;

/// The comments heading with its count, the threads oldest first, and "Leave a reply".
/// `?replytocom={id}` sets the form up as a reply, with or without JavaScript.
#[component]
pub fn CommentSection(
    article: Slug,
    article_id: i64,
    comments: Vec<Comment>,
    comment_page: CommentPage,
    reader: ReaderState,
) -> impl IntoView {
    let asked = use_query_map().with_untracked(|q| q.get("replytocom")?.parse::<i64>().ok());
    let reply_to = asked.and_then(|id| comments.iter().find(|c| c.id == id).map(|c| (c.id, c.author_name.clone())));
    // Type-erased: the article page's view type is otherwise too deep to compile unerased.
    view! { <Comments article article_id comments comment_page reader reply_to/> }.into_any()
}

/// Which comment the form answers. Once the app runs, the Reply and Cancel links change it in
/// place, so what the reader typed stays in the form. The address changes with it (replaced,
/// not a new history entry: Back leaves the page, as the form's choice is not a page).
#[derive(Clone, Copy)]
pub(crate) struct ReplyTo(pub RwSignal<Option<(i64, String)>>);

impl ReplyTo {
    /// Follows a Reply or Cancel link without leaving the page (a plain click only: a new tab
    /// is the browser's), then puts the keyboard in the comment field, as following the link
    /// to `#respond` without JavaScript would bring the reader to the form.
    pub fn follow(self, ev: leptos::ev::MouseEvent, href: &str, to: Option<(i64, String)>) {
        if ev.button() != 0 || ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key() {
            return;
        }
        ev.prevent_default();
        self.0.set(to);
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if let Ok(history) = window().history() {
                // The entry's state (its scroll position key) stays.
                let state = history.state().unwrap_or(wasm_bindgen::JsValue::NULL);
                let _ = history.replace_state_with_url(&state, "", Some(href));
            }
            if let Some(form) = document().get_element_by_id("respond") {
                form.scroll_into_view();
            }
            if let Some(field) =
                document().get_element_by_id("comment").and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = field.focus();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = href;
    }
}

/// The section itself: an island, the part of the article page the app runs (live comments,
/// posting in place, the reader's own comments awaiting moderation).
#[island]
fn Comments(
    article: Slug,
    article_id: i64,
    comments: Vec<Comment>,
    comment_page: CommentPage,
    reader: ReaderState,
    reply_to: Option<(i64, String)>,
) -> impl IntoView {
    crate::core::end_with_the_page();
    let reply_to = RwSignal::new(reply_to);
    provide_context(ReplyTo(reply_to));
    // Approved comments of this page, plus new ones as they are posted here or elsewhere.
    let shown_at_start = comments.len() as i64;
    let approved = RwSignal::new(comments);
    let own_pending = RwSignal::new(reader.own_pending.clone());
    // The shared page carries nothing of this reader's: the app asks for it (saved details go
    // to the form, their comments awaiting moderation join the list).
    let fetched = RwSignal::new(None::<ReaderState>);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            let Ok(mine) = super::reader::own_comments(article_id).await else { return };
            own_pending.update(|list| {
                let new: Vec<Comment> =
                    mine.own_pending.iter().filter(|c| list.iter().all(|l| l.id != c.id)).cloned().collect();
                list.extend(new);
            });
            fetched.set(Some(mine));
        });
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = article_id;
    let heading = move || match comment_page.total + approved.with(Vec::len) as i64 - shown_at_start {
        0 => "No comments yet".to_string(),
        1 => "1 comment".to_string(),
        n => format!("{n} comments"),
    };
    let on_posted = Callback::new(move |posted: Posted| {
        if posted.pending {
            own_pending.update(|list| list.push(posted.comment));
        } else if approved.with_untracked(|list| list.iter().all(|c| c.id != posted.comment.id)) {
            approved.update(|list| list.push(posted.comment));
        }
    });
    // Comments other readers post while this page is open join the list in their thread (below
    // what is being read), announced politely.
    let arrived_count = RwSignal::new(0usize);
    super::live::listen(
        article.clone(),
        Callback::new(move |comment: Comment| {
            if approved.with_untracked(|list| list.iter().all(|c| c.id != comment.id)) {
                approved.update(|list| list.push(comment));
                arrived_count.update(|n| *n += 1);
            }
        }),
    );
    let arrived_note = move || match arrived_count.get() {
        0 => String::new(),
        1 => "1 new comment".to_string(),
        n => format!("{n} new comments"),
    };
    let threads = move || {
        let pending_ids: HashSet<i64> = own_pending.with(|p| p.iter().map(|c| c.id).collect());
        let mut all = approved.get();
        all.extend(own_pending.get());
        let threads = thread(&all, None, 1);
        (!threads.is_empty()).then(|| view! { <CommentThreads threads pending_ids/> })
    };
    view! {
        <section class="comments" id="comments" aria-labelledby="comments-heading">
            <h2 id="comments-heading">{heading}</h2>
            <p class="live-note" role="status" aria-live="polite">{arrived_note}</p>
            {threads}
            {(comment_page.pages > 1).then(|| view! { <CommentPager article=article.clone() at=comment_page/> })}
            <ReplyForm article reader fetched=fetched.read_only() reply_to=reply_to.into() on_posted/>
        </section>
    }
}

/// Older and newer pages of a long discussion.
#[component]
fn CommentPager(article: Slug, at: CommentPage) -> impl IntoView {
    let href = move |n: i64| format!("{}?cpage={n}#comments", crate::core::paths::article(&article));
    view! {
        <nav class="pagination comment-pages" aria-label="Comment pages">
            {(at.page > 1).then(|| view! { <a rel="prev" href=href(at.page - 1)>"← Earlier comments"</a> })}
            <span class="page-of">{format!("Comments page {} of {}", at.page, at.pages)}</span>
            {(at.page < at.pages).then(|| view! { <a rel="next" href=href(at.page + 1)>"Later comments →"</a> })}
        </nav>
    }
}

/// A comment with its replies, as the page nests them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Thread {
    pub comment: Comment,
    pub replies: Vec<Thread>,
}

/// Builds the threads under `parent`. At `MAX_DEPTH` every further descendant becomes a
/// direct reply of the comment there, oldest first.
pub(crate) fn thread(all: &[Comment], parent: Option<i64>, depth: usize) -> Vec<Thread> {
    all.iter()
        .filter(|c| c.parent_id == parent)
        .map(|c| {
            let replies = if depth < MAX_DEPTH {
                thread(all, Some(c.id), depth + 1)
            } else {
                let mut flat: Vec<Thread> = descendants(all, c.id)
                    .into_iter()
                    .map(|d| Thread { comment: d.clone(), replies: Vec::new() })
                    .collect();
                flat.sort_by(|a, b| {
                    (&a.comment.published.iso, a.comment.id).cmp(&(&b.comment.published.iso, b.comment.id))
                });
                flat
            };
            Thread { comment: c.clone(), replies }
        })
        .collect()
}

fn descendants(all: &[Comment], id: i64) -> Vec<&Comment> {
    let mut out = Vec::new();
    for child in all.iter().filter(|c| c.parent_id == Some(id)) {
        out.push(child);
        out.extend(descendants(all, child.id));
    }
    out
}

#[component]
fn CommentThreads(threads: Vec<Thread>, pending_ids: HashSet<i64>) -> impl IntoView {
    view! {
        <ol class="comment-list">
            {threads.into_iter().map(|t| view! { <CommentItem thread=t pending_ids=pending_ids.clone()/> }).collect_view()}
        </ol>
    }
}

#[component]
fn CommentItem(thread: Thread, pending_ids: HashSet<i64>) -> AnyView {
    let Thread { comment, replies } = thread;
    let pending = pending_ids.contains(&comment.id);
    let author = match comment.author_url.clone() {
        Some(url) => view! { <a href=url rel="nofollow ugc noopener">{comment.author_name.clone()}</a> }.into_any(),
        None => view! { <span>{comment.author_name.clone()}</span> }.into_any(),
    };
    let id = comment.id;
    let reply_href = format!("?replytocom={id}#respond");
    let follow = {
        let (href, name, reply) = (reply_href.clone(), comment.author_name.clone(), use_context::<ReplyTo>());
        move |ev| {
            if let Some(reply) = reply {
                reply.follow(ev, &href, Some((id, name.clone())));
            }
        }
    };
    view! {
        <li class="comment" class:pending=pending id=format!("comment-{id}")>
            <article>
                <header class="comment-meta">
                    <span class="comment-author">{author}</span>
                    {comment.staff.then(|| view! { " " <span class="staff-mark">"Staff"</span> })}
                    " · "
                    <a href=format!("#comment-{id}")><PublishedDate published=comment.published/></a>
                </header>
                {pending.then(|| view! { <p class="moderation-note">"Your comment is awaiting moderation."</p> })}
                <div class="comment-body">{paragraphs(&comment.body)}</div>
                {(!pending).then(|| view! {
                    <a class="reply-link" rel="nofollow" href=reply_href.clone() on:click=follow.clone()>"Reply"</a>
                })}
            </article>
            {(!replies.is_empty()).then(|| view! { <CommentThreads threads=replies pending_ids/> })}
        </li>
    }
    .into_any()
}

/// Reader text as paragraphs with line breaks kept and bare web addresses linked. Leptos
/// escapes every piece, so nothing a reader types is ever rendered as markup.
fn paragraphs(body: &str) -> impl IntoView {
    body.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lines: Vec<String> = p.lines().map(str::to_owned).collect();
            let last = lines.len() - 1;
            view! {
                <p>
                    {lines
                        .into_iter()
                        .enumerate()
                        .map(|(i, line)| view! { {linkify(&line)} {(i < last).then(|| view! { <br/> })} })
                        .collect_view()}
                </p>
            }
        })
        .collect_view()
}

/// Splits a line into text and links. Only http(s) and www. addresses become links; trailing
/// punctuation stays text.
fn linkify(line: &str) -> Vec<AnyView> {
    // Most lines hold no address: one text node, without rebuilding the line word by word.
    // Every address has "://" or "www." (any case) in it: three substring searches settle most
    // lines before any word is looked at.
    let may_link = line.contains("://") || line.contains("w.") || line.contains("W.");
    if !may_link || !line.split(' ').any(looks_like_link) {
        return vec![line.to_owned().into_any()];
    }
    let mut out = Vec::new();
    let mut text = String::new();
    for (i, word) in line.split(' ').enumerate() {
        if i > 0 {
            text.push(' ');
        }
        let core = word.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'']);
        if looks_like_link(core) && !core.starts_with(['(', '<', '"', '\'']) && core.len() > 8 {
            out.push(std::mem::take(&mut text).into_any());
            let href =
                if core.to_ascii_lowercase().starts_with("www.") { format!("https://{core}") } else { core.to_owned() };
            out.push(view! { <a href=href rel="nofollow ugc noopener">{core.to_owned()}</a> }.into_any());
            text.push_str(&word[core.len()..]);
        } else {
            text.push_str(word);
        }
    }
    out.push(text.into_any());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Published;

    fn c(id: i64, parent: Option<i64>) -> Comment {
        Comment {
            id,
            parent_id: parent,
            author_name: format!("n{id}"),
            author_url: None,
            body: "b".into(),
            published: Published { iso: format!("2026-11-01T00:00:{id:02}Z"), display: String::new() },
            staff: false,
        }
    }

    fn depth_of(threads: &[Thread], id: i64, depth: usize) -> Option<usize> {
        threads.iter().find_map(|t| if t.comment.id == id { Some(depth) } else { depth_of(&t.replies, id, depth + 1) })
    }

    #[test]
    fn addresses_become_links_and_other_lines_stay_text() {
        let html = |line: &str| linkify(line).into_iter().map(|v| v.to_html()).collect::<String>();
        assert_eq!(html("No address here, www or not: see you at 7."), "No address here, www or not: see you at 7.");
        let upper = html("Timetables at WWW.Example.org.");
        assert!(upper.contains(r#"href="https://WWW.Example.org""#) && upper.ends_with("</a>."), "{upper}");
        let full = html("(details: https://example.org/a?b=1), then");
        assert!(full.contains(r#"href="https://example.org/a?b=1""#), "{full}");
        assert!(html("ftp://example.org/file").starts_with("ftp://"), "only http(s) and www. become links");
    }

    #[test]
    fn replies_nest_up_to_five_levels_then_attach_to_the_fifth() {
        // 1 ← 2 ← 3 ← 4 ← 5 ← 6 ← 7, and 8 a second top-level comment.
        let mut all: Vec<Comment> = (1..=7).map(|i| c(i, (i > 1).then(|| i - 1))).collect();
        all.push(c(8, None));
        let threads = thread(&all, None, 1);
        assert_eq!(threads.len(), 2);
        for id in 1..=5 {
            assert_eq!(depth_of(&threads, id, 1), Some(id as usize));
        }
        assert_eq!(depth_of(&threads, 6, 1), Some(6), "6 is a reply of 5");
        assert_eq!(depth_of(&threads, 7, 1), Some(6), "7 attaches to 5, its depth-5 ancestor");
    }
}
