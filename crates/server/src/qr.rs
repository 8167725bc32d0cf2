//! QR codes for `otpauth://` enrolment links, as inline SVG for the pages and the API and as PNG
//! for downloads. It owns the choice of error correction (level M: a phone still reads a slightly
//! creased or smudged printout) and the quiet zone of four modules the QR specification asks for.
//! It must not do I/O, log, or keep anything: the data it encodes carries a TOTP secret, so the
//! caller decides where the picture goes and the value never reaches a log from here.
//!
//! [`Modules`] is the matrix both renderers draw from; the emergency kit (`crate::kit`) draws the
//! same matrix into its PDF.

use std::fmt::Write as _;

use qrcode::{Color, EcLevel, QrCode};

/// The quiet zone around the symbol, in modules (ISO/IEC 18004 asks for four).
pub const QUIET_ZONE: usize = 4;

/// Pixels per module side in [`png`]: large enough for a phone camera pointed at a screen.
pub const PNG_MODULE_PX: usize = 8;

/// Input up to this many bytes always encodes: [`svg`] and [`png`] fail only beyond it. Version
/// 40 at level M holds 2331 bytes, but the encoder's split into digit, letter and byte segments
/// can cost up to about a tenth more than plain bytes on mixed input (fuzzing found failures from
/// 2128 bytes), so the promise stays well below. The longest otpauth URI Portcullis can make
/// (a 254-byte address, every byte percent-encoded) is about 900 bytes; a typical one is 150.
pub const MAX_BYTES: usize = 1024;

/// The data does not fit in the largest QR code.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{len} bytes do not fit in a QR code")]
pub struct TooLong {
    pub len: usize,
}

/// The module matrix of a QR code, without the quiet zone.
pub struct Modules {
    width: usize,
    dark: Vec<bool>,
}

impl Modules {
    /// Encodes `data` at error correction level M in the smallest version it fits. Never fails for
    /// up to [`MAX_BYTES`] bytes.
    pub fn encode(data: &str) -> Result<Modules, TooLong> {
        let code = QrCode::with_error_correction_level(data, EcLevel::M)
            .map_err(|_| TooLong { len: data.len() })?;
        Ok(Modules {
            width: code.width(),
            dark: code
                .into_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect(),
        })
    }

    /// Modules per side, without the quiet zone.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Modules per side, with the quiet zone on both sides.
    pub fn width_with_quiet_zone(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }

    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }

    /// Horizontal runs of dark modules as `(x, y, length)`, in quiet-zone coordinates. Drawing runs
    /// instead of single modules keeps an SVG path or a PDF content stream about a third as long.
    pub fn dark_runs(&self) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        (0..self.width).flat_map(move |y| {
            let row = &self.dark[y * self.width..(y + 1) * self.width];
            let mut runs = Vec::new();
            let mut x = 0;
            while x < row.len() {
                if row[x] {
                    let start = x;
                    while x < row.len() && row[x] {
                        x += 1;
                    }
                    runs.push((start + QUIET_ZONE, y + QUIET_ZONE, x - start));
                } else {
                    x += 1;
                }
            }
            runs
        })
    }
}

/// An inline SVG of the QR code for `data`: one `<path>` for all dark modules on a white square,
/// with no XML prolog, comments or line breaks, so it can go straight into an HTML page or a JSON
/// string. It has a `viewBox` of one unit per module and no fixed size: size it with CSS.
/// Fails only when `data` does not fit in a QR code, which cannot happen up to [`MAX_BYTES`].
pub fn svg(data: &str) -> Result<String, TooLong> {
    render_svg(data, "role=\"img\" aria-label=\"QR code\"")
}

/// As [`svg`], hidden from screen readers: for a page that wraps it in an element labelled in
/// the page's language ("QR code for your authenticator app").
pub fn svg_in_labelled(data: &str) -> Result<String, TooLong> {
    render_svg(data, "aria-hidden=\"true\" focusable=\"false\"")
}

fn render_svg(data: &str, accessibility: &str) -> Result<String, TooLong> {
    let modules = Modules::encode(data)?;
    let size = modules.width_with_quiet_zone();
    let mut path = String::with_capacity(modules.width() * modules.width() * 4);
    for (x, y, len) in modules.dark_runs() {
        // Writing to a String cannot fail.
        let _ = write!(path, "M{x} {y}h{len}v1h-{len}z");
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" {accessibility} \
         shape-rendering=\"crispEdges\">\
         <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/></svg>"
    ))
}

/// A 1-bit grayscale PNG of the QR code for `data`, [`PNG_MODULE_PX`] pixels per module, quiet
/// zone included.
/// Fails only when `data` does not fit in a QR code, which cannot happen up to [`MAX_BYTES`].
pub fn png(data: &str) -> Result<Vec<u8>, TooLong> {
    let modules = Modules::encode(data)?;
    let size = modules.width_with_quiet_zone();
    // At 8 pixels per module and one bit per pixel, each module is exactly one byte of a row.
    let mut row = vec![0xffu8; size];
    let mut pixels = Vec::with_capacity(size * size * PNG_MODULE_PX);
    for y in 0..size {
        row.fill(0xff);
        if (QUIET_ZONE..QUIET_ZONE + modules.width()).contains(&y) {
            for x in 0..modules.width() {
                if modules.is_dark(x, y - QUIET_ZONE) {
                    row[x + QUIET_ZONE] = 0x00;
                }
            }
        }
        for _ in 0..PNG_MODULE_PX {
            pixels.extend_from_slice(&row);
        }
    }

    let side = u32::try_from(size * PNG_MODULE_PX).expect("a QR code is at most 185 modules wide");
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    // The header and data agree by construction and the sink is memory, so encoding cannot fail.
    let mut writer = encoder.write_header().expect("a valid PNG header");
    writer
        .write_image_data(&pixels)
        .expect("pixel data of the declared size");
    writer.finish().expect("a PNG written to memory");
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use super::*;

    pub(crate) const URI: &str = "otpauth://totp/Portcullis:alice%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Portcullis&algorithm=SHA1&digits=6&period=30";

    /// Whether every one of `tools` can be started. When one cannot, says so and returns false so
    /// the test passes, unless `PORTCULLIS_REQUIRE_TOOLS=1` (CI), which makes it fail instead.
    pub(crate) fn tools_present(tools: &[&str]) -> bool {
        for tool in tools {
            if Command::new(tool).arg("--help").output().is_err() {
                if std::env::var("PORTCULLIS_REQUIRE_TOOLS").as_deref() == Ok("1") {
                    panic!("{tool} not found and PORTCULLIS_REQUIRE_TOOLS=1");
                }
                println!("SKIPPED: {tool} not found");
                return false;
            }
        }
        true
    }

    /// A fresh folder under the system temp folder, removed on drop.
    pub(crate) struct Scratch(PathBuf);

    impl Scratch {
        pub(crate) fn new() -> Scratch {
            let path = std::env::temp_dir().join(format!("portcullis-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&path).expect("a scratch folder");
            Scratch(path)
        }

        pub(crate) fn path(&self, name: &str) -> PathBuf {
            self.0.join(name)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Runs a tool to completion, failing the test with its stderr when it fails.
    pub(crate) fn run(program: &str, args: &[&str]) -> Vec<u8> {
        let output = Command::new(program)
            .args(args)
            .output()
            .expect("the tool starts");
        assert!(
            output.status.success(),
            "{program} {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    }

    /// What `zbarimg` reads from an image: one line per symbol found.
    pub(crate) fn decode(image: &Path) -> String {
        let text = run("zbarimg", &["--raw", "-q", image.to_str().unwrap()]);
        String::from_utf8(text).unwrap().trim_end().to_owned()
    }

    #[test]
    fn the_png_decodes_to_the_otpauth_uri() {
        if !tools_present(&["zbarimg"]) {
            return;
        }
        let scratch = Scratch::new();
        let file = scratch.path("qr.png");
        std::fs::write(&file, png(URI).unwrap()).unwrap();
        assert_eq!(decode(&file), URI);
    }

    #[test]
    fn the_svg_decodes_to_the_otpauth_uri_once_rasterised() {
        if !tools_present(&["zbarimg", "rsvg-convert"]) {
            return;
        }
        let scratch = Scratch::new();
        let (svg_file, png_file) = (scratch.path("qr.svg"), scratch.path("qr.png"));
        std::fs::write(&svg_file, svg(URI).unwrap()).unwrap();
        let (svg_path, png_path) = (svg_file.to_str().unwrap(), png_file.to_str().unwrap());
        run("rsvg-convert", &["-w", "400", svg_path, "-o", png_path]);
        assert_eq!(decode(&png_file), URI);
    }

    #[test]
    fn the_png_has_a_quiet_zone_and_whole_modules() {
        let modules = Modules::encode(URI).unwrap();
        let mut reader = png::Decoder::new(std::io::Cursor::new(png(URI).unwrap()))
            .read_info()
            .unwrap();
        let info = reader.info();
        let side = modules.width_with_quiet_zone() * PNG_MODULE_PX;
        assert_eq!((info.width, info.height), (side as u32, side as u32));
        assert_eq!(info.color_type, png::ColorType::Grayscale);
        assert_eq!(info.bit_depth, png::BitDepth::One);

        // One bit per pixel and eight pixels per module: byte (x, y) of the image is module
        // (x, y) of the symbol with its quiet zone, repeated over eight rows.
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut pixels).unwrap();
        let size = modules.width_with_quiet_zone();
        for y in 0..size {
            for x in 0..size {
                let inside = |v: usize| (QUIET_ZONE..QUIET_ZONE + modules.width()).contains(&v);
                let dark =
                    inside(x) && inside(y) && modules.is_dark(x - QUIET_ZONE, y - QUIET_ZONE);
                for row in 0..PNG_MODULE_PX {
                    let byte = pixels[(y * PNG_MODULE_PX + row) * size + x];
                    assert_eq!(byte, if dark { 0x00 } else { 0xff }, "module ({x}, {y})");
                }
            }
        }
    }

    #[test]
    fn the_svg_is_one_line_with_one_path_and_embeds_in_json() {
        let svg = svg(URI).unwrap();
        let size = Modules::encode(URI).unwrap().width_with_quiet_zone();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains(&format!("viewBox=\"0 0 {size} {size}\"")));
        assert!(svg.contains("role=\"img\" aria-label=\"QR code\""));
        assert!(svg.contains("shape-rendering=\"crispEdges\""));
        assert!(svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<path").count(), 1);
        assert!(!svg.contains('\n') && !svg.contains("<?xml") && !svg.contains("<!--"));
        // The first dark run is the top row of the top-left finder pattern, inside the quiet zone.
        assert!(svg.contains("d=\"M4 4h7v1h-7z"));

        let json = serde_json::to_string(&serde_json::json!({ "qr": svg })).unwrap();
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["qr"], svg.as_str());
    }

    /// Input of `len` bytes that switches between digits, capitals and small letters every `run`
    /// characters: the mix that makes the encoder's segmenting cost the most.
    fn mixed(len: usize, run: usize) -> String {
        (0..len).map(|i| ['7', 'Q', 'q'][(i / run) % 3]).collect()
    }

    #[test]
    fn input_up_to_the_documented_limit_always_encodes() {
        for run in [1, 2, 3, 5, 8] {
            assert!(Modules::encode(&mixed(MAX_BYTES, run)).is_ok(), "run {run}");
        }
        assert!(Modules::encode(&"\u{e9}".repeat(MAX_BYTES / 2)).is_ok());
        assert!(png(&"a".repeat(MAX_BYTES)).unwrap().starts_with(b"\x89PNG"));
        assert!(svg(&"a".repeat(MAX_BYTES)).unwrap().ends_with("</svg>"));
    }

    #[test]
    fn input_too_long_for_any_qr_code_is_refused() {
        let too_long = "a".repeat(2332);
        let refused = Some(TooLong { len: 2332 });
        assert_eq!(Modules::encode(&too_long).err(), refused);
        assert_eq!(svg(&too_long).err(), refused);
        assert_eq!(png(&too_long).err(), refused);
    }

    #[test]
    fn dark_runs_cover_exactly_the_dark_modules() {
        let modules = Modules::encode(URI).unwrap();
        let mut covered = vec![false; modules.width() * modules.width()];
        for (x, y, len) in modules.dark_runs() {
            for dx in 0..len {
                let (mx, my) = (x + dx - QUIET_ZONE, y - QUIET_ZONE);
                assert!(!covered[my * modules.width() + mx], "runs overlap");
                covered[my * modules.width() + mx] = true;
            }
        }
        for y in 0..modules.width() {
            for x in 0..modules.width() {
                assert_eq!(covered[y * modules.width() + x], modules.is_dark(x, y));
            }
        }
    }
}
