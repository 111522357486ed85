//! (server) What stands between a posted form and the database: the article and parent
//! checks, honeypot, link-count moderation, duplicate and flood control, the commenter's
//! cookies, and where a reader without JavaScript goes next.

use std::net::IpAddr;

use chrono::TimeDelta;
use http::{header, request::Parts};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use super::cookies::{self, SavedReader, AUTHOR_COOKIE, TOKEN_COOKIE};
use super::input::{CommentForm, NewComment};
use super::live::CommentFeed;
use super::outcome::{CommentError, Posted};
use super::queue;
use super::reply_mail::FollowRequest;
use super::store::{self, Incoming, InsertError, Refusal};
use super::types::{Comment, CommentStatus, HeldReason};
use crate::core::context::from_context;
use crate::core::{paths, SiteUrl, Slug, Timestamp};
use crate::db::Db;
use crate::newsletter::mail::{self, MailSettings};
use crate::newsletter::signup::MailQueue;
use crate::newsletter::token::Token;

/// Operator settings for comments, provided as context by the server.
#[derive(Clone, Debug)]
pub struct CommentSettings {
    /// `COMMENT_FLOOD_SECONDS`: minimum seconds between accepted comments from one address
    /// (0 disables).
    pub flood_seconds: u64,
    /// Salt for the stored address hashes (made once per site, kept in the database).
    pub ip_salt: String,
}

const LINKS_BEFORE_MODERATION: usize = 2;

pub struct Request {
    parts: Parts,
    db: Db,
    settings: CommentSettings,
    response: ResponseOptions,
    client: Option<IpAddr>,
    https: bool,
    mail: Option<(MailSettings, MailQueue)>,
}

fn server_error(error: impl std::fmt::Display) -> CommentError {
    tracing::error!(%error, "comment could not be handled");
    CommentError::Server
}

impl Request {
    pub async fn current() -> Result<Request, CommentError> {
        Ok(Request {
            parts: from_context()?,
            db: from_context()?,
            settings: from_context()?,
            response: from_context()?,
            client: crate::core::client::current().await,
            https: from_context::<SiteUrl>()?.is_https(),
            mail: use_context::<MailSettings>().zip(use_context::<MailQueue>()),
        })
    }

    /// The opt-in for reply mail, made before the write so it commits with the comment.
    fn follow_request(&self, email: &crate::core::Email) -> Result<Option<FollowRequest>, CommentError> {
        let Some((settings, _)) = &self.mail else { return Ok(None) };
        let token = Token::generate();
        let link = settings.site_url.join(&paths::replies_confirm(token.as_str()));
        let confirmation = mail::reply_confirmation(settings, email, &link).map_err(server_error)?;
        Ok(Some(FollowRequest { token, confirmation }))
    }

    /// The salted hash of the client's address (its /64 for IPv6): what flood control and
    /// moderators compare; the address itself is never stored.
    fn ip_hash(&self) -> String {
        crate::core::client::address_hash(&self.settings.ip_salt, self.client)
    }

    fn user_agent(&self) -> String {
        let ua = self.parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
        ua.chars().take(255).collect()
    }

    /// This browser's token for its own comments awaiting moderation; made on first post.
    fn author_token(&self) -> String {
        cookies::author_token(&self.parts.headers).unwrap_or_else(|| {
            let token = random_hex();
            cookies::set(&self.response, TOKEN_COOKIE, Some(&token), self.https);
            token
        })
    }

    /// "Save my name, email, and website in this browser for the next time I comment."
    pub fn remember_reader(&self, form: &CommentForm, remember: bool) {
        if remember {
            let saved = SavedReader {
                author: form.author.trim().into(),
                email: form.email.trim().into(),
                url: form.url.trim().into(),
            };
            let json = serde_json::to_string(&saved).unwrap_or_default();
            cookies::set(&self.response, AUTHOR_COOKIE, Some(&json), self.https);
        } else if cookies::read(&self.parts.headers, AUTHOR_COOKIE).is_some() {
            cookies::set(&self.response, AUTHOR_COOKIE, None, self.https);
        }
    }

    /// Where a reader without JavaScript goes: to the new comment, or back to the form with
    /// what they typed and the message (kept as a draft for an hour, at most
    /// `store::MAX_DRAFTS_PER_ADDRESS` an address).
    pub async fn no_js_target(
        &self,
        slug: Option<&Slug>,
        form: &CommentForm,
        outcome: &Result<Posted, CommentError>,
    ) -> String {
        let Some(slug) = slug else { return paths::FRONT.to_owned() };
        match outcome {
            Ok(posted) => paths::comment(slug, posted.comment.id),
            Err(error) => paths::reply_form(slug, self.save_draft(slug, form, error).await.as_deref()),
        }
    }

    async fn save_draft(&self, slug: &Slug, form: &CommentForm, error: &CommentError) -> Option<String> {
        let article_id = crate::articles::store::id_of(&self.db, slug).await.ok()??;
        let token = random_hex();
        let now = Timestamp::now();
        let draft = store::Draft {
            token: &token,
            article_id,
            ip_hash: &self.ip_hash(),
            form_json: &serde_json::to_string(form).ok()?,
            errors_json: &serde_json::to_string(error).ok()?,
        };
        let result = store::save_draft(&self.db, draft, now, now - TimeDelta::hours(1)).await;
        result.map_err(server_error).ok().map(|_| token)
    }
}

fn random_hex() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// Validates, classifies and stores one comment.
pub async fn accept(
    req: &Request,
    slug: Option<&Slug>,
    form: &CommentForm,
    honeypot: bool,
) -> Result<Posted, CommentError> {
    // Reader mistakes first: they never count towards flood control.
    let comment = NewComment::parse(form).map_err(CommentError::Invalid)?;
    let slug = slug.ok_or(CommentError::NotFound)?;
    let article_id =
        crate::articles::store::id_of(&req.db, slug).await.map_err(server_error)?.ok_or(CommentError::NotFound)?;
    let ip_hash = req.ip_hash();
    let banned = queue::is_banned(&req.db, comment.email.as_str(), &ip_hash).await.map_err(server_error)?;
    let (status, held_reason) = if honeypot {
        (CommentStatus::Spam, Some(HeldReason::Honeypot))
    } else if banned {
        (CommentStatus::Spam, Some(HeldReason::Ban))
    } else if comment.body.link_count() > LINKS_BEFORE_MODERATION {
        (CommentStatus::Pending, Some(HeldReason::Links))
    } else {
        (CommentStatus::Approved, None)
    };
    let now = Timestamp::now();
    let created_at = now;
    // Trapped spam is under flood control too: a bot filling the trap stores at most one row
    // per interval, and is still told it was accepted.
    let flood_since =
        (req.settings.flood_seconds > 0).then(|| now - TimeDelta::seconds(req.settings.flood_seconds as i64));
    // Spam is stored to be reviewed, never followed.
    let follow = if form.notify && status != CommentStatus::Spam { req.follow_request(&comment.email)? } else { None };
    let wake_mailer = follow.is_some();
    let incoming = Incoming {
        article_id,
        comment: comment.clone(),
        status,
        held_reason,
        ip_hash,
        user_agent: req.user_agent(),
        author_token: req.author_token(),
        created_at,
        flood_since,
        follow,
    };
    match store::insert_checked(&req.db, incoming).await {
        Ok(id) => {
            if let (true, Some((_, queue))) = (wake_mailer, &req.mail) {
                queue.wake();
            }
            let shown = Comment {
                id,
                parent_id: comment.parent_id,
                author_name: comment.author.as_str().to_owned(),
                author_url: comment.website.as_ref().map(|w| w.as_str().to_owned()),
                body: comment.body.as_str().to_owned(),
                published: created_at.into(),
                staff: false,
            };
            if status == CommentStatus::Approved {
                if let Some(feed) = use_context::<CommentFeed>() {
                    feed.wake();
                }
            }
            Ok(Posted { comment: shown, pending: status != CommentStatus::Approved })
        }
        Err(InsertError::Refused(Refusal::Duplicate | Refusal::TooFast)) if honeypot || banned => Ok(Posted {
            comment: Comment {
                id: 0,
                parent_id: comment.parent_id,
                author_name: comment.author.as_str().to_owned(),
                author_url: None,
                body: comment.body.as_str().to_owned(),
                published: created_at.into(),
                staff: false,
            },
            pending: true,
        }),
        Err(InsertError::Refused(Refusal::Duplicate)) => Err(CommentError::Duplicate),
        Err(InsertError::Refused(Refusal::TooFast)) => Err(CommentError::TooFast),
        Err(InsertError::Refused(Refusal::NoSuchParent)) => Err(CommentError::NotFound),
        Err(InsertError::Database(e)) => Err(server_error(e)),
    }
}
