//! Charts over time as hand-made SVG, rendered on the server so they read without JavaScript:
//! lines (solid or dashed), translucent bands between two lines, horizontal levels (such as tier
//! thresholds) and a "today" marker, on date and count axes. Colours come from the stylesheet
//! through class names. Each chart carries a `<title>` and `<desc>`; pages put a data table
//! beside it for screen readers. A few hundred lines of our own instead of a charting library:
//! what is drawn is simple, and the output stays small and styleable.

use std::fmt::Write as _;

use time::{Date, Month};

/// The drawing area and its margins, in the SVG's own units. A chart is drawn twice, wide and
/// narrow, and the stylesheet shows the one that fits: scaled down to a phone, the wide one's
/// 12-unit labels would read at 6 px.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Frame {
    width: f64,
    height: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    /// The most month labels the date axis has room for.
    months: usize,
    /// The class beside `chart` that the stylesheet shows or hides.
    class: &'static str,
}

const WIDE: Frame = Frame {
    width: 720.0,
    height: 320.0,
    left: 64.0,
    right: 16.0,
    top: 16.0,
    bottom: 32.0,
    months: 8,
    class: "wide",
};

/// About a phone's width, so labels keep their size there.
const NARROW: Frame = Frame {
    width: 340.0,
    height: 260.0,
    left: 56.0,
    right: 12.0,
    top: 16.0,
    bottom: 32.0,
    months: 4,
    class: "narrow",
};

/// One series: its points in date order.
#[derive(Debug, Clone)]
pub struct Line {
    pub points: Vec<(Date, f64)>,
    /// The stylesheet's class for its colour (`actual`, `target`, `forecast`).
    pub class: &'static str,
    pub dashed: bool,
}

/// The area between two series over the same dates, `lower[i].0 == upper[i].0`.
#[derive(Debug, Clone)]
pub struct Band {
    pub lower: Vec<(Date, f64)>,
    pub upper: Vec<(Date, f64)>,
    pub class: &'static str,
}

/// A horizontal line at `value` with its label.
#[derive(Debug, Clone)]
pub struct Level {
    pub value: f64,
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct TimeChart {
    /// Shown to assistive technology as the chart's name; pages show their own heading.
    pub title: String,
    pub description: String,
    pub from: Date,
    pub to: Date,
    pub bands: Vec<Band>,
    pub lines: Vec<Line>,
    pub levels: Vec<Level>,
    pub today: Option<Date>,
    /// Tells several charts on one page apart (ids of `<title>` and `<desc>`).
    pub id: &'static str,
}

impl TimeChart {
    fn y_max(&self) -> f64 {
        let points = self.lines.iter().flat_map(|l| l.points.iter());
        let bands = self.bands.iter().flat_map(|b| b.upper.iter());
        let highest = points.chain(bands).map(|(_, y)| *y).fold(0.0_f64, f64::max);
        let levels = self.levels.iter().map(|l| l.value).fold(highest, f64::max);
        nice_ceiling(levels.max(1.0) * 1.05)
    }

    fn x(&self, frame: &Frame, date: Date) -> f64 {
        let span = (self.to - self.from).whole_days().max(1) as f64;
        let offset = (date - self.from).whole_days() as f64;
        frame.left + (frame.width - frame.left - frame.right) * (offset / span).clamp(0.0, 1.0)
    }

    fn y(&self, frame: &Frame, value: f64, y_max: f64) -> f64 {
        frame.top + (frame.height - frame.top - frame.bottom) * (1.0 - (value / y_max).clamp(0.0, 1.0))
    }

    fn path(&self, frame: &Frame, points: &[(Date, f64)], y_max: f64) -> String {
        let mut d = String::new();
        for (i, (date, value)) in points.iter().enumerate() {
            let command = if i == 0 { 'M' } else { 'L' };
            let _ = write!(
                d,
                "{command}{:.1},{:.1}",
                self.x(frame, *date),
                self.y(frame, *value, y_max)
            );
        }
        d
    }

    /// The chart as two inline `<svg>` elements, wide and narrow, of which the stylesheet shows
    /// one (the other is `display: none`, so assistive technology meets the chart once).
    pub fn svg(&self) -> String {
        format!("{}{}", self.svg_in(&WIDE), self.svg_in(&NARROW))
    }

    fn svg_in(&self, frame: &Frame) -> String {
        let y_max = self.y_max();
        let Frame {
            width,
            height,
            left,
            right,
            top,
            bottom,
            class,
            ..
        } = *frame;
        let mut out = String::new();
        let _ = write!(
            out,
            r#"<svg class="chart {class}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-{class}-title {id}-{class}-desc" preserveAspectRatio="xMidYMid meet"><title id="{id}-{class}-title">{}</title><desc id="{id}-{class}-desc">{}</desc>"#,
            escape(&self.title),
            escape(&self.description),
            id = self.id,
        );
        self.write_axes(frame, &mut out, y_max);
        for band in &self.bands {
            let mut outline: Vec<(Date, f64)> = band.upper.clone();
            outline.extend(band.lower.iter().rev().copied());
            let _ = write!(
                out,
                r#"<path class="band {}" d="{}Z"/>"#,
                band.class,
                self.path(frame, &outline, y_max)
            );
        }
        for level in &self.levels {
            let y = self.y(frame, level.value, y_max);
            let _ = write!(
                out,
                r#"<line class="level" x1="{left}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="level-label" x="{:.1}" y="{:.1}">{}</text>"#,
                width - right,
                left + 4.0,
                y - 4.0,
                escape(&level.label)
            );
        }
        for line in &self.lines {
            let dash = if line.dashed { " dashed" } else { "" };
            let _ = write!(
                out,
                r#"<path class="line {}{dash}" d="{}"/>"#,
                line.class,
                self.path(frame, &line.points, y_max)
            );
        }
        if let Some(today) = self.today.filter(|d| (self.from..=self.to).contains(d)) {
            let x = self.x(frame, today);
            let _ = write!(
                out,
                r#"<line class="today" x1="{x:.1}" x2="{x:.1}" y1="{top}" y2="{:.1}"/><text class="today-label" x="{:.1}" y="{:.1}">today</text>"#,
                height - bottom,
                x + 4.0,
                top + 12.0
            );
        }
        out.push_str("</svg>");
        out
    }

    fn write_axes(&self, frame: &Frame, out: &mut String, y_max: f64) {
        let Frame {
            width,
            height,
            left,
            right,
            bottom,
            ..
        } = *frame;
        let step = nice_step(y_max / 4.0);
        let mut value = 0.0;
        while value <= y_max + step * 0.01 {
            let y = self.y(frame, value, y_max);
            let _ = write!(
                out,
                r#"<line class="grid" x1="{left}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                width - right,
                left - 8.0,
                y + 4.0,
                crate::pages::thousands(value.round() as i64)
            );
            value += step;
        }
        let months = month_ticks(self.from, self.to);
        let every = months.len().div_ceil(frame.months).max(1);
        for (i, first) in months.iter().enumerate().filter(|(i, _)| i % every == 0) {
            let x = self.x(frame, *first);
            let label = if i == 0 || first.month() == Month::January {
                format!("{} {}", short_month(first.month()), first.year())
            } else {
                short_month(first.month()).to_owned()
            };
            let _ = write!(
                out,
                r#"<text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle">{label}</text>"#,
                height - bottom + 20.0
            );
        }
        let _ = write!(
            out,
            r#"<line class="axis" x1="{left}" x2="{:.1}" y1="{:.1}" y2="{:.1}"/>"#,
            width - right,
            height - bottom,
            height - bottom
        );
    }
}

/// One bar of a [`histogram`].
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: f64,
}

/// Vertical bars side by side, each labelled underneath and its value printed above it.
pub fn histogram(id: &str, title: &str, description: &str, bars: &[Bar]) -> String {
    let Frame {
        width,
        height,
        left,
        right,
        top,
        bottom,
        ..
    } = WIDE;
    let highest = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max).max(1.0);
    let slot = (width - left - right) / bars.len().max(1) as f64;
    let floor = height - bottom;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(description)
    );
    for (i, bar) in bars.iter().enumerate() {
        let tall = (floor - top - 16.0) * bar.value / highest;
        let x = left + slot * i as f64;
        let middle = x + slot / 2.0;
        let _ = write!(
            out,
            r#"<rect class="column" x="{:.1}" y="{:.1}" width="{:.1}" height="{tall:.1}"/><text class="tick" x="{middle:.1}" y="{:.1}" text-anchor="middle">{}</text><text class="tick" x="{middle:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x + slot * 0.1,
            floor - tall,
            slot * 0.8,
            floor - tall - 4.0,
            crate::pages::thousands(bar.value.round() as i64),
            floor + 20.0,
            escape(&bar.label)
        );
    }
    let _ = write!(
        out,
        r#"<line class="axis" x1="{left}" x2="{:.1}" y1="{floor}" y2="{floor}"/></svg>"#,
        width - right
    );
    out
}

/// The first day of every month after `from` up to `to`.
fn month_ticks(from: Date, to: Date) -> Vec<Date> {
    let mut ticks = Vec::new();
    let mut month = Date::from_calendar_date(from.year(), from.month(), 1).ok();
    while let Some(first) = month {
        if first > to {
            break;
        }
        if first >= from {
            ticks.push(first);
        }
        let (year, next) = match first.month() {
            Month::December => (first.year() + 1, Month::January),
            other => (first.year(), other.next()),
        };
        month = Date::from_calendar_date(year, next, 1).ok();
    }
    ticks
}

fn short_month(month: Month) -> &'static str {
    match month {
        Month::January => "Jan",
        Month::February => "Feb",
        Month::March => "Mar",
        Month::April => "Apr",
        Month::May => "May",
        Month::June => "Jun",
        Month::July => "Jul",
        Month::August => "Aug",
        Month::September => "Sep",
        Month::October => "Oct",
        Month::November => "Nov",
        Month::December => "Dec",
    }
}

/// 1, 2 or 5 times a power of ten, at least `rough`.
fn nice_step(rough: f64) -> f64 {
    let magnitude = 10f64.powf(rough.max(1.0).log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * magnitude)
}

/// The smallest multiple of a nice step that holds `value`.
fn nice_ceiling(value: f64) -> f64 {
    let step = nice_step(value / 4.0);
    (value / step).ceil() * step
}

/// Text as SVG (XML) content or attribute value.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn chart() -> TimeChart {
        TimeChart {
            title: "Head <count> & more".to_owned(),
            description: "A test".to_owned(),
            from: date!(2026 - 01 - 01),
            to: date!(2026 - 12 - 31),
            bands: vec![Band {
                lower: vec![(date!(2026 - 06 - 01), 10.0), (date!(2026 - 12 - 31), 20.0)],
                upper: vec![(date!(2026 - 06 - 01), 30.0), (date!(2026 - 12 - 31), 60.0)],
                class: "forecast",
            }],
            lines: vec![Line {
                points: vec![(date!(2026 - 01 - 01), 0.0), (date!(2026 - 12 - 31), 40.0)],
                class: "actual",
                dashed: false,
            }],
            levels: vec![Level {
                value: 50.0,
                label: "Select".to_owned(),
            }],
            today: Some(date!(2026 - 06 - 01)),
            id: "test",
        }
    }

    #[test]
    fn the_svg_names_itself_and_escapes_its_text() {
        let svg = chart().svg();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<svg").count(), 2, "drawn wide and narrow");
        assert!(svg.contains(r#"<title id="test-wide-title">Head &lt;count&gt; &amp; more</title>"#));
        assert!(svg.contains(r#"<title id="test-narrow-title">"#));
        assert!(svg.contains(r#"class="band forecast""#));
        assert!(svg.contains(r#"class="line actual""#));
        assert!(svg.contains(">Select</text>") && svg.contains(">today</text>"));
        assert!(svg.contains(">Jan 2026</text>"));
    }

    #[test]
    fn points_land_inside_the_plot_area() {
        let chart = chart();
        let y_max = chart.y_max();
        assert!(y_max >= 60.0, "the band's top fits: {y_max}");
        for frame in [WIDE, NARROW] {
            assert_eq!(chart.x(&frame, date!(2026 - 01 - 01)), frame.left);
            assert_eq!(chart.x(&frame, date!(2026 - 12 - 31)), frame.width - frame.right);
            assert_eq!(chart.y(&frame, 0.0, y_max), frame.height - frame.bottom);
            assert_eq!(chart.y(&frame, y_max, y_max), frame.top);
        }
    }

    #[test]
    fn a_histogram_draws_a_bar_per_band_with_its_count() {
        let bars = [
            Bar {
                label: "100–199".to_owned(),
                value: 0.0,
            },
            Bar {
                label: "700–799".to_owned(),
                value: 12.0,
            },
        ];
        let svg = histogram("h", "Scores", "Two bands", &bars);
        assert_eq!(svg.matches("<rect class=\"column\"").count(), 2);
        assert!(svg.contains(">12</text>") && svg.contains(">700–799</text>"));
    }

    #[test]
    fn steps_are_round_numbers() {
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(12.0), 20.0);
        assert_eq!(nice_step(75_000.0), 100_000.0);
        assert_eq!(nice_ceiling(315_000.0), 400_000.0);
        assert_eq!(month_ticks(date!(2026 - 01 - 15), date!(2026 - 04 - 01)).len(), 3);
    }
}
