//! Live comments: the server publishes newly approved comments per article as server-sent
//! events; the hydrated page listens and shows them. Without JavaScript nothing connects.

use leptos::prelude::*;

use super::types::Comment;
use crate::core::Slug;

/// (server) Where accepted comments are announced: (article slug, comment).
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct CommentFeed(pub tokio::sync::broadcast::Sender<(String, Comment)>);

#[cfg(feature = "ssr")]
impl CommentFeed {
    pub fn new() -> CommentFeed {
        CommentFeed(tokio::sync::broadcast::channel(256).0)
    }

    pub fn announce(&self, article: &Slug, comment: &Comment) {
        // No listeners is not an error.
        let _ = self.0.send((article.to_string(), comment.clone()));
    }
}

#[cfg(feature = "ssr")]
impl Default for CommentFeed {
    fn default() -> Self {
        Self::new()
    }
}

/// Listens to the article's stream in the browser and hands each new comment to `arrived`.
/// The browser's EventSource reconnects by itself after a dropped connection.
pub fn listen(article: Slug, arrived: Callback<Comment>) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        use futures::StreamExt;
        let Ok(mut source) =
            gloo_net::eventsource::futures::EventSource::new(&crate::core::paths::comment_stream(&article))
        else {
            return;
        };
        let Ok(mut events) = source.subscribe("comment") else { return };
        leptos::task::spawn_local(async move {
            while let Some(Ok((_, message))) = events.next().await {
                if let Some(comment) =
                    message.data().as_string().and_then(|d| serde_json::from_slice::<Comment>(d.as_bytes()).ok())
                {
                    arrived.run(comment);
                }
            }
            source.close();
        });
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (article, arrived);
}
