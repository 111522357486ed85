//! Many readers at once against one app, alone in its own test process — as in production,
//! where one server runs per process.

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

use helpers::spawn_app_with;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_readers_get_their_pages_without_a_panic() {
    let panics = Arc::new(AtomicUsize::new(0));
    let counter = panics.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        counter.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));
    // Hundreds of readers, all from this machine's one address: above the per-client cap,
    // which is about one client's connections, not many readers'.
    let app = spawn_app_with(|c| c.connections.per_client = 1000).await;
    let address = app.address.clone();
    let readers: usize = std::env::var("READERS").map_or(400, |v| v.parse().unwrap());
    // The readers run on their own runtime, as real clients would, while the server keeps
    // this one.
    let results = tokio::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        runtime.block_on(async move {
            let client = reqwest::Client::new();
            let paths =
                ["/", "/article/harbour-bridge-reopens", "/category/sport", "/article/tram-timetable-app", "/nope"];
            let mut tasks = Vec::new();
            for i in 0..readers {
                let (client, address) = (client.clone(), address.clone());
                let path = paths[i % paths.len()];
                tasks.push(tokio::spawn(async move {
                    let response = tokio::time::timeout(
                        std::time::Duration::from_secs(30),
                        client.get(format!("{address}{path}")).send(),
                    )
                    .await
                    .unwrap_or_else(|_| panic!("{path} got no answer within 30 s"))
                    .expect("request sent");
                    (path, response.status().as_u16())
                }));
            }
            let mut results = Vec::new();
            for task in tasks {
                results.push(task.await.unwrap());
            }
            results
        })
    })
    .await
    .unwrap();
    for (path, status) in results {
        assert_eq!(status, if path == "/nope" { 404 } else { 200 }, "{path}");
    }
    assert_eq!(panics.load(Ordering::SeqCst), 0, "the server panicked under load");
}
