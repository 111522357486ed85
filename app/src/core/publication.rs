//! Who publishes the site: the name, the standfirst and the pictures that stand for it.

pub const SITE_NAME: &str = "The Northfield Courier";

pub const SITE_DESCRIPTION: &str =
    "Independent local news from the Northfield estuary: city, culture, science, sport and technology.";

/// The picture social networks show when a page has none of its own (`public/`).
pub const DEFAULT_IMAGE: &str = "/social-card.png";
pub const DEFAULT_IMAGE_SIZE: (&str, &str) = ("1200", "630");
/// The publisher's logo for structured data (`public/`).
pub const LOGO: &str = "/logo.png";
