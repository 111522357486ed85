//! A large made-up site: articles with tags and sections, comments spread unevenly (a few
//! stories draw most of the talk), a week and a half of views. Deterministic (fixed seeds), so
//! every run measures the same site.

use std::collections::HashMap;
use std::time::Instant;

use app::articles::store as articles;
use app::comments::store::{self as comments, ApprovedComment};
use app::core::Slug;
use app::db::Db;
use app::discovery::store as discovery;
use chrono::{TimeZone, Utc};
use rand::{rngs::StdRng, Rng, SeedableRng};

/// What the generated site holds, and the addresses worth measuring.
pub struct Site {
    pub articles: usize,
    pub comments: usize,
    /// The newest story: it carries the long thread.
    pub long_thread: String,
    pub long_thread_comments: usize,
    /// A story with an ordinary busy thread.
    pub fifty: String,
    /// A story that receives the posting benchmark's comments.
    pub posting_target: String,
    /// A word that occurs in a good share of the stories.
    pub search_word: String,
    /// The words most often used, for searches nobody has asked before.
    pub common_words: Vec<String>,
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
            s.push(if i % 2 == 1 {
                ["the", "and", "of", "to", "in", "a", "for", "on"][rng.random_range(0..8)]
            } else {
                self.pick(rng)
            });
        }
        let mut text = s.join(" ");
        text[..1].make_ascii_uppercase();
        text
    }
}

/// Fills the (fresh) database at `database_url`.
pub async fn generate(database_url: &str, article_count: usize, comment_count: usize) -> anyhow::Result<Site> {
    anyhow::ensure!(article_count >= 10, "at least 10 articles");
    let long_thread_comments = 2000.min(comment_count / 2);
    let pool = Db::connect(database_url).await?;
    let mut rng = StdRng::seed_from_u64(2026);
    let words = Words::new(&mut rng, 6000);
    let tags: Vec<String> = (0..400).map(|i| format!("{} {i}", words.list[i * 7])).collect();
    let authors: Vec<String> = (0..40).map(|i| format!("Writer {}", words.list[i * 11])).collect();
    let sections = ["City", "Sport", "Culture", "Science", "Technology", "Business", "Opinion", "Weather"];
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 6, 0, 0).unwrap();
    let started = Instant::now();
    let mut ids = Vec::with_capacity(article_count);
    for batch in 0..article_count.div_ceil(1000) {
        let mut tx = pool.write().await?;
        for n in batch * 1000..((batch + 1) * 1000).min(article_count) {
            let at = start + chrono::Duration::minutes(n as i64 * 137);
            let paragraphs: Vec<String> = (0..6)
                .map(|_| format!("<p>{}. {}.</p>", words.sentence(&mut rng, 30), words.sentence(&mut rng, 30)))
                .collect();
            let article = articles::NewArticle {
                slug: Slug::parse(&format!("story-{n}")).expect("a valid slug"),
                title: words.sentence(&mut rng, 7),
                summary: format!("{}.", words.sentence(&mut rng, 30)),
                body_html: paragraphs.join("\n"),
                markdown: String::new(),
                author: authors[rng.random_range(0..authors.len())].clone(),
                category: sections[rng.random_range(0..sections.len())].to_string(),
                tags: (0..3)
                    .map(|_| tags[(rng.random::<f64>().powi(2) * tags.len() as f64) as usize].clone())
                    .collect(),
                published_at: at,
                updated_at: at,
                image: None,
            };
            ids.push((app::publishing::publish(&mut tx, &article).await?.0, at));
        }
        tx.commit().await?;
    }
    eprintln!("  {article_count} articles in {:.1} s", started.elapsed().as_secs_f64());

    // Comments: the newest story gets the long thread, the one before it exactly fifty, the
    // rest are spread over the others with most of them on recent stories; a quarter are replies.
    let started = Instant::now();
    let (long, fifty, posting) = (article_count - 1, article_count - 2, article_count - 3);
    let mut plan: Vec<usize> = Vec::with_capacity(comment_count);
    plan.extend(std::iter::repeat_n(long, long_thread_comments));
    plan.extend(std::iter::repeat_n(fifty, 50.min(comment_count - plan.len())));
    let others = article_count - 3;
    while plan.len() < comment_count {
        let u: f64 = rng.random();
        plan.push(others - 1 - ((u * u * u) * others as f64) as usize);
    }
    let names: Vec<String> = (0..500).map(|i| format!("{} {}", words.list[i * 3 + 1], words.list[i * 5 + 2])).collect();
    let mut thread: HashMap<usize, Vec<i64>> = HashMap::new();
    let mut minutes: HashMap<usize, i64> = HashMap::new();
    for chunk in plan.chunks(5000) {
        let mut tx = pool.write().await?;
        for &n in chunk {
            let earlier = thread.entry(n).or_default();
            let parent_id =
                (!earlier.is_empty() && rng.random_bool(0.25)).then(|| earlier[rng.random_range(0..earlier.len())]);
            let minute = minutes.entry(n).or_insert(0);
            *minute += rng.random_range(1..30);
            let name = &names[rng.random_range(0..names.len())];
            let length = rng.random_range(8..60);
            let comment = ApprovedComment {
                article_id: ids[n].0,
                parent_id,
                author_name: name.clone(),
                author_email: format!("reader{}@example.org", rng.random_range(0..5000)),
                author_url: None,
                body: format!("{}.", words.sentence(&mut rng, length)),
                created_at: (ids[n].1 + chrono::Duration::minutes(*minute)).into(),
            };
            let id = comments::insert_approved(&mut tx, &comment).await?;
            earlier.push(id);
        }
        tx.commit().await?;
    }
    eprintln!("  {comment_count} comments in {:.1} s", started.elapsed().as_secs_f64());

    // A week and a half of views, most stories read a little, a few a lot.
    let today = Utc::now().date_naive();
    for ago in 0..10u64 {
        let day = (today - chrono::Days::new(ago)).format("%Y-%m-%d").to_string();
        let views: Vec<(i64, i64)> = (0..2000)
            .map(|_| (ids[rng.random_range(0..article_count)].0, (1.0 / rng.random::<f64>().max(0.001)) as i64))
            .collect();
        discovery::add_views(&pool, &day, &views).await?;
    }
    pool.close().await;
    Ok(Site {
        articles: article_count,
        comments: comment_count,
        long_thread: format!("story-{long}"),
        long_thread_comments,
        fifty: format!("story-{fifty}"),
        posting_target: format!("story-{posting}"),
        search_word: words.list[40].clone(),
        common_words: words.list[..100].to_vec(),
    })
}
