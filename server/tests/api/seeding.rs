use crate::helpers::{content_dir, spawn_app, spawn_with, test_config};

#[tokio::test]
async fn a_fresh_database_gets_the_demo_content_once() {
    let app = spawn_app().await;
    let articles = app.count("articles").await;
    let comments = app.count("comments").await;
    assert!(articles >= 12, "demo articles: {articles}");
    assert!(comments >= 5, "demo comments: {comments}");
    // A second start on the same file (a restart) must not add anything.
    let url = app.database_url.clone();
    let again = spawn_with(test_config(&url, Some(content_dir())), app.stop().await).await;
    assert_eq!(again.count("articles").await, articles);
    assert_eq!(again.count("comments").await, comments);
}

#[tokio::test]
async fn a_database_with_articles_is_never_touched() {
    let app = spawn_app().await;
    sqlx::query("DELETE FROM stories WHERE slug != 'harbour-bridge-reopens'").execute(&app.pool).await.unwrap();
    let url = app.database_url.clone();
    let again = spawn_with(test_config(&url, Some(content_dir())), app.stop().await).await;
    assert_eq!(again.count("articles").await, 1);
}

#[tokio::test]
async fn demo_content_can_be_switched_off() {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::helpers::fresh_database_url(dir.path(), "prod.db").await;
    let app = spawn_with(test_config(&url, None), std::sync::Arc::new(dir)).await;
    assert_eq!(app.count("articles").await, 0);
    let (status, _) = app.get("/").await;
    assert_eq!(status, 200, "an empty site still has a front page");
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys() {
    if crate::helpers::on_postgres() {
        return; // SQLite's settings; PostgreSQL always checks foreign keys and logs ahead.
    }
    let app = spawn_app().await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&app.pool).await.unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&app.pool).await.unwrap();
    assert_eq!(fk, 1);
}
