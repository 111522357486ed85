use leptos::html::{Input, Textarea};
use leptos::prelude::*;

use super::input::{CommentForm, Field, FieldError, NewComment, MAX_NAME_CHARS, MAX_WEBSITE_CHARS};
use super::outcome::{CommentError, Posted};
use super::post::PostComment;
use super::reader::ReaderState;
use crate::core::email::MAX_EMAIL_CHARS;
use crate::core::form::textarea_text;
use crate::core::{paths, Slug};

/// Shown after posting with "Notify me…" ticked, whatever the server knew about the address.
const FOLLOW_NOTE: &str = "We'll mail you when someone replies (the first time, we ask you to confirm by mail).";

/// "Leave a reply": an `ActionForm`, so without JavaScript it is a plain form post (answered
/// with post-redirect-get) and with it the comment appears in place.
#[component]
pub fn ReplyForm(
    article: Slug,
    reader: ReaderState,
    /// Saved details the app fetched after the page arrived; they fill fields still empty.
    fetched: ReadSignal<Option<ReaderState>>,
    reply_to: Signal<Option<(i64, String)>>,
    on_posted: Callback<Posted>,
) -> impl IntoView {
    let action = ServerAction::<PostComment>::new();
    let ReaderState { form: typed, remembered, error, .. } = reader;
    let field_errors = RwSignal::new(error.as_ref().map(|e| e.field_errors().to_vec()).unwrap_or_default());
    let problem = RwSignal::new(error.as_ref().map(ToString::to_string));
    let thanks = RwSignal::new(None::<String>);
    let comment_ref = NodeRef::<Textarea>::new();
    let author_ref = NodeRef::<Input>::new();
    let email_ref = NodeRef::<Input>::new();
    let url_ref = NodeRef::<Input>::new();
    let status_ref = NodeRef::<leptos::html::P>::new();
    let remember_ref = NodeRef::<Input>::new();
    let notify_ref = NodeRef::<Input>::new();

    Effect::new(move |_| {
        let Some(saved) = fetched.get().filter(|s| s.remembered) else { return };
        for (field, value) in
            [(author_ref, &saved.form.author), (email_ref, &saved.form.email), (url_ref, &saved.form.url)]
        {
            // What the reader already typed wins.
            if let Some(input) = field.get_untracked().filter(|i| i.value().is_empty()) {
                input.set_value(value);
            }
        }
        if let Some(remember) = remember_ref.get_untracked() {
            remember.set_checked(true);
        }
    });

    Effect::new(move |_| {
        let Some(result) = action.value().get() else { return };
        match result {
            Ok(posted) => {
                if let Some(comment) = comment_ref.get_untracked() {
                    comment.set_value("");
                }
                field_errors.set(Vec::new());
                problem.set(None);
                let shown = if posted.pending {
                    "Thanks! Your comment is awaiting moderation."
                } else {
                    "Thanks! Your comment has been published."
                };
                // The same words whether or not the address was known (no enumeration).
                let follows = notify_ref.get_untracked().is_some_and(|n| n.checked());
                thanks.set(Some(if follows { format!("{shown} {FOLLOW_NOTE}") } else { shown.to_owned() }));
                on_posted.run(posted);
                if let Some(status) = status_ref.get_untracked() {
                    let _ = status.focus();
                }
            }
            Err(error) => {
                thanks.set(None);
                field_errors.set(error.field_errors().to_vec());
                problem.set(Some(error.to_string()));
                focus_first_problem(error.field_errors(), comment_ref, author_ref, email_ref, url_ref);
            }
        }
    });

    // Instant check in the browser with the server's own rules; the server still decides.
    let check_before_sending = move |ev: leptos::ev::MouseEvent| {
        let value = |r: NodeRef<Input>| r.get_untracked().map(|e| e.value()).unwrap_or_default();
        let form = CommentForm {
            comment: comment_ref.get_untracked().map(|e| e.value()).unwrap_or_default(),
            author: value(author_ref),
            email: value(email_ref),
            url: value(url_ref),
            parent_id: None,
            notify: false,
        };
        if let Err(errors) = NewComment::parse(&form) {
            ev.prevent_default();
            thanks.set(None);
            problem.set(Some(CommentError::Invalid(Vec::new()).to_string()));
            focus_first_problem(&errors, comment_ref, author_ref, email_ref, url_ref);
            field_errors.set(errors);
        }
    };

    let error_for = move |field: Field| {
        move || field_errors.with(|errors| errors.iter().find(|e| e.field == field).map(|e| e.message.clone()))
    };
    let invalid = move |field: Field| {
        move || field_errors.with(|errors| errors.iter().any(|e| e.field == field)).then_some("true")
    };
    // `try_get`: a render abandoned halfway (its reader hung up) disposes the page's signals
    // while its last closures still run; reading one then must not panic the server's task.
    let reply_to = move || reply_to.try_get().flatten();
    let heading = move || match reply_to() {
        Some((_, name)) => format!("Reply to {name}"),
        None => "Leave a reply".to_string(),
    };
    let pending = action.pending();
    let cancel_href = paths::reply_form(&article, None);
    let cancel = {
        let (href, reply) = (cancel_href.clone(), use_context::<super::list::ReplyTo>());
        move |ev| {
            if let Some(reply) = reply {
                reply.follow(ev, &href, None);
            }
        }
    };

    view! {
        <div class="respond" id="respond">
            <h3 id="reply-title">{heading}</h3>
            {move || reply_to().map(|_| view! { <p class="cancel-reply"><a href=cancel_href.clone() rel="nofollow" on:click=cancel.clone()>"Cancel reply"</a></p> })}
            <p class="form-note">"Your email address will not be published. Required fields are marked *"</p>
            <ActionForm action attr:novalidate=true attr:aria-labelledby="reply-title">
                <input type="hidden" name="article" value=article.to_string()/>
                <input type="hidden" name="parent_id" value=move || reply_to().map(|(id, _)| id.to_string()).unwrap_or_default()/>
                <p class="form-problem" role="alert">{move || problem.get()}</p>
                <div class="field">
                    <label for="comment">"Comment *"</label>
                    <textarea id="comment" name="comment" rows="7" node_ref=comment_ref
                        aria-invalid=invalid(Field::Comment) aria-describedby="comment-error">{textarea_text(typed.comment)}</textarea>
                    <p class="field-error" id="comment-error">{error_for(Field::Comment)}</p>
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="author">"Name *"</label>
                        <input id="author" name="author" type="text" autocomplete="name" maxlength=MAX_NAME_CHARS node_ref=author_ref
                            value=typed.author aria-invalid=invalid(Field::Author) aria-describedby="author-error"/>
                        <p class="field-error" id="author-error">{error_for(Field::Author)}</p>
                    </div>
                    <div class="field">
                        <label for="email">"Email *"</label>
                        <input id="email" name="email" type="email" autocomplete="email" maxlength=MAX_EMAIL_CHARS node_ref=email_ref
                            value=typed.email aria-invalid=invalid(Field::Email) aria-describedby="email-error"/>
                        <p class="field-error" id="email-error">{error_for(Field::Email)}</p>
                    </div>
                    <div class="field">
                        <label for="url">"Website"</label>
                        <input id="url" name="url" type="url" autocomplete="url" maxlength=MAX_WEBSITE_CHARS node_ref=url_ref
                            value=typed.url aria-invalid=invalid(Field::Url) aria-describedby="url-error"/>
                        <p class="field-error" id="url-error">{error_for(Field::Url)}</p>
                    </div>
                </div>
                // Humans never see or fill this; bots that fill every field are binned as spam.
                <p class="trap" aria-hidden="true">
                    <label>"Leave this empty" <input name="phone" type="text" tabindex="-1" autocomplete="off"/></label>
                </p>
                <p class="remember">
                    <input id="remember" name="remember" type="checkbox" value="yes" checked=remembered node_ref=remember_ref/>
                    <label for="remember">"Save my name, email, and website in this browser for the next time I comment."</label>
                </p>
                <p class="remember">
                    <input id="notify" name="notify" type="checkbox" value="yes" checked=typed.notify node_ref=notify_ref/>
                    <label for="notify">"Notify me of follow-up comments by email"</label>
                </p>
                <p class="submit">
                    <button type="submit" on:click=check_before_sending disabled=move || pending.get()>"Post Comment"</button>
                </p>
                <p class="form-thanks" role="status" aria-live="polite" tabindex="-1" node_ref=status_ref>{move || thanks.get()}</p>
            </ActionForm>
        </div>
    }
}

fn focus_first_problem(
    errors: &[FieldError],
    comment: NodeRef<Textarea>,
    author: NodeRef<Input>,
    email: NodeRef<Input>,
    url: NodeRef<Input>,
) {
    let _ = match errors.first().map(|e| e.field) {
        Some(Field::Comment) => comment.get_untracked().map(|e| e.focus()),
        Some(Field::Author) => author.get_untracked().map(|e| e.focus()),
        Some(Field::Email) => email.get_untracked().map(|e| e.focus()),
        Some(Field::Url) => url.get_untracked().map(|e| e.focus()),
        None => None,
    };
}
