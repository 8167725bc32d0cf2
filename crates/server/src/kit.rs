//! The emergency kit: a one-page A4 PDF a person prints and keeps, with their recovery codes, the
//! authenticator key grouped in fours and its QR code, and what each is for ("Keep the PDF
//! document with the secret key in a secure location. We recommend that you print out the
//! document."). It owns the layout and the wording of the page.
//!
//! It must not do I/O, read the clock or log: the codes and the key are secrets, so the caller
//! gets bytes and decides where they go. Its words are the person's language's
//! (`locales/*/security.ftl`, `security-kit-…`). Text uses the PDF base fonts (Helvetica,
//! Courier Bold) with WinAnsiEncoding and nothing embedded, so every string on the page is kept
//! to what that encoding holds (ASCII, Latin-1 with ä ö ü ß, and „ “ – €); anything else becomes
//! `?`.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use portcullis_core::locale::Language;

use crate::i18n::{Arg, text};
use crate::qr::{Modules, QUIET_ZONE};

/// What goes on the page. Strings are shown as given, after characters WinAnsiEncoding lacks
/// become `?`.
pub struct KitContent<'a> {
    /// The product name, e.g. "Portcullis".
    pub product: &'a str,
    /// The account's email address.
    pub account: &'a str,
    /// The server's public URL.
    pub server_url: &'a str,
    /// When the kit was made, already formatted, e.g. "22 November 2026, 20:15 UTC".
    pub created: &'a str,
    /// The recovery codes as displayed, e.g. "1234-5678-9012-3456". The page is laid out for ten
    /// (`portcullis_core::recovery::CODES_PER_SET`); up to fourteen fit.
    pub recovery_codes: &'a [String],
    /// The TOTP secret in base32; printed grouped in fours.
    pub totp_secret_base32: Option<&'a str>,
    /// The `otpauth://` URI; drawn as a QR code.
    pub otpauth_uri: Option<&'a str>,
}

// A4 in points, with 20 mm margins.
const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 56.7;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// The QR code's side with its quiet zone: about 0.95 mm per module for a typical otpauth URI.
const QR_SIZE: f32 = 160.0;
/// The footer's rule; nothing is drawn below it but the footer line.
const FOOTER_TOP: f32 = MARGIN + 16.0;

// Gray levels: 0 is black ink, 1 is paper.
const INK: f32 = 0.0;
const MUTED: f32 = 0.38;
const RULE: f32 = 0.78;
const SHADE: f32 = 0.95;

/// The three base fonts the page uses, none embedded.
#[derive(Clone, Copy)]
enum Font {
    Regular,
    Bold,
    Mono,
}

// Advance widths in 1/1000 em for ASCII 32..=126 under WinAnsiEncoding, from Adobe's AFM files.
#[rustfmt::skip]
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
#[rustfmt::skip]
const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

impl Font {
    const ALL: [Font; 3] = [Font::Regular, Font::Bold, Font::Mono];

    fn resource(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
            Font::Mono => Name(b"F3"),
        }
    }

    fn base(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"Helvetica"),
            Font::Bold => Name(b"Helvetica-Bold"),
            Font::Mono => Name(b"Courier-Bold"),
        }
    }

    /// The width of already sanitised text in points.
    fn width(self, text: &str, size: f32) -> f32 {
        let units: u32 = text.chars().map(|c| self.units(c)).sum();
        units as f32 * size / 1000.0
    }

    /// One character's advance width in 1/1000 em. An accented letter is as wide as its base
    /// letter in these fonts; the few punctuation marks beyond ASCII come from the AFM files.
    fn units(self, c: char) -> u32 {
        let table = match self {
            Font::Mono => return 600,
            Font::Regular => &HELVETICA,
            Font::Bold => &HELVETICA_BOLD,
        };
        let ascii = |c: char| {
            let index = (c as usize).wrapping_sub(usize::from(b' '));
            table.get(index).copied().map(u32::from)
        };
        let bold = matches!(self, Font::Bold);
        let width = match c {
            ' '..='~' => ascii(c),
            '\u{df}' => Some(611),
            '\u{201e}' | '\u{201c}' | '\u{201d}' => Some(if bold { 500 } else { 333 }),
            '\u{201a}' | '\u{2018}' | '\u{2019}' => Some(if bold { 278 } else { 222 }),
            '\u{2013}' | '\u{20ac}' => Some(556),
            '\u{2014}' | '\u{2026}' => Some(1000),
            _ => base_letter(c).and_then(ascii),
        };
        // Anything else: wide enough that a line never runs past the margin.
        width.unwrap_or(1000)
    }
}

/// The letter an accented Latin-1 letter is built on ('ä' → 'a'), for its width.
fn base_letter(c: char) -> Option<char> {
    const BASES: [(&str, char); 12] = [
        ("ÀÁÂÃÄÅ", 'A'),
        ("àáâãäå", 'a'),
        ("ÈÉÊË", 'E'),
        ("èéêë", 'e'),
        ("ÌÍÎÏ", 'I'),
        ("ÒÓÔÕÖØ", 'O'),
        ("òóôõöø", 'o'),
        ("ÙÚÛÜ", 'U'),
        ("ùúûü", 'u'),
        ("Çç", 'C'),
        ("Ññ", 'N'),
        ("Ýýÿ", 'Y'),
    ];
    BASES
        .iter()
        .find(|(letters, _)| letters.contains(c))
        .map(|(_, base)| match c {
            'ç' => 'c',
            'ñ' => 'n',
            'ý' | 'ÿ' => 'y',
            _ => *base,
        })
}

/// The WinAnsiEncoding byte of `c`, if the encoding has it: printable ASCII, Latin-1's
/// printable half, and the few signs Windows-1252 puts in 0x80..0x9F.
fn win_ansi(c: char) -> Option<u8> {
    const EXTRA: [(char, u8); 27] = [
        ('\u{20ac}', 0x80),
        ('\u{201a}', 0x82),
        ('\u{0192}', 0x83),
        ('\u{201e}', 0x84),
        ('\u{2026}', 0x85),
        ('\u{2020}', 0x86),
        ('\u{2021}', 0x87),
        ('\u{02c6}', 0x88),
        ('\u{2030}', 0x89),
        ('\u{0160}', 0x8a),
        ('\u{2039}', 0x8b),
        ('\u{0152}', 0x8c),
        ('\u{017d}', 0x8e),
        ('\u{2018}', 0x91),
        ('\u{2019}', 0x92),
        ('\u{201c}', 0x93),
        ('\u{201d}', 0x94),
        ('\u{2022}', 0x95),
        ('\u{2013}', 0x96),
        ('\u{2014}', 0x97),
        ('\u{02dc}', 0x98),
        ('\u{2122}', 0x99),
        ('\u{0161}', 0x9a),
        ('\u{203a}', 0x9b),
        ('\u{0153}', 0x9c),
        ('\u{017e}', 0x9e),
        ('\u{0178}', 0x9f),
    ];
    match c {
        ' '..='~' | '\u{a0}'..='\u{ff}' => u8::try_from(u32::from(c)).ok(),
        _ => EXTRA.iter().find(|(x, _)| *x == c).map(|(_, b)| *b),
    }
}

/// Only what WinAnsiEncoding holds: the base fonts cannot show anything else without embedding
/// a font. Line breaks and tabs become spaces, anything else `?`.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\t' => ' ',
            c if win_ansi(c).is_some() => c,
            _ => '?',
        })
        .collect()
}

/// Sanitised text as the bytes a WinAnsiEncoding font shows.
fn encode(text: &str) -> Vec<u8> {
    text.chars().map(|c| win_ansi(c).unwrap_or(b'?')).collect()
}

/// Breaks sanitised text into lines no wider than `width`, at spaces where it can and inside a
/// word (a long email address or URL) where it must.
fn wrap(text: &str, font: Font, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if font.width(&candidate, size) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            if !line.is_empty() && font.width(&format!("{line}{c}"), size) > width {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The base32 key in groups of four, as people copy it: "JBSW Y3DP EHPK 3PXP".
fn group_in_fours(secret: &str) -> Vec<String> {
    let compact: Vec<char> = secret.chars().filter(|c| !c.is_whitespace()).collect();
    compact
        .chunks(4)
        .map(|group| group.iter().collect())
        .collect()
}

/// A content stream with a cursor: `y` is the baseline of the next line, in PDF points from the
/// bottom of the page.
struct Page {
    content: Content,
    y: f32,
}

impl Page {
    fn text(&mut self, font: Font, size: f32, gray: f32, x: f32, y: f32, text: &str) {
        self.content
            .set_fill_gray(gray)
            .begin_text()
            .set_font(font.resource(), size)
            .next_line(x, y)
            .show(Str(&encode(text)))
            .end_text();
    }

    /// Wraps text into `width` from the cursor down, moving the cursor below the last line.
    fn paragraph(&mut self, font: Font, size: f32, x: f32, width: f32, leading: f32, text: &str) {
        for line in wrap(text, font, size, width) {
            self.text(font, size, INK, x, self.y, &line);
            self.y -= leading;
        }
    }

    fn heading(&mut self, text: &str) {
        self.text(Font::Bold, 13.0, INK, MARGIN, self.y, text);
        self.y -= 20.0;
    }

    fn rule(&mut self, y: f32) {
        self.content
            .set_stroke_gray(RULE)
            .set_line_width(0.75)
            .move_to(MARGIN, y)
            .line_to(PAGE_WIDTH - MARGIN, y)
            .stroke();
    }

    /// The QR code, `size` points wide with its quiet zone. The symbol's dark edge lines up with
    /// `right` and `top`, so it aligns with the text; the quiet zone falls on blank paper outside.
    /// All dark modules are one path filled once, so no hairline seams show between them.
    fn qr(&mut self, modules: &Modules, right: f32, top: f32, size: f32) {
        let module = size / modules.width_with_quiet_zone() as f32;
        let left = right - (modules.width() + QUIET_ZONE) as f32 * module;
        let top = top + QUIET_ZONE as f32 * module;
        self.content.set_fill_gray(INK);
        for (mx, my, len) in modules.dark_runs() {
            let bottom = top - (my + 1) as f32 * module;
            self.content.rect(
                left + mx as f32 * module,
                bottom,
                len as f32 * module,
                module,
            );
        }
        self.content.fill_nonzero();
    }
}

/// Renders the emergency kit as a one-page A4 PDF 1.7 document, in the language of the page
/// being answered.
pub fn render(content: &KitContent) -> Vec<u8> {
    render_in(crate::i18n::language(), content)
}

/// Renders the emergency kit in `language`.
pub fn render_in(language: Language, content: &KitContent) -> Vec<u8> {
    let words = |id: &str| printable(&text(language, id, &[]));
    let product = printable(content.product);
    let title = printable(&text(
        language,
        "security-kit-title",
        &[("product", Arg::from(content.product))],
    ));
    let mut page = Page {
        content: Content::new(),
        y: PAGE_HEIGHT - MARGIN - 20.0,
    };

    for line in wrap(&title, Font::Bold, 24.0, CONTENT_WIDTH) {
        page.text(Font::Bold, 24.0, INK, MARGIN, page.y, &line);
        page.y -= 28.0;
    }
    page.text(
        Font::Regular,
        11.0,
        MUTED,
        MARGIN,
        page.y + 4.0,
        &words("security-kit-print"),
    );
    page.y -= 12.0;
    page.rule(page.y);
    page.y -= 24.0;

    let value_x = MARGIN + 72.0;
    for (label, value) in [
        ("security-kit-account", content.account),
        ("security-kit-server", content.server_url),
        ("security-kit-created", content.created),
    ] {
        page.text(Font::Bold, 8.5, MUTED, MARGIN, page.y + 0.5, &words(label));
        let width = CONTENT_WIDTH - 72.0;
        page.paragraph(Font::Regular, 11.0, value_x, width, 15.0, &printable(value));
        page.y -= 3.0;
    }
    page.y -= 14.0;

    instructions(&mut page, &words);

    let tick = words("security-kit-tick");
    let tick_x = PAGE_WIDTH - MARGIN - Font::Regular.width(&tick, 9.0);
    page.text(Font::Regular, 9.0, MUTED, tick_x, page.y, &tick);
    page.heading(&words("security-kit-codes"));
    recovery_codes(&mut page, content.recovery_codes);

    // Only data far longer than any otpauth URI fails to encode; the key alone still works then.
    let qr = content
        .otpauth_uri
        .and_then(|uri| Modules::encode(uri).ok());
    if content.totp_secret_base32.is_some() || qr.is_some() {
        page.heading(&words("security-kit-key"));
        authenticator(&mut page, content.totp_secret_base32, qr.as_ref(), &words);
    }

    page.rule(FOOTER_TOP);
    page.text(
        Font::Regular,
        8.5,
        MUTED,
        MARGIN,
        MARGIN,
        &words("security-kit-footer"),
    );

    finish(&title, &product, language, page.content)
}

/// What each part of the page is for, as a shaded block of bullet points.
fn instructions(page: &mut Page, words: &dyn Fn(&str) -> String) {
    let points = [
        "security-kit-point-once",
        "security-kit-point-remove",
        "security-kit-point-key",
        "security-kit-point-keep",
    ]
    .map(words);
    let (size, leading, indent, padding) = (10.0, 13.5, 14.0, 12.0);
    let text_width = CONTENT_WIDTH - 2.0 * padding - indent;
    let lines: usize = points
        .iter()
        .map(|p| wrap(p, Font::Regular, size, text_width).len())
        .sum();
    let gaps = (points.len() - 1) as f32 * 5.0;
    let height = lines as f32 * leading + gaps + 2.0 * padding - (leading - size);
    let top = page.y + size;
    page.content
        .set_fill_gray(SHADE)
        .rect(MARGIN, top - height, CONTENT_WIDTH, height)
        .fill_nonzero();

    page.y = top - padding - size + 1.5;
    for point in &points {
        page.content
            .set_fill_gray(MUTED)
            .rect(MARGIN + padding, page.y + 2.5, 3.5, 3.5)
            .fill_nonzero();
        let x = MARGIN + padding + indent;
        page.paragraph(Font::Regular, size, x, text_width, leading, point);
        page.y -= 5.0;
    }
    page.y = top - height - 30.0;
}

/// The codes in two numbered columns, each with a box to tick once it is used.
fn recovery_codes(page: &mut Page, codes: &[String]) {
    let (size, row) = (13.0, 24.0);
    let rows = codes.len().div_ceil(2);
    let height = rows as f32 * row + 14.0;
    let top = page.y + 4.0;
    page.content
        .set_stroke_gray(RULE)
        .set_line_width(0.75)
        .rect(MARGIN, top - height, CONTENT_WIDTH, height)
        .stroke();

    let number_width = codes.len().to_string().len();
    for (i, code) in codes.iter().enumerate() {
        let column_x = MARGIN + 18.0 + (i / rows) as f32 * CONTENT_WIDTH / 2.0;
        let baseline = top - 12.0 - size - (i % rows) as f32 * row + 3.0;
        page.content
            .set_stroke_gray(MUTED)
            .set_line_width(0.75)
            .rect(column_x, baseline - 1.0, 9.0, 9.0)
            .stroke();
        let line = format!("{:>number_width$}.  {}", i + 1, printable(code));
        page.text(Font::Mono, size, INK, column_x + 20.0, baseline, &line);
    }
    page.y = top - height - 32.0;
}

/// The key in groups of four beside its QR code; either may be missing.
fn authenticator(
    page: &mut Page,
    secret: Option<&str>,
    qr: Option<&Modules>,
    words: &dyn Fn(&str) -> String,
) {
    // The top of the first line's capitals (Helvetica's cap height is 0.718 em).
    let top = page.y + 7.2;
    // The QR code shrinks rather than let its quiet zone run into the footer, which only a long
    // account name together with more than ten codes can make it do; never below an inch.
    let qr = qr.map(|m| {
        let (modules, quiet) = (m.width_with_quiet_zone() as f32, QUIET_ZONE as f32);
        let room = (top - FOOTER_TOP) * modules / (modules - quiet);
        (m, QR_SIZE.min(room).max(72.0))
    });
    let text_width = match qr {
        // The symbol's quiet zone may fall in the gap between the columns.
        Some((m, size)) => {
            let symbol = size * m.width() as f32 / m.width_with_quiet_zone() as f32;
            CONTENT_WIDTH - symbol - 24.0
        }
        None => CONTENT_WIDTH,
    };
    let how = words(match (qr, secret) {
        (Some(_), Some(_)) => "security-kit-how-scan-or-type",
        (Some(_), None) => "security-kit-how-scan",
        (None, _) => "security-kit-how-type",
    });
    let text = format!("{how} {}", words("security-kit-key-secret"));
    page.paragraph(Font::Regular, 10.0, MARGIN, text_width, 13.5, &text);
    if let Some(secret) = secret {
        page.y -= 12.0;
        let size = 13.0;
        let groups = group_in_fours(&printable(secret));
        // Courier is 0.6 em wide and each group takes four characters and a space. Lines are
        // balanced, so a long key reads as 7 + 6 groups rather than 8 + 5.
        let fit = (((text_width / (0.6 * size)) + 1.0) / 5.0).max(1.0) as usize;
        let per_line = groups
            .len()
            .div_ceil(groups.len().div_ceil(fit).max(1))
            .max(1);
        for line in groups.chunks(per_line) {
            page.text(Font::Mono, size, INK, MARGIN, page.y, &line.join(" "));
            page.y -= 18.0;
        }
    }
    if let Some((modules, size)) = qr {
        page.qr(modules, PAGE_WIDTH - MARGIN, top, size);
    }
}

/// Wraps the content stream into a document with its fonts and document information.
fn finish(title: &str, product: &str, language: Language, content: Content) -> Vec<u8> {
    let catalog_id = Ref::new(1);
    let page_tree_id = Ref::new(2);
    let page_id = Ref::new(3);
    let content_id = Ref::new(4);
    let info_id = Ref::new(5);
    let font_ids = [Ref::new(6), Ref::new(7), Ref::new(8)];

    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id)
        .pages(page_tree_id)
        .lang(TextStr(language.as_str()));
    pdf.pages(page_tree_id).kids([page_id]).count(1);
    let mut pdf_page = pdf.page(page_id);
    pdf_page
        .media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
        .parent(page_tree_id)
        .contents(content_id);
    let mut resources = pdf_page.resources();
    let mut fonts = resources.fonts();
    for (font, id) in Font::ALL.into_iter().zip(font_ids) {
        fonts.pair(font.resource(), id);
    }
    fonts.finish();
    resources.finish();
    pdf_page.finish();

    for (font, id) in Font::ALL.into_iter().zip(font_ids) {
        pdf.type1_font(id)
            .base_font(font.base())
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    pdf.stream(content_id, &content.finish());
    pdf.document_info(info_id)
        .title(TextStr(title))
        .creator(TextStr(product));
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::tests::{Scratch, URI, decode, run, tools_present};

    const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    fn codes() -> Vec<String> {
        (0..10)
            .map(|i| format!("{0}{0}{0}{0}-5678-9012-{1:04}", i, 3456 + i))
            .collect()
    }

    fn kit<'a>(account: &'a str, codes: &'a [String]) -> KitContent<'a> {
        KitContent {
            product: "Portcullis",
            account,
            server_url: "https://auth.example.com",
            created: "22 November 2026, 20:15 UTC",
            recovery_codes: codes,
            totp_secret_base32: Some(SECRET),
            otpauth_uri: Some(URI),
        }
    }

    /// The page's text as `pdftotext` reads it, with every run of white space made one space.
    fn extract_text(pdf: &[u8], scratch: &Scratch) -> String {
        let file = scratch.path("kit.pdf");
        std::fs::write(&file, pdf).unwrap();
        let text = run("pdftotext", &[file.to_str().unwrap(), "-"]);
        let text = String::from_utf8(text).unwrap();
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn the_printed_page_shows_the_account_server_codes_and_grouped_key() {
        if !tools_present(&["pdftotext"]) {
            return;
        }
        let codes = codes();
        let text = extract_text(&render(&kit("alice@example.com", &codes)), &Scratch::new());
        assert!(text.contains("Portcullis emergency kit"), "{text}");
        assert!(text.contains("alice@example.com"), "{text}");
        assert!(text.contains("https://auth.example.com"), "{text}");
        assert!(text.contains("22 November 2026, 20:15 UTC"), "{text}");
        for code in &codes {
            assert!(text.contains(code.as_str()), "{code} missing from {text}");
        }
        assert!(text.contains("10. 9999-5678-9012-3465"), "{text}");
        assert!(
            text.contains("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"),
            "{text}"
        );
        assert!(
            !text.contains(SECRET),
            "the key is only shown grouped: {text}"
        );
    }

    #[test]
    fn the_printed_qr_code_scans_as_the_otpauth_uri() {
        if !tools_present(&["pdftoppm", "zbarimg"]) {
            return;
        }
        let scratch = Scratch::new();
        let codes = codes();
        let pdf = scratch.path("kit.pdf");
        std::fs::write(&pdf, render(&kit("alice@example.com", &codes))).unwrap();
        let prefix = scratch.path("page");
        let (pdf, prefix) = (pdf.to_str().unwrap(), prefix.to_str().unwrap());
        run(
            "pdftoppm",
            &["-r", "150", "-png", "-singlefile", pdf, prefix],
        );
        let image = scratch.path("page.png");
        if let Ok(folder) = std::env::var("PORTCULLIS_KIT_PREVIEW_DIR") {
            std::fs::copy(&image, std::path::Path::new(&folder).join("kit.png")).unwrap();
        }
        assert_eq!(decode(&image), URI);
    }

    #[test]
    fn german_letters_are_printed_and_what_the_fonts_lack_is_a_question_mark() {
        if !tools_present(&["pdftotext"]) {
            return;
        }
        let codes = codes();
        let pdf = render(&kit("j\u{f6}rg@m\u{fc}ller.example", &codes));
        let text = extract_text(&pdf, &Scratch::new());
        assert!(text.contains("jörg@müller.example"), "{text}");
        let pdf = render(&kit("\u{4e2d}\u{6587}@example.com", &codes));
        let text = extract_text(&pdf, &Scratch::new());
        assert!(text.contains("??@example.com"), "{text}");
    }

    #[test]
    fn the_german_kit_reads_back_with_its_umlauts_sharp_s_and_quotes() {
        if !tools_present(&["pdftotext"]) {
            return;
        }
        let codes = codes();
        let mut content = kit("grüße@straße.example", &codes);
        content.created = "22. November 2026, 20:15 MEZ";
        let pdf = render_in(Language::De, &content);
        let text = extract_text(&pdf, &Scratch::new());
        for words in [
            "Portcullis-Notfall-Kit",
            "grüße@straße.example",
            "Wiederherstellungscodes",
            "Kreuzen Sie ein Kästchen an",
            "Zwei-Faktor-Authentifizierung",
            "löschen Sie danach die heruntergeladene Kopie.",
            "Behandeln Sie ihn wie ein Passwort.",
            "JBSW Y3DP EHPK 3PXP",
        ] {
            assert!(text.contains(words), "{words} missing from {text}");
        }
        // German quotes, through a message of this page's own words.
        let quoted = printable("„Das war ich nicht“ – 5 €");
        assert_eq!(quoted, "„Das war ich nicht“ – 5 €");
        assert_eq!(encode(&quoted)[0], 0x84);
        let pdf = String::from_utf8_lossy(&pdf).into_owned();
        assert!(pdf.contains("/Lang (de)"), "the document says its language");
    }

    #[test]
    fn the_document_is_pdf_1_7_with_title_and_creator() {
        let codes = codes();
        let pdf = render(&kit("alice@example.com", &codes));
        assert!(pdf.starts_with(b"%PDF-1.7"));
        let pdf = String::from_utf8_lossy(&pdf);
        assert!(pdf.contains("/Title (Portcullis emergency kit)"));
        assert!(pdf.contains("/Creator (Portcullis)"));
        assert!(pdf.contains("/Count 1"));
        assert!(pdf.contains("/BaseFont /Courier"));
    }

    #[test]
    fn the_kit_gives_the_same_advice_as_the_recovery_codes_page() {
        // The page offers the PDF to download, so the kit must not forbid a saved copy: both say
        // to print it or keep the file away from the computer and the phone, and to delete the
        // download.
        let codes = codes();
        let pdf = String::from_utf8_lossy(&render(&kit("alice@example.com", &codes))).into_owned();
        let text: String = pdf
            .lines()
            .filter_map(|l| l.strip_suffix(") Tj"))
            .filter_map(|l| l.split_once('(').map(|(_, t)| t))
            .collect::<Vec<_>>()
            .join(" ");
        for advice in [
            "Keep this page printed, or the file somewhere safe away from your computer",
            "then delete the downloaded copy.",
            "two-factor authentication",
        ] {
            assert!(text.contains(advice), "{advice} missing from {text}");
        }
        assert!(!text.contains("Do not keep a photo or copy"), "{text}");
        assert!(!text.contains("two-step"), "{text}");
        let page = include_str!("../locales/en/security.ftl");
        assert!(page.contains("then delete the downloaded copy."));
        assert!(!page.contains("Copy codes"));
    }

    #[test]
    fn a_kit_without_an_authenticator_leaves_out_the_key_section() {
        let codes = codes();
        let content = KitContent {
            totp_secret_base32: None,
            otpauth_uri: None,
            ..kit("alice@example.com", &codes)
        };
        let pdf = String::from_utf8_lossy(&render(&content)).into_owned();
        assert!(pdf.contains("(Recovery codes)"));
        assert!(!pdf.contains("(Authenticator key)"));
    }

    #[test]
    fn wrapping_keeps_every_line_within_the_width_and_loses_no_character() {
        let long = format!("{}@example.com and more words", "a".repeat(120));
        let lines = wrap(&long, Font::Regular, 11.0, 200.0);
        assert!(lines.len() > 2);
        for line in &lines {
            assert!(Font::Regular.width(line, 11.0) <= 200.0, "{line}");
        }
        assert_eq!(lines.concat().replace(' ', ""), long.replace(' ', ""));
        assert_eq!(wrap("", Font::Bold, 10.0, 100.0), vec![String::new()]);
    }

    #[test]
    fn the_key_is_grouped_in_fours_and_what_win_ansi_lacks_becomes_a_question_mark() {
        assert_eq!(group_in_fours("JBSWY3DPEH"), ["JBSW", "Y3DP", "EH"]);
        assert_eq!(group_in_fours("JBSW Y3DP"), ["JBSW", "Y3DP"]);
        assert_eq!(printable("\u{e9}t\u{e9}\n(x)\u{3b1}"), "\u{e9}t\u{e9} (x)?");
        assert_eq!(
            encode("\u{e4}\u{df}\u{201e}\u{201c}"),
            [0xe4, 0xdf, 0x84, 0x93]
        );
        // An umlaut is as wide as its letter: "ä" as "a".
        assert_eq!(
            Font::Regular.width("\u{e4}", 10.0),
            Font::Regular.width("a", 10.0)
        );
        // Helvetica's widths: "Hi" is 722 + 222 units.
        assert!((Font::Regular.width("Hi", 10.0) - 9.44).abs() < 1e-4);
    }
}
