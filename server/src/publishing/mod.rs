//! Publishing: articles written as Markdown files with YAML front matter become stored,
//! sanitised HTML. `server import` and the demo content a fresh database starts with both go
//! through here.

pub mod article_files;
pub mod demo_content;
pub mod export;
pub mod markdown;
