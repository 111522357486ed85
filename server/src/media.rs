//! Pictures uploaded in the desk: checked by their content (never their name), turned upright,
//! re-encoded without any metadata (no camera, no GPS), made in a few widths for `srcset`, and
//! stored under content-hashed names that browsers may keep forever.
//!
//! A picture's file name says everything a page needs: `{hash}-{width}x{height}.{ext}` is the
//! full size and `{hash}-{width}w.{ext}` each narrower copy, so rendering Markdown never has to
//! look at the disk.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use image::{codecs::jpeg::JpegEncoder, codecs::png::PngEncoder, DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use sha2::{Digest, Sha256};

/// The largest upload accepted.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// A request carrying a picture and the story form around it is read up to this (what is past
/// `MAX_BYTES` only to answer the sender, not kept).
pub const MAX_REQUEST_BYTES: usize = 3 * MAX_BYTES;
/// Where pictures are served from.
pub const URL_PREFIX: &str = "/uploads/";
/// Narrower copies made for `srcset` (each only when the picture is wider).
pub const WIDTHS: [u32; 3] = [480, 960, 1600];
/// Wider pictures are scaled down to this: no article column needs more.
const MAX_WIDTH: u32 = 2400;
/// A picture larger than this in either direction is refused before it is decoded (a small
/// file can claim an enormous canvas).
const MAX_SIDE: u32 = 12_000;
const JPEG_QUALITY: u8 = 82;
const HASH_HEX: usize = 20;

/// Why a file was not taken, in words for the person who chose it.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    TooLarge,
    NotAPicture,
    Unreadable,
    TooManyPixels,
}

impl Refusal {
    pub fn message(&self) -> String {
        match self {
            Refusal::TooLarge => format!("That file is larger than {} MB, the most a picture may be.", MAX_BYTES >> 20),
            Refusal::NotAPicture => {
                "That file is not a JPEG, PNG, WebP or GIF picture (whatever its name says).".to_owned()
            }
            Refusal::Unreadable => "That picture could not be read: the file seems damaged.".to_owned(),
            Refusal::TooManyPixels => {
                format!("That picture is larger than {MAX_SIDE} pixels on a side; make it smaller first.")
            }
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Refusal::TooLarge => 413,
            Refusal::NotAPicture => 415,
            Refusal::Unreadable | Refusal::TooManyPixels => 422,
        }
    }
}

/// A picture ready to store: its files (name, bytes), the full-size one first.
pub struct Processed {
    pub files: Vec<(String, Vec<u8>)>,
    pub width: u32,
    pub height: u32,
}

impl Processed {
    /// The full-size picture's site path.
    pub fn src(&self) -> String {
        format!("{URL_PREFIX}{}", self.files[0].0)
    }
}

/// Checks and re-encodes an uploaded file. CPU-heavy: call it off the async threads.
pub fn process(bytes: &[u8]) -> Result<Processed, Refusal> {
    if bytes.len() > MAX_BYTES {
        return Err(Refusal::TooLarge);
    }
    let format = match image::guess_format(bytes) {
        Ok(format @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif)) => format,
        _ => return Err(Refusal::NotAPicture),
    };
    let hash = &hex::encode(Sha256::digest(bytes))[..HASH_HEX];
    if format == ImageFormat::Gif {
        return gif(bytes, hash);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    let orientation = decoder.orientation().map_err(refusal)?;
    let mut picture = DynamicImage::from_decoder(decoder).map_err(refusal)?;
    // Phones store pictures sideways with a note to turn them; the note goes with the metadata.
    picture.apply_orientation(orientation);
    if picture.width() > MAX_WIDTH {
        picture = scaled(&picture, MAX_WIDTH);
    }
    // The pure-Rust WebP encoder writes only lossless files (several times a photo's size):
    // WebP comes out as JPEG, or PNG when it has transparency.
    let (ext, encode): (&str, Encode) = match format {
        ImageFormat::Png => ("png", png),
        _ if picture.color().has_alpha() && format == ImageFormat::WebP => ("png", png),
        _ => ("jpg", jpeg),
    };
    let (width, height) = (picture.width(), picture.height());
    let mut files = vec![(format!("{hash}-{width}x{height}.{ext}"), encode(&picture)?)];
    for narrower in WIDTHS.into_iter().filter(|w| *w < width) {
        files.push((format!("{hash}-{narrower}w.{ext}"), encode(&scaled(&picture, narrower))?));
    }
    Ok(Processed { files, width, height })
}

type Encode = fn(&DynamicImage) -> Result<Vec<u8>, Refusal>;

fn refusal(error: image::ImageError) -> Refusal {
    match error {
        image::ImageError::Limits(_) => Refusal::TooManyPixels,
        _ => Refusal::Unreadable,
    }
}

fn scaled(picture: &DynamicImage, width: u32) -> DynamicImage {
    let height = (u64::from(picture.height()) * u64::from(width) / u64::from(picture.width())).max(1) as u32;
    picture.resize_exact(width, height, image::imageops::FilterType::Lanczos3)
}

fn jpeg(picture: &DynamicImage) -> Result<Vec<u8>, Refusal> {
    let mut out = Vec::new();
    picture.to_rgb8().write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)).map_err(refusal)?;
    Ok(out)
}

fn png(picture: &DynamicImage) -> Result<Vec<u8>, Refusal> {
    let mut out = Vec::new();
    picture.write_with_encoder(PngEncoder::new(&mut out)).map_err(refusal)?;
    Ok(out)
}

/// GIFs keep their animation: frames are copied as they are (palette and all) into a new file,
/// which leaves out comments and application blocks other than the loop count. One width only.
fn gif(bytes: &[u8], hash: &str) -> Result<Processed, Refusal> {
    const MAX_FRAMES: usize = 2_000;
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    let mut decoder = options.read_info(Cursor::new(bytes)).map_err(|_| Refusal::Unreadable)?;
    let (width, height) = (decoder.width(), decoder.height());
    if u32::from(width) > MAX_SIDE || u32::from(height) > MAX_SIDE {
        return Err(Refusal::TooManyPixels);
    }
    let palette = decoder.global_palette().unwrap_or_default().to_vec();
    let repeat = decoder.repeat();
    let mut out = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut out, width, height, &palette).map_err(|_| Refusal::Unreadable)?;
        encoder.set_repeat(repeat).map_err(|_| Refusal::Unreadable)?;
        let mut frames = 0;
        while let Some(frame) = decoder.read_next_frame().map_err(|_| Refusal::Unreadable)? {
            frames += 1;
            if frames > MAX_FRAMES {
                return Err(Refusal::TooManyPixels);
            }
            encoder.write_frame(frame).map_err(|_| Refusal::Unreadable)?;
        }
        if frames == 0 {
            return Err(Refusal::Unreadable);
        }
    }
    let (width, height) = (u32::from(width), u32::from(height));
    Ok(Processed { files: vec![(format!("{hash}-{width}x{height}.gif"), out)], width, height })
}

/// Writes a processed picture's files into `dir` (each via a temporary file, so a reader never
/// gets half a picture). The same upload twice writes nothing new.
pub async fn store(dir: &Path, picture: &Processed) -> std::io::Result<()> {
    tokio::fs::create_dir_all(dir).await?;
    for (name, bytes) in &picture.files {
        let path = dir.join(name);
        if tokio::fs::try_exists(&path).await? {
            continue;
        }
        let partial = dir.join(format!(".{name}.part"));
        tokio::fs::write(&partial, bytes).await?;
        tokio::fs::rename(&partial, &path).await?;
    }
    Ok(())
}

/// An uploaded picture as its site path names it.
#[derive(Debug, PartialEq, Eq)]
pub struct Upload<'a> {
    pub hash: &'a str,
    pub width: u32,
    pub height: u32,
    pub ext: &'a str,
}

impl<'a> Upload<'a> {
    /// `/uploads/{hash}-{W}x{H}.{ext}`, or `None` for any other path.
    pub fn parse(src: &'a str) -> Option<Upload<'a>> {
        let name = src.strip_prefix(URL_PREFIX)?;
        let (stem, ext) = name.split_once('.')?;
        let (hash, size) = stem.split_once('-')?;
        let (width, height) = size.split_once('x')?;
        let digits = |s: &str| !s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit());
        let ok = hash.len() == HASH_HEX
            && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            && digits(width)
            && digits(height)
            && matches!(ext, "jpg" | "png" | "gif");
        ok.then(|| Upload { hash, width: width.parse().unwrap_or(0), height: height.parse().unwrap_or(0), ext })
    }

    /// `srcset` candidates, narrowest first, ending with the full size.
    pub fn srcset(&self) -> String {
        let Upload { hash, width, ext, .. } = self;
        let mut set: Vec<String> = if *ext == "gif" {
            Vec::new()
        } else {
            WIDTHS.iter().filter(|w| *w < width).map(|w| format!("{URL_PREFIX}{hash}-{w}w.{ext} {w}w")).collect()
        };
        set.push(format!("{URL_PREFIX}{hash}-{width}x{}.{ext} {width}w", self.height));
        set.join(", ")
    }

    /// Every file of this picture in `dir`.
    pub fn files(&self, dir: &Path) -> Vec<PathBuf> {
        let mut names = vec![format!("{}-{}x{}.{}", self.hash, self.width, self.height, self.ext)];
        if self.ext != "gif" {
            names
                .extend(WIDTHS.iter().filter(|w| **w < self.width).map(|w| format!("{}-{w}w.{}", self.hash, self.ext)));
        }
        names.into_iter().map(|name| dir.join(name)).collect()
    }
}

/// Whether `name` could be a stored picture file (what `/uploads/` serves; never a path).
pub fn is_file_name(name: &str) -> bool {
    let Some((stem, ext)) = name.split_once('.') else { return false };
    let Some((hash, size)) = stem.split_once('-') else { return false };
    hash.len() == HASH_HEX
        && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && !size.is_empty()
        && size.bytes().all(|b| b.is_ascii_digit() || b == b'x' || b == b'w')
        && matches!(ext, "jpg" | "png" | "gif")
}

/// `/uploads/{name}`: stored pictures, kept by browsers and caches for a year (a changed
/// picture is a new name).
pub fn routes<S: Clone + Send + Sync + 'static>(dir: PathBuf) -> axum::Router<S> {
    use axum::{
        extract::{Path as UrlPath, Request, State},
        http::{header, HeaderValue, StatusCode},
        response::{IntoResponse, Response},
    };
    use tower::ServiceExt;

    async fn serve(State(dir): State<Arc<PathBuf>>, UrlPath(name): UrlPath<String>, request: Request) -> Response {
        if !is_file_name(&name) {
            return (StatusCode::NOT_FOUND, "No such picture.").into_response();
        }
        let Ok(response) = tower_http::services::ServeFile::new(dir.join(&name)).oneshot(request).await;
        let mut response = response.into_response();
        if response.status().is_success() {
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
        }
        response
    }
    axum::Router::new().route(&format!("{URL_PREFIX}{{name}}"), axum::routing::get(serve)).with_state(Arc::new(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_of(width: u32, height: u32) -> Vec<u8> {
        let picture = DynamicImage::new_rgb8(width, height);
        let mut out = Vec::new();
        picture.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).unwrap();
        out
    }

    #[test]
    fn pictures_are_checked_by_content_and_made_in_widths() {
        let picture = process(&png_of(1000, 500)).unwrap();
        let names: Vec<&str> = picture.files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(names[0].ends_with("-1000x500.png") && names[1].ends_with("-480w.png"), "{names:?}");
        let src = picture.src();
        let upload = Upload::parse(&src).unwrap();
        assert_eq!((upload.width, upload.height), (1000, 500));
        assert!(upload.srcset().ends_with("-1000x500.png 1000w"), "{}", upload.srcset());
        assert!(upload.srcset().contains("-960w.png 960w"));

        assert_eq!(process(b"<html><script>alert(1)</script></html>").err(), Some(Refusal::NotAPicture));
        assert_eq!(process(&vec![0xFF; MAX_BYTES + 1]).err(), Some(Refusal::TooLarge));
        let mut broken = png_of(10, 10);
        broken.truncate(40);
        assert_eq!(process(&broken).err(), Some(Refusal::Unreadable));
    }

    #[test]
    fn only_stored_names_parse() {
        assert_eq!(Upload::parse("/uploads/../etc-1x1.png"), None);
        assert_eq!(Upload::parse("/media/0123456789abcdef0123-10x10.png"), None);
        assert!(Upload::parse("/uploads/0123456789abcdef0123-10x10.png").is_some());
        assert!(is_file_name("0123456789abcdef0123-480w.jpg"));
        assert!(!is_file_name(".0123456789abcdef0123-480w.jpg.part"));
        assert!(!is_file_name("0123456789abcdef0123-480w.html"));
    }
}
