//! `server comments …`: the operator's moderation commands until a web admin exists.

use anyhow::{bail, Context};
use app::comments::store;

use crate::config::Config;

pub const USAGE: &str = "usage: server comments [list [approved|pending|spam] | approve ID | spam ID | pending ID | delete ID]";

pub async fn run(args: &[String]) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let pool = app::db::connect(&config.database_url).await?;
    let id = |i: usize| -> anyhow::Result<i64> {
        args.get(i).context(USAGE)?.parse().with_context(|| format!("{:?} is not a comment id", args[i]))
    };
    match args.first().map(String::as_str) {
        None | Some("list") => {
            let status = args.get(1).map(String::as_str);
            if let Some(s) = status {
                if !matches!(s, "approved" | "pending" | "spam") {
                    bail!("{USAGE}");
                }
            }
            for c in store::for_moderation(&pool, status, 50).await? {
                let excerpt: String = c.body.chars().take(70).collect::<String>().replace('\n', " ");
                println!("{:>6}  {:<8}  {}  {:<28}  {} <{}>\n        {excerpt}", c.id, c.status, c.created_at, c.article_slug, c.author_name, c.author_email);
            }
        }
        Some(verb @ ("approve" | "spam" | "pending")) => {
            let status = if verb == "approve" { "approved" } else { verb };
            let id = id(1)?;
            if !store::set_status(&pool, id, status).await? {
                bail!("no comment {id}");
            }
            println!("comment {id} is now {status}");
        }
        Some("delete") => {
            let id = id(1)?;
            if !store::delete(&pool, id).await? {
                bail!("no comment {id}");
            }
            println!("comment {id} and its replies are deleted");
        }
        Some(_) => bail!("{USAGE}"),
    }
    Ok(())
}
