//! Module bodies and descriptions are Markdown written by programme staff. They are rendered
//! with pulldown-cmark and then sanitised with ammonia, after rendering and never before, so
//! that no script, event handler or foreign frame written into the Markdown reaches a page.
//! Headings move one level down: the page's own title is its only `<h1>`.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

/// `markdown` as HTML that is safe to put in a page as it is.
pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut rendered = String::with_capacity(markdown.len() * 3 / 2);
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: one_down(level),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(one_down(level))),
        other => other,
    });
    html::push_html(&mut rendered, events);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .clean(&rendered)
        .to_string()
}

fn one_down(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        HeadingLevel::H5 | HeadingLevel::H6 => HeadingLevel::H6,
    }
}

#[cfg(test)]
mod tests {
    use super::to_safe_html;

    #[test]
    fn markdown_becomes_html_without_anything_that_runs() {
        let html =
            to_safe_html("# Title\n\n**Bold** and a [link](https://example.com).\n\n| a | b |\n|---|---|\n| 1 | 2 |");
        assert!(
            html.contains("<h2>Title</h2>"),
            "the page's title is its only h1: {html}"
        );
        assert!(html.contains("<strong>Bold</strong>"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains(r#"rel="noopener noreferrer""#), "{html}");

        let hostile = to_safe_html(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[x](javascript:alert(3))\n\n<iframe src=//evil></iframe>",
        );
        for forbidden in ["<script", "onerror", "javascript:", "<iframe"] {
            assert!(!hostile.contains(forbidden), "{forbidden} survived: {hostile}");
        }
    }
}
