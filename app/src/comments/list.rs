use leptos::prelude::*;

use super::Comment;
use crate::articles::card::PublishedDate;

/// The comments heading with its count, then the threads, oldest first.
#[component]
pub fn CommentSection(comments: Vec<Comment>) -> impl IntoView {
    let heading = match comments.len() {
        0 => "No comments yet".to_string(),
        1 => "1 comment".to_string(),
        n => format!("{n} comments"),
    };
    let threads = thread(&comments, None);
    view! {
        <section class="comments" id="comments" aria-labelledby="comments-heading">
            <h2 id="comments-heading">{heading}</h2>
            {(!threads.is_empty()).then(|| view! { <CommentThreads threads/> })}
            // reply form: "Leave a reply" lands here (comments issue)
        </section>
    }
}

/// A comment with its replies, as the page nests them.
#[derive(Clone, Debug)]
struct Thread {
    comment: Comment,
    replies: Vec<Thread>,
}

fn thread(all: &[Comment], parent: Option<i64>) -> Vec<Thread> {
    all.iter()
        .filter(|c| c.parent_id == parent)
        .map(|c| Thread { comment: c.clone(), replies: thread(all, Some(c.id)) })
        .collect()
}

#[component]
fn CommentThreads(threads: Vec<Thread>) -> impl IntoView {
    view! {
        <ol class="comment-list">
            {threads.into_iter().map(|t| view! { <CommentItem thread=t/> }).collect_view()}
        </ol>
    }
}

#[component]
fn CommentItem(thread: Thread) -> AnyView {
    let Thread { comment, replies } = thread;
    let author = match comment.author_url {
        Some(url) => view! { <a href=url rel="nofollow ugc noopener">{comment.author_name}</a> }.into_any(),
        None => view! { <span>{comment.author_name}</span> }.into_any(),
    };
    view! {
        <li class="comment" id=format!("comment-{}", comment.id)>
            <article>
                <header class="comment-meta">
                    <span class="comment-author">{author}</span>
                    " · "
                    <a href=format!("#comment-{}", comment.id)><PublishedDate published=comment.published/></a>
                </header>
                <div class="comment-body">{paragraphs(&comment.body)}</div>
            </article>
            {(!replies.is_empty()).then(|| view! { <CommentThreads threads=replies/> })}
        </li>
    }
    .into_any()
}

/// Reader text as paragraphs with line breaks kept. Leptos escapes every piece, so nothing a
/// reader types is ever rendered as markup.
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
                        .map(|(i, line)| view! { {line} {(i < last).then(|| view! { <br/> })} })
                        .collect_view()}
                </p>
            }
        })
        .collect_view()
}
