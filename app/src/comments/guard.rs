//! (server) What stands between a posted form and the database: validation, the article and
//! parent checks, honeypot, link-count moderation, duplicate and flood control, cookies, and
//! the no-JavaScript post-redirect-get.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use chrono::{Duration, SecondsFormat, Utc};
use http::{header, request::Parts, HeaderValue, StatusCode};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use sha2::{Digest, Sha256};

use super::input::CommentForm;
use super::post::{parse, CommentError, Posted};
use super::store::{self, Incoming, InsertError, Refusal};
use super::Comment;
use crate::articles::{store::published, Slug};
use crate::db::Pool;

/// Operator settings for comments, provided as context by the server.
#[derive(Clone, Debug)]
pub struct CommentSettings {
    /// `COMMENT_FLOOD_SECONDS`: minimum seconds between accepted comments from one address
    /// (0 disables).
    pub flood_seconds: u64,
    /// `TRUSTED_PROXIES`: peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// Salt for the stored address hashes (made once per site, kept in the database).
    pub ip_salt: String,
}

pub const AUTHOR_COOKIE: &str = "comment_author";
pub const TOKEN_COOKIE: &str = "comment_token";
const YEAR_SECONDS: u64 = 365 * 24 * 3600;
const LINKS_BEFORE_MODERATION: usize = 2;

pub struct Request {
    parts: Parts,
    pool: Pool,
    settings: CommentSettings,
    response: ResponseOptions,
    peer: Option<SocketAddr>,
}

fn server_error(error: impl std::fmt::Display) -> CommentError {
    tracing::error!(%error, "comment could not be handled");
    CommentError::Server
}

impl Request {
    pub async fn current() -> Result<Request, CommentError> {
        let parts = use_context::<Parts>().ok_or_else(|| server_error("request parts missing"))?;
        let pool = use_context::<Pool>().ok_or_else(|| server_error("pool missing"))?;
        let settings = use_context::<CommentSettings>().ok_or_else(|| server_error("comment settings missing"))?;
        let response = use_context::<ResponseOptions>().ok_or_else(|| server_error("response options missing"))?;
        let peer = leptos_axum::extract::<ConnectInfo<SocketAddr>>().await.ok().map(|c| c.0);
        Ok(Request { parts, pool, settings, response, peer })
    }

    /// A plain form post from a browser without JavaScript (the hydrated app asks for JSON).
    fn from_plain_form(&self) -> bool {
        crate::site::form_post::is_plain_form_post(&self.parts)
    }

    /// The socket address, or the nearest untrusted hop of `X-Forwarded-For` when the peer
    /// is a proxy the operator listed.
    fn client_ip(&self) -> Option<IpAddr> {
        crate::site::client::client_ip(&self.parts.headers, self.peer.map(|p| p.ip()), &self.settings.trusted_proxies)
    }

    fn ip_hash(&self) -> String {
        let ip = self.client_ip().map(|ip| ip.to_string()).unwrap_or_default();
        hex::encode(Sha256::digest(format!("{}|{ip}", self.settings.ip_salt)))
    }

    fn user_agent(&self) -> String {
        let ua = self.parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
        ua.chars().take(255).collect()
    }

    /// This browser's token for its own comments awaiting moderation; made on first post.
    fn author_token(&self) -> String {
        match cookie(&self.parts.headers, TOKEN_COOKIE).filter(|t| t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit())) {
            Some(token) => token,
            None => {
                let token = random_hex();
                self.set_cookie(TOKEN_COOKIE, &token, YEAR_SECONDS);
                token
            }
        }
    }

    fn set_cookie(&self, name: &str, value: &str, max_age: u64) {
        let cookie = format!("{name}={value}; Max-Age={max_age}; Path=/; SameSite=Lax; HttpOnly");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            self.response.append_header(header::SET_COOKIE, value);
        }
    }

    /// "Save my name, email, and website in this browser for the next time I comment."
    pub fn remember_reader(&self, form: &CommentForm, remember: bool) {
        if remember {
            let saved = SavedReader { author: form.author.trim().into(), email: form.email.trim().into(), url: form.url.trim().into() };
            let json = serde_json::to_string(&saved).unwrap_or_default();
            let value = percent_encoding::utf8_percent_encode(&json, percent_encoding::NON_ALPHANUMERIC).to_string();
            self.set_cookie(AUTHOR_COOKIE, &value, YEAR_SECONDS);
        } else if cookie(&self.parts.headers, AUTHOR_COOKIE).is_some() {
            self.set_cookie(AUTHOR_COOKIE, "", 0);
        }
    }

    /// With JavaScript: the outcome with its status code. Without: post-redirect-get, to the
    /// new comment or back to the form with what the reader typed and the message.
    pub async fn answer(&self, slug: &str, form: &CommentForm, outcome: Result<Posted, CommentError>) -> Result<Posted, CommentError> {
        if !self.from_plain_form() {
            if let Err(error) = &outcome {
                self.response.set_status(StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST));
            }
            return outcome;
        }
        let Some(slug) = Slug::parse(slug) else {
            leptos_axum::redirect("/");
            return outcome;
        };
        match &outcome {
            Ok(posted) => leptos_axum::redirect(&format!("/article/{slug}#comment-{}", posted.comment.id)),
            Err(error) => match self.save_draft(&slug, form, error).await {
                Some(token) => leptos_axum::redirect(&format!("/article/{slug}?draft={token}#respond")),
                None => leptos_axum::redirect(&format!("/article/{slug}")),
            },
        }
        outcome
    }

    async fn save_draft(&self, slug: &Slug, form: &CommentForm, error: &CommentError) -> Option<String> {
        let article_id = crate::articles::store::id_of(&self.pool, slug).await.ok()??;
        let token = random_hex();
        let now = Utc::now();
        let result = store::save_draft(
            &self.pool,
            &token,
            article_id,
            &serde_json::to_string(form).ok()?,
            &serde_json::to_string(error).ok()?,
            &iso(now),
            &iso(now - Duration::hours(1)),
        )
        .await;
        result.map_err(server_error).ok().map(|_| token)
    }
}

fn iso(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn random_hex() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// The value of the cookie `name` in a request's headers.
pub fn cookie(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

#[derive(serde::Serialize, serde::Deserialize)]
struct SavedReader {
    author: String,
    email: String,
    url: String,
}

/// Validates, classifies and stores one comment.
pub async fn accept(req: &Request, slug: &str, form: &CommentForm, honeypot: bool) -> Result<Posted, CommentError> {
    // Reader mistakes first: they never count towards flood control.
    let comment = parse(form)?;
    let slug = Slug::parse(slug).ok_or(CommentError::NotFound)?;
    let article_id = crate::articles::store::id_of(&req.pool, &slug).await.map_err(server_error)?.ok_or(CommentError::NotFound)?;
    let status = if honeypot {
        "spam"
    } else if comment.body.link_count() > LINKS_BEFORE_MODERATION {
        "pending"
    } else {
        "approved"
    };
    let now = Utc::now();
    let created_at = iso(now);
    let flood_since = (req.settings.flood_seconds > 0 && status != "spam")
        .then(|| iso(now - Duration::seconds(req.settings.flood_seconds as i64)));
    let incoming = Incoming {
        article_id,
        comment: comment.clone(),
        status,
        ip_hash: req.ip_hash(),
        user_agent: req.user_agent(),
        author_token: req.author_token(),
        created_at: created_at.clone(),
        flood_since,
    };
    match store::insert_checked(&req.pool, incoming).await {
        Ok(id) => {
            let shown = Comment {
                id,
                parent_id: comment.parent_id,
                author_name: comment.author.as_str().to_owned(),
                author_url: comment.website.as_ref().map(|w| w.as_str().to_owned()),
                body: comment.body.as_str().to_owned(),
                published: published(&created_at),
            };
            if status == "approved" {
                if let Some(feed) = use_context::<super::live::CommentFeed>() {
                    feed.announce(slug.as_str(), &shown);
                }
            }
            Ok(Posted { comment: shown, pending: status != "approved" })
        }
        Err(InsertError::Refused(Refusal::Duplicate)) => Err(CommentError::Duplicate),
        Err(InsertError::Refused(Refusal::TooFast)) => Err(CommentError::TooFast),
        Err(InsertError::Refused(Refusal::NoSuchParent)) => Err(CommentError::NotFound),
        Err(InsertError::Database(e)) => Err(server_error(e)),
    }
}

/// What this reader's browser brings to the form: saved details, a refused draft, their own
/// comments awaiting moderation.
pub async fn reader_state(pool: &Pool, article_id: i64, draft: Option<&str>) -> super::ReaderState {
    let parts = use_context::<Parts>();
    let mut state = super::ReaderState::default();
    if let Some(parts) = &parts {
        if let Some(saved) = cookie(&parts.headers, AUTHOR_COOKIE)
            .and_then(|v| percent_encoding::percent_decode_str(&v).decode_utf8().ok().map(|s| s.into_owned()))
            .and_then(|json| serde_json::from_str::<SavedReader>(&json).ok())
        {
            state.form.author = saved.author;
            state.form.email = saved.email;
            state.form.url = saved.url;
            state.remembered = true;
        }
        if let Some(token) = cookie(&parts.headers, TOKEN_COOKIE) {
            state.own_pending = store::pending_for_author(pool, article_id, &token).await.unwrap_or_default();
        }
    }
    if let Some(token) = draft.filter(|t| t.len() == 32) {
        if let Ok(Some((form_json, error_json))) = store::draft(pool, token, article_id).await {
            if let (Ok(form), Ok(error)) =
                (serde_json::from_str::<CommentForm>(&form_json), serde_json::from_str::<CommentError>(&error_json))
            {
                // The page a reader without JavaScript lands on carries the refusal's status.
                if let Some(response) = use_context::<ResponseOptions>() {
                    response.set_status(StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST));
                }
                state.form = form;
                state.error = Some(error);
            }
        }
    }
    state
}
