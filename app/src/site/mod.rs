//! Where the features meet: the pages that compose them (front page, article page), what
//! surrounds every page (header with navigation, footer), and the bundles that start the app.

mod article_page;
pub mod bundles;
mod footer;
mod front_page;
mod header;

pub use article_page::ArticlePage;
pub use footer::Footer;
pub use front_page::FrontPage;
pub use header::Header;
