//! More than one node on a database: each must know the site's public address (SITE_URL),
//! or links in mails and feeds would point at whichever node wrote them.

use app::core::SiteUrl;
use server::startup::Application;

use crate::helpers::{spawn_app, test_config};

fn refusal(built: anyhow::Result<Application>) -> String {
    match built {
        Ok(_) => panic!("a second node without SITE_URL started"),
        Err(error) => format!("{error:#}"),
    }
}

#[tokio::test]
async fn a_second_node_starts_only_when_every_node_knows_the_site_address() {
    let first = spawn_app().await; // one node, no SITE_URL: the development default
    let site = SiteUrl::parse("https://news.example.org").ok();

    let said = refusal(Application::build(test_config(&first.database_url, None)).await);
    assert!(said.contains("another node serves this database") && said.contains("SITE_URL is not set here"), "{said}");
    assert!(said.contains("set SITE_URL to the site's public address"), "{said}");

    // Setting it on the newcomer is not enough while the first node runs without it.
    let mut config = test_config(&first.database_url, None);
    config.site_url = site.clone();
    let said = refusal(Application::build(config).await);
    assert!(said.contains("that node runs without it"), "{said}");
    assert_eq!(first.count("nodes").await, 1, "a refused node leaves no trace");

    // Once the first node has stopped, a node is alone again and needs nothing.
    let database_url = first.database_url.clone();
    let pool = crate::helpers::any_pool(&database_url).await;
    let _files = first.stop().await;
    assert_eq!(crate::helpers::count_rows(&pool, "nodes").await, 0, "a stopped node leaves");
    let alone = Application::build(test_config(&database_url, None)).await;
    assert!(alone.is_ok(), "the stopped node did not leave: {:#}", alone.err().unwrap());
    drop(alone);

    // A node that vanished without stopping (kill -9) counts as gone once its row is old.
    let long_ago = app::core::Timestamp::now() - chrono::TimeDelta::minutes(5);
    sqlx::query("DELETE FROM nodes").execute(&pool).await.unwrap();
    sqlx::query("INSERT INTO nodes (name, site_url, seen_at) VALUES ('gone.example 10.0.0.9:3000', NULL, $1)")
        .bind(long_ago.stored())
        .execute(&pool)
        .await
        .unwrap();
    let another = Application::build(test_config(&database_url, None)).await;
    assert!(another.is_ok(), "a node not seen for minutes still counted: {:#}", another.err().unwrap());
}
