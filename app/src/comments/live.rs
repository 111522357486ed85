//! Live comments: the server publishes newly approved comments per article as server-sent
//! events; the hydrated page listens and shows them. Without JavaScript nothing connects.

use leptos::prelude::*;

use super::types::Comment;
use crate::core::Slug;

/// (server) This process's live readers' feed. Comments reach it only from the database's
/// `comment_events` (the relay worker reads them), so a comment approved by another process —
/// another node, `server comments approve` — reaches readers here too; a change made here only
/// wakes the relay at once instead of waiting for its next look.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct CommentFeed {
    events: tokio::sync::broadcast::Sender<super::store::ShownEvent>,
    wake: std::sync::Arc<tokio::sync::Notify>,
}

#[cfg(feature = "ssr")]
impl CommentFeed {
    pub fn new() -> CommentFeed {
        CommentFeed { events: tokio::sync::broadcast::channel(256).0, wake: Default::default() }
    }

    /// A comment became visible: look for it now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Completes when [`CommentFeed::wake`] was called (since the last time this completed).
    pub async fn woken(&self) {
        self.wake.notified().await;
    }

    /// Hands an event to every open stream (no listeners is not an error).
    pub fn publish(&self, event: super::store::ShownEvent) {
        let _ = self.events.send(event);
    }

    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<super::store::ShownEvent> {
        self.events.subscribe()
    }
}

#[cfg(feature = "ssr")]
impl Default for CommentFeed {
    fn default() -> Self {
        Self::new()
    }
}

/// Listens to the article's stream in the browser and hands each new comment to `arrived`.
/// The browser's EventSource reconnects by itself after a dropped connection. The stream is
/// closed when the page's navigation replaces the article (`newsroom:leave`, see
/// `site::bundles`): a reader going from story to story keeps one stream open, not one each.
pub fn listen(article: Slug, arrived: Callback<Comment>) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        use futures::future::{select, Either};
        use futures::StreamExt;
        let Ok(mut source) =
            gloo_net::eventsource::futures::EventSource::new(&crate::core::paths::comment_stream(&article))
        else {
            return;
        };
        let Ok(mut events) = source.subscribe("comment") else { return };
        let (leave, mut left) = futures::channel::oneshot::channel::<()>();
        let leave = std::cell::Cell::new(Some(leave));
        let leaving = window_event_listener_untyped(crate::core::LEAVE_EVENT, move |_| {
            if let Some(leave) = leave.take() {
                let _ = leave.send(());
            }
        });
        leptos::task::spawn_local(async move {
            while let Either::Left((Some(Ok((_, message))), _)) = select(events.next(), &mut left).await {
                if let Some(comment) =
                    message.data().as_string().and_then(|d| serde_json::from_slice::<Comment>(d.as_bytes()).ok())
                {
                    arrived.run(comment);
                }
            }
            leaving.remove();
            source.close();
        });
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (article, arrived);
}
