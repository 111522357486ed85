//! How long an article page takes with 10,000 articles in the database, including Share post,
//! Related, More like this and Popular. Run on demand (it builds a 10,000-article database
//! first, which takes a while):
//!
//! ```sh
//! cargo bench -p server --bench article_page            # ARTICLES=… REQUESTS=… to change the size
//! ```
//!
//! It starts the real application (as `main` does) on a temporary database, fills it with
//! generated articles, tags and a week of view counts, then requests distinct random article
//! pages one after another and reports the time to the complete response, plus the discovery
//! queries on their own.

use std::path::Path;
use std::time::{Duration, Instant};

use app::articles::{store as articles, Slug};
use app::discovery::store as discovery;
use chrono::{TimeZone, Utc};
use rand::{rngs::StdRng, Rng, SeedableRng};
use server::{config::Config, startup::Application};

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(run());
}

/// Made-up words from syllables; low indices are drawn far more often (a rough Zipf curve),
/// like real text where a few words are everywhere and most are rare.
struct Words {
    list: Vec<String>,
}

impl Words {
    fn new(rng: &mut StdRng, count: usize) -> Words {
        const SYLLABLES: &[&str] = &[
            "ka", "lo", "mi", "ter", "an", "sel", "dor", "vin", "ra", "bel", "os", "qui", "ne", "tha", "ru", "pen",
            "gal", "mor", "sta", "lin", "cu", "fen", "har", "bo", "ewe", "tri", "sol", "mar", "den", "pli",
        ];
        let mut list: Vec<String> = Vec::with_capacity(count);
        while list.len() < count {
            let n = rng.random_range(2..=4);
            let word: String = (0..n).map(|_| SYLLABLES[rng.random_range(0..SYLLABLES.len())]).collect();
            if !list.contains(&word) {
                list.push(word);
            }
        }
        Words { list }
    }

    fn pick(&self, rng: &mut StdRng) -> &str {
        let u: f64 = rng.random();
        &self.list[((u * u * u) * self.list.len() as f64) as usize]
    }

    fn sentence(&self, rng: &mut StdRng, words: usize) -> String {
        let mut s: Vec<&str> = Vec::with_capacity(words);
        for i in 0..words {
            // Real prose is half small words.
            s.push(if i % 2 == 1 { ["the", "and", "of", "to", "in", "a", "for", "on"][rng.random_range(0..8)] } else { self.pick(rng) });
        }
        let mut text = s.join(" ");
        text[..1].make_ascii_uppercase();
        text
    }
}

async fn seed(database_url: &str, count: usize) {
    let pool = app::db::connect(database_url).await.unwrap();
    let mut rng = StdRng::seed_from_u64(2026);
    let words = Words::new(&mut rng, 6000);
    let tags: Vec<String> = (0..400).map(|i| format!("{} {i}", words.list[i * 7])).collect();
    let authors: Vec<String> = (0..40).map(|i| format!("Writer {}", words.list[i * 11])).collect();
    let sections = ["City", "Sport", "Culture", "Science", "Technology", "Business", "Opinion", "Weather"];
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 6, 0, 0).unwrap();
    let started = Instant::now();
    for batch in 0..count.div_ceil(1000) {
        let mut tx = pool.begin().await.unwrap();
        for n in batch * 1000..((batch + 1) * 1000).min(count) {
            let at = start + chrono::Duration::minutes(n as i64 * 137);
            let paragraphs: Vec<String> =
                (0..6).map(|_| format!("<p>{}. {}.</p>", words.sentence(&mut rng, 30), words.sentence(&mut rng, 30))).collect();
            let article = articles::NewArticle {
                slug: Slug::parse(&format!("story-{n}")).unwrap(),
                title: words.sentence(&mut rng, 7),
                summary: format!("{}.", words.sentence(&mut rng, 30)),
                body_html: paragraphs.join("\n"),
                author: authors[rng.random_range(0..authors.len())].clone(),
                category: sections[rng.random_range(0..sections.len())].to_string(),
                tags: (0..3).map(|_| tags[(rng.random::<f64>().powi(2) * tags.len() as f64) as usize].clone()).collect(),
                published_at: at,
                updated_at: at,
                image: None,
            };
            articles::upsert_article(&mut tx, &article).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    // A week and a half of views, most stories read a little, a few a lot.
    let today = Utc::now().date_naive();
    for ago in 0..10u64 {
        let day = (today - chrono::Days::new(ago)).format("%Y-%m-%d").to_string();
        let views: Vec<(i64, i64)> =
            (0..2000).map(|_| (rng.random_range(1..=count as i64), (1.0 / rng.random::<f64>().max(0.001)) as i64)).collect();
        discovery::add_views(&pool, &day, &views).await.unwrap();
    }
    eprintln!("seeded {count} articles in {:.1} s", started.elapsed().as_secs_f64());
    pool.close().await;
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
    let mean = times.iter().sum::<Duration>().as_secs_f64() * 1000.0 / times.len() as f64;
    println!(
        "{name}: n={} median {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, mean {mean:.2} ms",
        times.len(),
        at(0.5),
        at(0.9),
        at(0.99)
    );
}

async fn run() {
    let count = env_number("ARTICLES", 10_000);
    let requests = env_number("REQUESTS", 1000).min(count);
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("bench.db").display());
    seed(&database_url, count).await;

    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Leptos.toml");
    let mut leptos = leptos::config::get_configuration(Some(file.to_str().unwrap())).unwrap().leptos_options;
    leptos.site_addr = "127.0.0.1:0".parse().unwrap();
    let config = Config {
        leptos,
        database_url: database_url.clone(),
        demo_content: None,
        comment_flood_seconds: 15,
        trusted_proxies: Vec::new(),
        site_url: None,
    };
    let app = Application::build(config).await.unwrap();
    let address = format!("http://{}", app.local_addr());
    let pool = app.pool.clone();
    tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::new();

    let mut rng = StdRng::seed_from_u64(7);
    let mut order: Vec<usize> = (0..count).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.random_range(0..=i));
    }
    let get = |n: usize| {
        let request = client.get(format!("{address}/article/story-{n}")).header("User-Agent", BROWSER);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status().as_u16(), 200);
            let html = response.text().await.unwrap();
            for block in ["Share post", "Related", "More like this", "Popular"] {
                assert!(html.contains(&format!(">{block}</h2>")), "the page has {block}");
            }
        }
    };
    // Warm-up: connections, SQLite's page cache, the Popular cache.
    for &n in order.iter().rev().take(50) {
        get(n).await;
    }
    let mut times = Vec::with_capacity(requests);
    for &n in order.iter().take(requests) {
        let started = Instant::now();
        get(n).await;
        times.push(started.elapsed());
    }
    report(&format!("article page, {count} articles, all four blocks (HTTP, complete response)"), times);

    // The discovery queries on their own, for stories not yet requested.
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM articles ORDER BY id DESC LIMIT 500").fetch_all(&pool).await.unwrap();
    let (mut related, mut similar, mut terms) = (Vec::new(), Vec::new(), Vec::new());
    for id in ids {
        let started = Instant::now();
        discovery::describing_terms(&mut *pool.acquire().await.unwrap(), id).await.unwrap();
        terms.push(started.elapsed());
        let started = Instant::now();
        let list = discovery::related(&pool, id, app::discovery::LIST_LEN).await.unwrap();
        related.push(started.elapsed());
        let shown: Vec<i64> = list.iter().map(|(id, _)| *id).collect();
        let started = Instant::now();
        discovery::more_like_this(&pool, id, &shown, app::discovery::LIST_LEN).await.unwrap();
        similar.push(started.elapsed());
    }
    report("  Related query", related);
    report("  More like this query", similar);
    report("  choosing a story's More like this words (done when it is saved, not per view)", terms);
    let mut popular = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        discovery::popular(&pool, Utc::now().date_naive(), app::discovery::LIST_LEN + 1).await.unwrap();
        popular.push(started.elapsed());
    }
    report("  Popular query (in the background once a minute; pages use the kept list)", popular);
}
