//! RFC 8058 one-click unsubscribe: `POST /newsletter/unsubscribe?token=…`. Mail providers post
//! `List-Unsubscribe=One-Click` from their servers and get a plain answer; the button on our
//! unsubscribe page posts here too and is sent back to that page (post-redirect-get).

use app::db::Db;
use app::newsletter::store::{self, Membership};
use axum::{
    extract::Query,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use chrono::Utc;

#[derive(serde::Deserialize)]
pub struct Link {
    #[serde(default)]
    token: String,
}

pub async fn unsubscribe(db: Db, Query(link): Query<Link>, body: String) -> Response {
    let one_click = body.split('&').any(|pair| pair == "List-Unsubscribe=One-Click");
    match store::unsubscribe(&db, &link.token, Utc::now()).await {
        Ok(Membership::Invalid) => (StatusCode::BAD_REQUEST, "This unsubscribe link is not valid.").into_response(),
        Ok(_) if one_click => (StatusCode::OK, "You have been unsubscribed.").into_response(),
        Ok(_) => {
            let page = app::core::paths::newsletter_unsubscribe(&link.token);
            (StatusCode::SEE_OTHER, [(header::LOCATION, page)]).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "unsubscribe failed");
            (StatusCode::SERVICE_UNAVAILABLE, "Sorry, please try again in a minute.").into_response()
        }
    }
}
