//! Pictures from the story editor. Without JavaScript the editor's "Add the picture" button
//! posts the whole form here (multipart): the picture is stored and the editor comes back with
//! everything as typed and the picture's Markdown added to the text (not saved yet). With
//! JavaScript only the picture and its alt text come, and the answer is JSON.

use axum::{
    extract::{FromRequest, Multipart, Request, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

use super::{editor, form::Problem, pages::Outcome, StoryForm};
use crate::desk::Desk;
use crate::media::{self, Refusal};
use app::staff::Role;

/// A 10 MB picture arrives in this time on a slow uplink (about 1.5 Mbit/s); the body limit
/// that keeps slow clients away from the app is not applied to this path.
pub const UPLOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// What came with the picture.
#[derive(Default)]
struct Posted {
    form: StoryForm,
    story: Option<i64>,
    picture: Option<Result<Vec<u8>, Refusal>>,
}

pub async fn upload(State(desk): State<Desk>, headers: HeaderMap, request: Request) -> Response {
    let wants_json = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
    // Who is asking is known from the cookie before the body is read: strangers send nothing big.
    if let Err(refused) = desk.member(&headers, Role::writes_stories).await {
        return refused.into_response();
    }
    let posted = match tokio::time::timeout(UPLOAD_TIMEOUT, read(request)).await {
        Ok(Ok(posted)) => posted,
        Ok(Err(message)) => return (StatusCode::BAD_REQUEST, message).into_response(),
        Err(_) => {
            return (StatusCode::REQUEST_TIMEOUT, "The picture took too long to arrive. Please try again.")
                .into_response()
        }
    };
    let (session, story) = match posted.story {
        Some(id) => match desk.story_for(&headers, Some(&posted.form.token), id).await {
            Ok((session, story)) => (session, Some(story)),
            Err(refused) => return *refused,
        },
        None => match desk.member_posting(&headers, &posted.form.token, Role::writes_stories).await {
            Ok(session) => (session, None),
            Err(refused) => return refused.into_response(),
        },
    };
    let stored = match posted.picture {
        None => Err(Refusal::Unreadable),
        Some(Err(refusal)) => Err(refusal),
        Some(Ok(bytes)) => process_and_store(&desk, bytes).await,
    };
    let mut form = posted.form;
    let alt = form.alt.trim().replace(['[', ']', '\n', '\r'], " ");
    match stored {
        Ok(src) => {
            let markdown = format!("![{alt}]({src})");
            let warning = alt
                .is_empty()
                .then_some("The picture has no alt text: describe what it shows for readers who cannot see it.");
            if wants_json {
                return Json(json!({ "markdown": markdown, "warning": warning })).into_response();
            }
            let body = form.markdown.trim_end();
            form.markdown = if body.is_empty() { markdown } else { format!("{body}\n\n{markdown}\n") };
            form.alt.clear();
            let notice = Some("The picture is at the end of the text. Save to keep it.");
            editor(&desk, &session, story, form, Outcome { notice, ..Outcome::default() }, StatusCode::OK).await
        }
        Err(refusal) => {
            let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            if wants_json {
                return (status, Json(json!({ "error": refusal.message() }))).into_response();
            }
            let problems = vec![Problem { field: "picture", message: refusal.message() }];
            editor(&desk, &session, story, form, Outcome { problems, ..Outcome::default() }, status).await
        }
    }
}

async fn process_and_store(desk: &Desk, bytes: Vec<u8>) -> Result<String, Refusal> {
    let processed = tokio::task::spawn_blocking(move || media::process(&bytes)).await.map_err(|error| {
        tracing::error!(%error, "picture processing failed");
        Refusal::Unreadable
    })??;
    media::store(&desk.media_dir, &processed).await.map_err(|error| {
        tracing::error!(%error, dir = %desk.media_dir.display(), "could not store a picture");
        Refusal::Unreadable
    })?;
    Ok(processed.src())
}

/// Reads the form's fields in order. The picture comes last in the editor's form, so when it is
/// too large reading stops there with everything typed already in hand.
async fn read(request: Request) -> Result<Posted, &'static str> {
    let mut multipart =
        Multipart::from_request(request, &()).await.map_err(|_| "Pictures are sent as a multipart form.")?;
    let mut posted = Posted::default();
    while let Some(mut field) =
        multipart.next_field().await.map_err(|_| "The form arrived broken. Please try again.")?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "picture" {
            let mut bytes = Vec::new();
            let mut too_large = false;
            while let Some(chunk) = field.chunk().await.map_err(|_| "The picture arrived broken. Please try again.")? {
                if bytes.len() + chunk.len() > media::MAX_BYTES {
                    too_large = true;
                    break;
                }
                bytes.extend_from_slice(&chunk);
            }
            if too_large {
                posted.picture = Some(Err(Refusal::TooLarge));
                // Read the rest without keeping it (up to the route's limit): a browser that is
                // still sending when the answer comes may show a reset connection instead.
                while let Ok(Some(_)) = field.chunk().await {}
                while let Ok(Some(mut rest)) = multipart.next_field().await {
                    while let Ok(Some(_)) = rest.chunk().await {}
                }
                break;
            }
            // A file field left empty sends a part with no name and no bytes.
            if !bytes.is_empty() {
                posted.picture = Some(Ok(bytes));
            }
            continue;
        }
        let value = field.text().await.map_err(|_| "The form arrived broken. Please try again.")?;
        if name == "story" {
            posted.story = value.trim().parse().ok();
        } else {
            posted.form.set(&name, value);
        }
    }
    Ok(posted)
}
