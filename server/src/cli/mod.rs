//! The operator's commands besides serving the site: `import` publishes Markdown articles,
//! `comments` moderates.

pub mod comments;
pub mod import;
