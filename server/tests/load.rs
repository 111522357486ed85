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

/// Readers who hang up while their page is still being rendered (a closed tab, a client's
/// timeout, a load tool stopping) leave no panic behind: the render is dropped halfway, and
/// nothing it started may read what was disposed with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_who_hang_up_mid_render_leave_no_panic() {
    let panics = Arc::new(AtomicUsize::new(0));
    let counter = panics.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        counter.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));
    let app = spawn_app_with(|c| c.connections.per_client = 1000).await;
    let address = app.address.clone();
    let hung_up = tokio::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        runtime.block_on(async move {
            let client = reqwest::Client::new();
            let mut hung_up = 0;
            for batch in 0..25u64 {
                let mut tasks = Vec::new();
                for i in 0..16u64 {
                    let n = batch * 16 + i;
                    // A query the render cache does not keep: every request is rendered, and each
                    // gives up at its own moment, from before the first byte to near the end.
                    let url = format!("{address}/article/harbour-bridge-reopens?replytocom=1&n={n}");
                    let patience = std::time::Duration::from_micros(50 + n * 131 % 4000);
                    let client = client.clone();
                    tasks.push(tokio::spawn(async move {
                        tokio::time::timeout(patience, async { client.get(url).send().await?.bytes().await })
                            .await
                            .is_err()
                    }));
                }
                for task in tasks {
                    hung_up += usize::from(task.await.unwrap());
                }
            }
            hung_up
        })
    })
    .await
    .unwrap();
    assert!(hung_up > 100, "most readers hung up before their page came: {hung_up} of 400");
    // Renders dropped halfway have finished dropping; the server still serves.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let page = reqwest::get(format!("{}/article/harbour-bridge-reopens", app.address)).await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(panics.load(Ordering::SeqCst), 0, "a render abandoned by its reader panicked");
}
