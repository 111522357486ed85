//! Builds the whole application — database, demo content, routes, listener — the same way for
//! `main` and for the tests.

use std::{future::Future, net::SocketAddr};

use app::core::{client::TrustedProxies, SiteUrl};
use app::db::Db;
use app::{shell, App};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{file_and_error_handler_with_context, generate_route_list, AxumRouteListing, LeptosRoutes};
use tokio::net::TcpListener;

use app::comments::{guard::CommentSettings, live::CommentFeed};
use app::discovery::views::Readership;
use tokio::sync::watch;
use tower_http::{compression::CompressionLayer, limit::RequestBodyLimitLayer};

use app::newsletter::{limit::SignUpLimit, mail::MailSettings, signup::MailQueue};

use crate::config::Config;
use crate::connections::{self, ConnectionLimits};
use crate::desk;
use crate::middleware::{
    access_log,
    assets::{self, Assets},
    conforming_html,
    page_cache::{self, PageCache},
    request_body, safe_answers, same_origin, security_headers,
};
use crate::publishing::{demo_content, markdown::SiteFiles};
use crate::routes::{comment_stream, feeds, reply_mail as reply_pages, sitemap, unsubscribe};
use crate::workers::presence::Presence;
use crate::workers::{live_relay, mailer, moderation_notice, newsletter, reply_mail, scheduler, view_flush};

pub struct Application {
    listener: TcpListener,
    router: Router,
    pub db: Db,
    stopping: watch::Sender<bool>,
    limits: ConnectionLimits,
    proxies: TrustedProxies,
    /// This node's row in the database's list of nodes: kept while serving, removed at the stop.
    presence: tokio::task::JoinHandle<()>,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let db = crate::config::open_database(&config.database_url).await?;
        if let Some(dir) = &config.demo_content {
            let site_root = std::path::PathBuf::from(&*config.leptos.site_root);
            demo_content::seed_if_empty(&db, dir, SiteFiles(Some(&site_root))).await?;
        }
        // Articles stored before the search index existed.
        let indexed = app::discovery::store::index_missing(&db).await?;
        if indexed > 0 {
            tracing::info!(indexed, "added articles to the search index");
        }
        let readership = Readership::new();
        let comments = CommentSettings {
            flood_seconds: config.comment_flood_seconds,
            ip_salt: app::comments::store::ip_salt(&db, &hex::encode(rand::random::<[u8; 16]>())).await?,
        };
        let proxies = TrustedProxies::new(config.trusted_proxies.clone());
        let listener = TcpListener::bind(config.leptos.site_addr).await?;
        let site_url =
            config.site_url.clone().unwrap_or_else(|| SiteUrl::from_listen_addr(listener.local_addr().unwrap()));
        let presence = Presence::join(&db, listener.local_addr()?, config.site_url.as_ref(), config.node_wait).await?;
        let (stopping, _) = watch::channel(false);
        let presence = tokio::spawn(presence.run(db.clone(), stopping.subscribe()));
        tokio::spawn(view_flush::run(readership.clone(), db.clone(), VIEW_FLUSH_INTERVAL, stopping.subscribe()));
        tokio::spawn(scheduler::run(db.clone(), stopping.subscribe()));
        let feed = CommentFeed::new();
        tokio::spawn(live_relay::run(db.clone(), feed.clone(), stopping.subscribe()));
        let mail = config.mail_settings(&site_url);
        let queue = MailQueue::default();
        let signups = SignUpLimit::per_hour(config.newsletter_signups_per_hour);
        let transport = config.mail_transport()?;
        tokio::spawn(mailer::run(db.clone(), transport.clone(), queue.clone(), stopping.subscribe()));
        tokio::spawn(moderation_notice::run(
            db.clone(),
            mail.clone(),
            config.moderation_email.clone(),
            queue.clone(),
            stopping.subscribe(),
        ));
        tokio::spawn(reply_mail::run(
            db.clone(),
            mail.clone(),
            config.reply_pacing,
            queue.clone(),
            stopping.subscribe(),
        ));
        let newsletter_queue = MailQueue::default();
        tokio::spawn(newsletter::send(
            db.clone(),
            transport,
            mail.clone(),
            newsletter_queue.clone(),
            stopping.subscribe(),
        ));
        if let Some(schedule) = config.newsletter_schedule {
            tokio::spawn(newsletter::schedule(
                db.clone(),
                schedule,
                site_url.clone(),
                newsletter_queue,
                stopping.subscribe(),
            ));
        }
        let security = security_headers::SecurityPolicy {
            https: site_url.is_https(),
            // `cargo leptos watch` sets LEPTOS_WATCH; its reload script connects to a websocket.
            live_reload: std::env::var_os("LEPTOS_WATCH").is_some(),
        };
        let cache = PageCache::new(db.clone(), readership.clone(), proxies.clone());
        cache.check_version().await;
        cache.watch_versions(stopping.subscribe());
        tokio::spawn(crate::workers::change_notices::run(
            db.clone(),
            feed.clone(),
            cache.clone(),
            stopping.subscribe(),
        ));
        let site = Site {
            options: config.leptos,
            db: db.clone(),
            proxies: proxies.clone(),
            site_url: site_url.clone(),
            configured_origin: config.site_url.as_ref().map(|url| url.origin().to_owned()),
            comments,
            feed,
            readership,
            mail,
            queue,
            signups,
            security,
            cache,
            body_timeout: config.request_body_timeout,
            media_dir: config.media_dir.clone(),
        };
        let router = router(site, stopping.subscribe());
        let limits = config.connections.within_open_file_limit();
        Ok(Application { listener, router, db, stopping, limits, proxies, presence })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight — for at most
    /// `SHUTDOWN_DEADLINE`: a client that never finishes its request cannot hold the server up.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let stopping = self.stopping;
        let shutdown = async move {
            shutdown.await;
            // Ends the open live-comment streams so the graceful shutdown can finish.
            let _ = stopping.send(true);
        };
        connections::serve(self.listener, self.router, self.limits, self.proxies, shutdown, SHUTDOWN_DEADLINE).await;
        // Left at the start of the stop; waited for so the process does not end before.
        let _ = self.presence.await;
        Ok(())
    }
}

/// What every request handler can reach.
struct Site {
    options: LeptosOptions,
    db: Db,
    proxies: TrustedProxies,
    site_url: SiteUrl,
    /// The origin of `SITE_URL` when the operator set it (posts must come from it).
    configured_origin: Option<String>,
    comments: CommentSettings,
    feed: CommentFeed,
    readership: Readership,
    mail: MailSettings,
    queue: MailQueue,
    signups: SignUpLimit,
    security: security_headers::SecurityPolicy,
    cache: PageCache,
    body_timeout: std::time::Duration,
    media_dir: std::path::PathBuf,
}

impl Config {
    /// Who mails come from and the base of their links: `MAIL_FROM`, or `newsletter@` the
    /// site's host when that is a mail domain.
    pub fn mail_settings(&self, site_url: &SiteUrl) -> MailSettings {
        let from = self.mail_from.clone().unwrap_or_else(|| {
            let host = site_url.as_str().split("://").nth(1).unwrap_or("").split(['/', ':']).next().unwrap_or("");
            format!("newsletter@{host}")
                .parse()
                .unwrap_or_else(|_| "newsletter@localhost".parse().expect("a valid address"))
        });
        MailSettings { from, site_url: site_url.clone() }
    }

    /// The one transport every mail of this process goes through (shared pool and pace).
    pub fn mail_transport(&self) -> anyhow::Result<mailer::Transport> {
        mailer::Transport::new(self.smtp_url.as_deref(), self.mail_dir.clone(), self.mail_rates)
    }
}

/// How long a shutdown waits for the requests in flight.
pub const SHUTDOWN_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// How often counted article views are written to the database.
pub const VIEW_FLUSH_INTERVAL: std::time::Duration = std::time::Duration::from_secs(2);

/// The route table, generated once per process. Generating it renders the app with resource
/// loading suppressed through a process-wide flag in leptos_server: a page whose resource is
/// first polled meanwhile — in another site of the same process — waits forever
/// (leptos-rs/leptos#4773). That was the request the HTTP tests lost when a new test's site
/// was built while another test's site was serving.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

fn router(site: Site, stopping: watch::Receiver<bool>) -> Router {
    let Site {
        options,
        db,
        proxies,
        site_url,
        configured_origin,
        comments,
        feed,
        readership,
        mail,
        queue,
        signups,
        security,
        cache,
        body_timeout,
        media_dir,
    } = site;
    let routes = routes();
    let desk_stopping = stopping.clone();
    let streams = comment_stream::CommentStreams::new(feed.clone(), db.clone(), proxies.clone(), stopping);
    let publication = feeds::Publication { db: db.clone(), site_url: site_url.clone() };
    let searches = app::discovery::search_cache::SearchCache::default();
    let lists = app::discovery::ArticleLists::default();
    let stories = app::articles::cache::ArticleCache::default();
    let unsubscribe_db = db.clone();
    let reply_pages =
        reply_pages::ReplyPages { db: db.clone(), stylesheet: app::site::bundles::stylesheet_href(&options) };
    let desk = desk::Desk {
        db: db.clone(),
        proxies: proxies.clone(),
        ip_salt: comments.ip_salt.clone(),
        https: site_url.is_https(),
        stylesheet: app::site::bundles::stylesheet_href(&options),
        site_root: std::sync::Arc::from(std::path::Path::new(&*options.site_root)),
        media_dir: std::sync::Arc::from(media_dir.as_path()),
        feed: feed.clone(),
        stopping: desk_stopping,
    };
    let context = move || {
        provide_context(db.clone());
        provide_context(proxies.clone());
        provide_context(site_url.clone());
        provide_context(comments.clone());
        provide_context(feed.clone());
        provide_context(readership.clone());
        provide_context(mail.clone());
        provide_context(queue.clone());
        provide_context(signups);
        provide_context(searches.clone());
        provide_context(lists.clone());
        provide_context(stories.clone());
    };
    Router::new()
        .route(
            app::core::paths::NEWSLETTER_UNSUBSCRIBE,
            axum::routing::post(move |query, body| unsubscribe::unsubscribe(unsubscribe_db.clone(), query, body)),
        )
        .route(
            &format!("{}{{slug}}", app::core::paths::COMMENT_STREAM_PREFIX),
            axum::routing::get(move |slug, peer, headers| comment_stream::stream(slug, peer, headers, streams.clone())),
        )
        // Feeds, sitemap and robots.txt: plain axum routes beside the pages (their paths have
        // more segments than any page route, so they never shadow one).
        .merge(feeds::routes(publication.clone()))
        .merge(sitemap::routes(publication))
        .merge(desk::routes(desk))
        .merge(crate::media::routes(media_dir))
        .merge(reply_pages::routes(reply_pages))
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(assets::handler(Assets::new(&options), file_and_error_handler_with_context(context, shell)))
        .layer(axum::middleware::from_fn({
            let origin = configured_origin.clone();
            move |request, next| same_origin::same_origin_posts(origin.clone(), request, next)
        }))
        // Every redirect stays on this site; unreadable requests are 400s, not 500s (inside the
        // compression, so error bodies are read as sent).
        .layer(axum::middleware::from_fn(move |request, next| {
            safe_answers::safe_answers(configured_origin.clone(), request, next)
        }))
        // Leptos' markers and trailing scripts made conforming (before the cache keeps a page).
        .layer(axum::middleware::from_fn(conforming_html::conforming_html))
        .layer(axum::middleware::from_fn(move |request, next| {
            security_headers::security_headers(security, request, next)
        }))
        // br or gzip, as the browser asks; event streams are left alone.
        .layer(CompressionLayer::new())
        // Anonymous pages are rendered once and kept compressed, headers and all.
        .layer(axum::middleware::from_fn(move |request, next| page_cache::serve(cache.clone(), request, next)))
        // Bodies are read (10 s, 64 KiB) before a request may take one of the app's slots.
        .layer(axum::middleware::from_fn(move |request, next| request_body::read_first(body_timeout, request, next)))
        // Refuse bodies larger than any path takes with 413 before reading them (each path's
        // own limit is `read_first`'s).
        .layer(RequestBodyLimitLayer::new(request_body::LARGEST_BODY_BYTES))
        // One line per request: method, path, status, latency.
        .layer(axum::middleware::from_fn(access_log::access_log))
        .with_state(options)
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
