//! The mails the newsletter sends, composed completely (headers, plain text and HTML) when
//! they are queued, so the outbox holds exactly the bytes that go out.

use lettre::message::{
    header::{HeaderName, HeaderValue},
    Mailbox, MultiPart,
};
use lettre::Message;

use crate::core::{Email, SiteUrl, SITE_NAME};

/// Who the newsletter comes from, and the base of every link in it.
#[derive(Clone, Debug)]
pub struct MailSettings {
    /// `MAIL_FROM`: the sending address; the site name is the sender name.
    pub from: lettre::Address,
    pub site_url: SiteUrl,
}

/// A mail ready for the outbox.
#[derive(Debug)]
pub struct OutgoingMail {
    pub sender: String,
    pub recipient: String,
    pub subject: String,
    pub message: Vec<u8>,
    /// The confirmation link, for the log when mails go to files.
    pub action_url: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("address refused by the mail library: {0}")]
    Address(#[from] lettre::address::AddressError),
    #[error("mail could not be built: {0}")]
    Build(#[from] lettre::error::Error),
}

pub fn confirmation(settings: &MailSettings, to: &Email, confirm_url: &str) -> Result<OutgoingMail, ComposeError> {
    let text = format!(
        "Hello,\n\n\
         someone (we hope you) asked to receive {SITE_NAME}'s newsletter at this address.\n\
         To confirm, open this link:\n\n{confirm_url}\n\n\
         If it wasn't you, ignore this mail: without confirmation you will not hear from us again.\n\n\
         — {SITE_NAME}\n"
    );
    let html = page(&format!(
        "<p>Hello,</p>\
         <p>someone (we hope you) asked to receive {SITE_NAME}'s newsletter at this address.</p>\
         <p><a href=\"{url}\">Confirm my subscription</a></p>\
         <p>Or copy this link into your browser: {url}</p>\
         <p>If it wasn't you, ignore this mail: without confirmation you will not hear from us again.</p>",
        url = attr(confirm_url)
    ));
    let mut mail = compose(settings, to, &format!("Confirm your subscription to {SITE_NAME}"), text, html, None)?;
    mail.action_url = Some(confirm_url.to_owned());
    Ok(mail)
}

pub fn welcome(settings: &MailSettings, to: &Email, unsubscribe_url: &str) -> Result<OutgoingMail, ComposeError> {
    let site = settings.site_url.join("/");
    let text = format!(
        "Welcome!\n\n\
         Your subscription to {SITE_NAME}'s newsletter is confirmed. Our weekly round-up of local\n\
         news will arrive at this address; the latest stories are always at {site}\n\n\
         — {SITE_NAME}\n\n\
         Unsubscribe at any time: {unsubscribe_url}\n"
    );
    let html = page(&format!(
        "<p>Welcome!</p>\
         <p>Your subscription to {SITE_NAME}'s newsletter is confirmed. Our weekly round-up of local news \
         will arrive at this address; the latest stories are always at <a href=\"{site}\">{site}</a>.</p>\
         <p style=\"font-size:small\">Don't want these mails any more? <a href=\"{unsub}\">Unsubscribe</a> with one click.</p>",
        site = attr(&site),
        unsub = attr(unsubscribe_url),
    ));
    compose(settings, to, &format!("Welcome to {SITE_NAME}'s newsletter"), text, html, Some(unsubscribe_url))
}

/// A newsletter (edition or story) for one subscriber, with their own unsubscribe link in the
/// headers and the body.
pub fn newsletter(
    settings: &MailSettings,
    to: &Email,
    letter: &super::edition::Newsletter,
    unsubscribe_url: &str,
) -> Result<OutgoingMail, ComposeError> {
    let (text, html) = letter.for_recipient(unsubscribe_url);
    compose(settings, to, &letter.subject, text, html, Some(unsubscribe_url))
}

/// Tells a moderator which comments wait in the queue. What readers wrote is hostile: it is
/// shown as text (escaped in the HTML part), shortened, and never in a header.
pub fn held_comments(
    settings: &MailSettings,
    to: &Email,
    held: &[crate::comments::queue::HeldComment],
    more: i64,
) -> Result<OutgoingMail, ComposeError> {
    let queue = settings.site_url.join(crate::core::paths::DESK_COMMENTS);
    let total = held.len() as i64 + more;
    let subject = match total {
        1 => format!("{SITE_NAME}: a comment waits for moderation"),
        n => format!("{SITE_NAME}: {n} comments wait for moderation"),
    };
    let excerpt = |body: &str| excerpt(body, 200);
    let mut text = String::from("Held for review since the last mail:\n\n");
    let mut items = String::new();
    for comment in held {
        text.push_str(&format!(
            "#{id} by {author} on \"{article}\":\n  {body}\n\n",
            id = comment.id,
            author = comment.author_name,
            article = comment.article_title,
            body = excerpt(&comment.body),
        ));
        items.push_str(&format!(
            "<li><p><strong>{author}</strong> on <em>{article}</em> (#{id})</p><blockquote>{body}</blockquote></li>",
            id = comment.id,
            author = html_escape::encode_text(&comment.author_name),
            article = html_escape::encode_text(&comment.article_title),
            body = html_escape::encode_text(&excerpt(&comment.body)),
        ));
    }
    if more > 0 {
        text.push_str(&format!("…and {more} more.\n\n"));
        items.push_str(&format!("<li>…and {more} more.</li>"));
    }
    text.push_str(&format!("Review them: {queue}\n\nAt most one such mail every 10 minutes.\n"));
    let html = page(&format!(
        "<p>Held for review since the last mail:</p><ul>{items}</ul>\
         <p><a href=\"{queue}\">Open the moderation queue</a></p>\
         <p style=\"font-size:small\">At most one such mail every 10 minutes.</p>",
        queue = attr(&queue),
    ));
    compose(settings, to, &subject, text, html, None)
}

/// The opt-in for reply mail ("Notify me of follow-up comments by email").
pub fn reply_confirmation(
    settings: &MailSettings,
    to: &Email,
    confirm_url: &str,
) -> Result<OutgoingMail, ComposeError> {
    let text = format!(
        "Hello,\n\n\
         someone (we hope you) left a comment on {SITE_NAME} and asked to be told about replies\n\
         at this address. To confirm, open this link:\n\n{confirm_url}\n\n\
         If it wasn't you, ignore this mail: without confirmation you will not hear from us again.\n\n\
         — {SITE_NAME}\n"
    );
    let html = page(&format!(
        "<p>Hello,</p>\
         <p>someone (we hope you) left a comment on {SITE_NAME} and asked to be told about replies at this address.</p>\
         <p><a href=\"{url}\">Yes, mail me replies</a></p>\
         <p>Or copy this link into your browser: {url}</p>\
         <p>If it wasn't you, ignore this mail: without confirmation you will not hear from us again.</p>",
        url = attr(confirm_url)
    ));
    let mut mail = compose(settings, to, &format!("Confirm reply notifications from {SITE_NAME}"), text, html, None)?;
    mail.action_url = Some(confirm_url.to_owned());
    Ok(mail)
}

/// New replies to a reader's comment, gathered in one mail. What readers wrote is hostile: it
/// is text (escaped in the HTML part) and never in a header. The headers' one-click link stops
/// all reply mail; the body offers this thread alone too.
pub fn replies(
    settings: &MailSettings,
    notice: &crate::comments::reply_mail::Notice,
    stop_thread_url: &str,
    stop_all_url: &str,
) -> Result<OutgoingMail, ComposeError> {
    use crate::core::paths;
    let title = &notice.article_title;
    let subject = match notice.replies.len() {
        1 => format!("A new reply to your comment on \u{201c}{title}\u{201d}"),
        n => format!("{n} new replies to your comment on \u{201c}{title}\u{201d}"),
    };
    let yours = excerpt(&notice.comment_body, 300);
    let thread = settings.site_url.join(&paths::comment(&notice.article_slug, notice.comment_id));
    let mut text = format!("You asked to hear about replies to your comment on \"{title}\":\n\n  {yours}\n\n");
    let mut items = String::new();
    for reply in &notice.replies {
        let when = reply.created_at.time().format("%-d %B %Y, %H:%M UTC");
        let link = settings.site_url.join(&paths::comment(&notice.article_slug, reply.id));
        text.push_str(&format!(
            "{name} replied ({when}):\n\n{body}\n\n{link}\n\n",
            name = reply.author_name,
            body = reply.body
        ));
        items.push_str(&format!(
            "<li><p><strong>{name}</strong> replied ({when}):</p><blockquote style=\"white-space:pre-wrap\">{body}</blockquote>\
             <p><a href=\"{link}\">Read it on the site</a></p></li>",
            name = html_escape::encode_text(&reply.author_name),
            body = html_escape::encode_text(&reply.body),
            link = attr(&link),
        ));
    }
    text.push_str(&format!(
        "The conversation: {thread}\n\n— {SITE_NAME}\n\n\
         Stop mail about replies to this comment: {stop_thread_url}\n\
         Stop all reply mail: {stop_all_url}\n"
    ));
    let html = page(&format!(
        "<p>You asked to hear about replies to your comment on <em>{title}</em>:</p>\
         <blockquote style=\"white-space:pre-wrap\">{yours}</blockquote><ul>{items}</ul>\
         <p><a href=\"{thread}\">Join the conversation</a></p>\
         <p style=\"font-size:small\"><a href=\"{stop_thread}\">Stop mail about replies to this comment</a> · \
         <a href=\"{stop_all}\">Stop all reply mail</a></p>",
        title = html_escape::encode_text(title),
        yours = html_escape::encode_text(&yours),
        thread = attr(&thread),
        stop_thread = attr(stop_thread_url),
        stop_all = attr(stop_all_url),
    ));
    compose(settings, &notice.to, &subject, text, html, Some(stop_all_url))
}

/// `body` on one line, cut after `chars` characters.
fn excerpt(body: &str, chars: usize) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(chars) {
        Some((at, _)) => format!("{}…", &flat[..at]),
        None => flat,
    }
}

/// Every mail to a confirmed subscriber passes `unsubscribe`: RFC 2369 `List-Unsubscribe`
/// plus RFC 8058 one-click, so mail clients can show their own "Unsubscribe" button.
fn compose(
    settings: &MailSettings,
    to: &Email,
    subject: &str,
    text: String,
    html: String,
    unsubscribe: Option<&str>,
) -> Result<OutgoingMail, ComposeError> {
    let from = Mailbox::new(Some(SITE_NAME.to_owned()), settings.from.clone());
    let recipient: lettre::Address = to.as_str().parse()?;
    let message_id = format!("<{}@{}>", hex::encode(rand::random::<[u8; 16]>()), settings.from.domain());
    let mut builder = Message::builder()
        .from(from)
        .to(Mailbox::new(None, recipient.clone()))
        .subject(subject)
        .message_id(Some(message_id));
    if let Some(url) = unsubscribe {
        builder = builder
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), format!("<{url}>")))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    let message = builder.multipart(MultiPart::alternative_plain_html(text, html))?;
    Ok(OutgoingMail {
        sender: settings.from.to_string(),
        recipient: recipient.to_string(),
        subject: subject.to_owned(),
        message: message.formatted(),
        action_url: None,
    })
}

fn page(body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{SITE_NAME}</title></head>\
         <body style=\"font-family:Georgia,serif;max-width:36em;margin:auto;line-height:1.5\">\
         <p style=\"font-weight:bold\">{SITE_NAME}</p>{body}</body></html>"
    )
}

fn attr(value: &str) -> String {
    html_escape::encode_double_quoted_attribute(value).into_owned()
}
