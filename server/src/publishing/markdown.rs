//! Article Markdown → sanitised HTML, done once at import time so pages only ever serve
//! stored, trusted markup.

use std::path::{Component, Path};

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

/// Where site paths like `/media/bridge.png` are found on disk: the folder the server serves
/// static files from (Leptos's site root), so a size read here is the size readers get.
#[derive(Clone, Copy, Debug)]
pub struct SiteFiles<'a>(pub Option<&'a Path>);

impl SiteFiles<'_> {
    /// Width and height of the image at a site path, when it is a file the site serves.
    pub fn image_size(&self, src: &str) -> Option<(usize, usize)> {
        let relative = Path::new(src.strip_prefix('/').filter(|_| !src.starts_with("//"))?);
        // Only plain names below the root: `..` must not reach outside the served folder.
        if !relative.components().all(|c| matches!(c, Component::Normal(_))) {
            return None;
        }
        let size = imagesize::size(self.0?.join(relative)).ok()?;
        Some((size.width, size.height))
    }
}

/// The HTML of an article body, and what an editor should fix but need not.
#[derive(Debug)]
pub struct Rendered {
    pub html: String,
    pub warnings: Vec<String>,
}

/// Images in the first two blocks are likely on screen when the page opens; the rest load lazily.
const ABOVE_THE_FOLD_BLOCKS: usize = 2;

/// Renders Markdown and sanitises the result: no scripts, no event handlers, no `javascript:`
/// URLs; links and images stay. Images get `width`/`height` from the file (no layout shift)
/// and `loading="lazy"` below the fold.
pub fn render(markdown: &str, files: SiteFiles) -> Rendered {
    let mut warnings = Vec::new();
    let mut events = Vec::new();
    let mut parser = Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    let (mut depth, mut blocks) = (0usize, 0usize);
    while let Some(event) = parser.next() {
        match event {
            Event::Start(Tag::Image { dest_url, title, .. }) => {
                // The alt text is the image's inline content, up to its end tag.
                let mut alt = String::new();
                for inner in parser.by_ref() {
                    match inner {
                        Event::End(TagEnd::Image) => break,
                        Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                        Event::SoftBreak | Event::HardBreak => alt.push(' '),
                        _ => {}
                    }
                }
                let alt = alt.trim();
                if alt.is_empty() {
                    warnings.push(format!("image {dest_url} has no alt text (write ![what it shows]({dest_url}))"));
                }
                let upload = crate::media::Upload::parse(&dest_url);
                let size = match &upload {
                    Some(upload) => Some((upload.width as usize, upload.height as usize)),
                    None => files.image_size(&dest_url),
                };
                if size.is_none() {
                    warnings.push(format!(
                        "image {dest_url}: width and height unknown (not an image file the site serves), so the page may shift as it loads"
                    ));
                }
                let lazy = blocks > ABOVE_THE_FOLD_BLOCKS;
                let srcset = upload.map(|upload| upload.srcset());
                let tag = image_tag(&dest_url, alt, &title, size, srcset.as_deref(), lazy);
                events.push(Event::InlineHtml(CowStr::from(tag)));
            }
            Event::Start(tag) => {
                if depth == 0 {
                    blocks += 1;
                }
                depth += 1;
                events.push(Event::Start(tag));
            }
            Event::End(tag) => {
                depth = depth.saturating_sub(1);
                events.push(Event::End(tag));
            }
            Event::Html(_) | Event::InlineHtml(_) if depth == 0 => {
                blocks += 1;
                events.push(event);
            }
            other => events.push(other),
        }
    }
    let mut raw = String::new();
    html::push_html(&mut raw, events.into_iter());
    Rendered { html: sanitiser().clean(&raw).to_string(), warnings }
}

/// How wide an article's pictures are drawn (the article column), for the browser to pick
/// from `srcset` before it has laid out the page.
const IMAGE_SIZES: &str = "(min-width: 46rem) 44rem, 100vw";

fn image_tag(
    src: &str,
    alt: &str,
    title: &str,
    size: Option<(usize, usize)>,
    srcset: Option<&str>,
    lazy: bool,
) -> String {
    let attr = |s: &str| s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    let mut tag = format!("<img src=\"{}\" alt=\"{}\"", attr(src), attr(alt));
    if !title.is_empty() {
        tag.push_str(&format!(" title=\"{}\"", attr(title)));
    }
    if let Some((width, height)) = size {
        tag.push_str(&format!(" width=\"{width}\" height=\"{height}\""));
    }
    if let Some(srcset) = srcset {
        tag.push_str(&format!(" srcset=\"{}\" sizes=\"{IMAGE_SIZES}\"", attr(srcset)));
    }
    if lazy {
        tag.push_str(" loading=\"lazy\"");
    }
    tag.push('>');
    tag
}

/// ammonia's safe defaults, plus the image attributes this renderer sets itself: `srcset` only
/// when it names uploaded pictures (ammonia does not check the addresses inside one).
fn sanitiser() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder.add_tag_attributes("img", ["loading", "srcset", "sizes"]);
    builder.attribute_filter(|element, attribute, value| match (element, attribute) {
        ("img", "srcset") if !value.split(',').all(|c| c.trim().starts_with(crate::media::URL_PREFIX)) => None,
        _ => Some(value.into()),
    });
    builder
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_plain(markdown: &str) -> Rendered {
        render(markdown, SiteFiles(None))
    }

    #[test]
    fn renders_markdown() {
        let html = render_plain(
            "# Head\n\nSome *text* and a [link](https://example.org/a).\n\n> quoted\n\n| a |\n|---|\n| 1 |\n",
        )
        .html;
        assert!(html.contains("<h1>Head</h1>"), "{html}");
        assert!(html.contains("<em>text</em>"), "{html}");
        assert!(html.contains("<a href=\"https://example.org/a\" rel=\"noopener noreferrer\">link</a>"), "{html}");
        assert!(html.contains("<blockquote>"), "{html}");
        assert!(html.contains("<table>"), "{html}");
    }

    #[test]
    fn hostile_markdown_and_inline_html_are_made_inert() {
        let hostile = "<script>alert(1)</script>\n\n\
            <img src=x onerror=alert(1)>\n\n\
            [click](javascript:alert(1)) <a href=\"javascript:alert(2)\" onclick=\"alert(3)\">x</a>\n\n\
            <iframe src=\"https://evil.example\"></iframe><style>body{display:none}</style>\n\n\
            <p onmouseover=\"alert(4)\">hover</p> <svg onload=alert(5)></svg>\n\n\
            ![a\" onerror=\"alert(6)](x.png \"t\\\" onload=\\\"alert(7)\")\n\n\
            <form action=\"/x\"><input name=a></form><object data=x></object>";
        let html = render_plain(hostile).html;
        for bad in ["<script", "javascript:", "<iframe", "<style", "<svg", "<form", "<input", "<object"] {
            assert!(!html.contains(bad), "{bad} survived: {html}");
        }
        // ammonia writes every attribute as name="value": a handler would show up so.
        for handler in ["onerror", "onclick", "onmouseover", "onload"] {
            assert!(!html.contains(&format!("{handler}=\"")), "{handler} survived: {html}");
        }
        assert!(html.contains("alt=\"a&quot; onerror=&quot;alert(6)\""), "quotes in alt text stay text: {html}");
        assert!(html.contains("hover"), "harmless text stays: {html}");
        assert!(html.contains("<img src=\"x\">"), "the image stays, without its handler: {html}");
    }

    #[test]
    fn images_keep_alt_get_their_size_and_load_lazily_below_the_fold() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("media")).unwrap();
        // A 3×2 PNG: the signature and IHDR chunk are all imagesize reads.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&[0, 0, 0, 3, 0, 0, 0, 2, 8, 2, 0, 0, 0, 0, 0, 0, 0]);
        std::fs::write(dir.path().join("media/pic.png"), png).unwrap();
        let files = SiteFiles(Some(dir.path()));
        let markdown =
            "![The bridge at dawn](/media/pic.png)\n\nSecond.\n\nThird.\n\n![A chart](/media/pic.png \"Traffic\")\n";
        let out = render(markdown, files);
        assert!(
            out.html.contains("<img src=\"/media/pic.png\" alt=\"The bridge at dawn\" width=\"3\" height=\"2\">"),
            "first image: sized, not lazy: {}",
            out.html
        );
        assert!(
            out.html.contains("<img src=\"/media/pic.png\" alt=\"A chart\" title=\"Traffic\" width=\"3\" height=\"2\" loading=\"lazy\">"),
            "{}",
            out.html
        );
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);

        let out = render("Text.\n\n![](/media/missing.png)\n", files);
        assert_eq!(out.warnings.len(), 2, "{:?}", out.warnings);
        assert!(out.warnings[0].contains("no alt text"));
        assert!(out.warnings[1].contains("/media/missing.png"));
        assert!(out.html.contains("<img src=\"/media/missing.png\" alt=\"\">"), "{}", out.html);
    }

    #[test]
    fn uploaded_pictures_get_their_widths_and_no_other_srcset_survives() {
        let out = render_plain("![A crane](/uploads/0123456789abcdef0123-1200x800.jpg)\n");
        assert!(
            out.html.contains(
                "width=\"1200\" height=\"800\" srcset=\"/uploads/0123456789abcdef0123-480w.jpg 480w, \
                 /uploads/0123456789abcdef0123-960w.jpg 960w, /uploads/0123456789abcdef0123-1200x800.jpg 1200w\""
            ),
            "{}",
            out.html
        );
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let out = render_plain("<img src=\"/x.png\" srcset=\"https://evil.example/a.png 2x\">");
        assert!(!out.html.contains("srcset"), "{}", out.html);
    }

    #[test]
    fn image_sizes_are_only_read_below_the_site_root() {
        let dir = tempfile::tempdir().unwrap();
        let files = SiteFiles(Some(dir.path()));
        for outside in ["/../secret.png", "//example.org/x.png", "https://example.org/x.png", "relative.png"] {
            assert_eq!(files.image_size(outside), None, "{outside}");
        }
    }
}
