//! The dashboard's charts, drawn as SVG by plotters (its SVG backend only:
//! no fonts or bitmaps to ship). Each chart sits beside a table of the
//! same numbers, which is what a screen reader, a printout in black and
//! white and a CSV export use.

use plotters::prelude::*;

/// A line of net collections (rupees) over periods, oldest first, each
/// keyed by its day (`YYYY-MM-DD`) or month (`YYYY-MM`), beside a dashed
/// line of the dues expected in each. The x axis is time, so a day or
/// month with nothing collected shows as a gap in the dates, not as a
/// neighbour. An empty series draws an empty chart.
pub fn collections_svg(
    points: &[(String, i64, i64)],
    caption: &str,
    expected_label: &str,
) -> Result<String, String> {
    let held: Vec<(i64, i64, i64)> = points
        .iter()
        .filter_map(|(k, v, e)| ordinal(k).map(|x| (x, *v, *e)))
        .collect();
    // A period the rollup has no row for collected nothing: it is drawn
    // as zero, not bridged by a line (up to a few years of days).
    let all: Vec<(i64, i64, i64)> = match (held.first(), held.last()) {
        (Some(a), Some(b)) if b.0 - a.0 < 5000 => {
            let by: std::collections::HashMap<i64, (i64, i64)> =
                held.iter().map(|&(x, v, e)| (x, (v, e))).collect();
            (a.0..=b.0)
                .map(|x| {
                    let (v, e) = by.get(&x).copied().unwrap_or((0, 0));
                    (x, v, e)
                })
                .collect()
        }
        _ => held,
    };
    let xy: Vec<(i64, i64)> = all.iter().map(|&(x, v, _)| (x, v)).collect();
    let due: Vec<(i64, i64)> = all.iter().map(|&(x, _, e)| (x, e)).collect();
    let monthly = points.first().is_some_and(|(k, _, _)| k.len() == 7);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 280)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let max = xy.iter().chain(&due).map(|p| p.1).max().unwrap_or(0).max(1);
        let min = xy.iter().map(|p| p.1).min().unwrap_or(0).min(0);
        let first = xy.first().map_or(0, |p| p.0);
        let last = xy.last().map_or(0, |p| p.0).max(first + 1);
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(80)
            .build_cartesian_2d(first..last, min..max + max / 10 + 1)
            .map_err(|e| e.to_string())?;
        let label = |x: &i64| {
            if monthly {
                month_label(*x)
            } else {
                day_label(*x)
            }
        };
        chart
            .configure_mesh()
            .x_labels(8)
            .x_label_formatter(&label)
            .y_label_formatter(&|v| dastak_core::domain::money::group_indian(v.unsigned_abs()))
            .draw()
            .map_err(|e| e.to_string())?;
        let blue = RGBColor(0x1f, 0x5f, 0x99);
        let grey = RGBColor(0x88, 0x88, 0x88);
        // No expected line when none was given (the page by day, where
        // dues fall on the first of the month and members pay on days of
        // their own: a line of spikes beside a steady one would mislead).
        if due.iter().any(|p| p.1 != 0) {
            chart
                .draw_series(DashedLineSeries::new(
                    due.iter().copied(),
                    6,
                    4,
                    ShapeStyle::from(&grey).stroke_width(2),
                ))
                .map_err(|e| e.to_string())?
                .label(expected_label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], grey));
        }
        chart
            .draw_series(LineSeries::new(
                xy.iter().copied(),
                ShapeStyle::from(&blue).stroke_width(2),
            ))
            .map_err(|e| e.to_string())?
            .label(caption)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], blue));
        chart
            .draw_series(
                xy.iter()
                    .filter(|p| p.1 != 0)
                    .map(|&p| Circle::new(p, 3, blue.filled())),
            )
            .map_err(|e| e.to_string())?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

const EPOCH: jiff::civil::Date = jiff::civil::date(2000, 1, 1);

/// A day as days since 2000-01-01; a month as months since year 0.
fn ordinal(key: &str) -> Option<i64> {
    if key.len() == 7 {
        let y: i64 = key.get(..4)?.parse().ok()?;
        let m: i64 = key.get(5..7)?.parse().ok()?;
        return Some(y * 12 + m - 1);
    }
    let d: jiff::civil::Date = key.parse().ok()?;
    Some(d.duration_since(EPOCH).as_secs() / 86_400)
}

/// `23-11`.
fn day_label(x: i64) -> String {
    EPOCH
        .checked_add(jiff::SignedDuration::from_hours(24 * x))
        .map_or_else(|_| String::new(), |d| d.strftime("%d-%m").to_string())
}

/// `11-2026`.
fn month_label(x: i64) -> String {
    format!("{:02}-{}", x.rem_euclid(12) + 1, x.div_euclid(12))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_svg_with_its_caption_and_labels() {
        let pts = vec![
            ("2026-11-01".to_string(), 1200, 3000),
            ("2026-11-02".to_string(), 2500, 0),
        ];
        let svg = collections_svg(&pts, "Collections <&>", "Expected dues").expect("svg");
        assert!(
            svg.contains("Expected dues"),
            "the legend names the dashed line"
        );
        assert!(svg.starts_with("<svg"), "{}", &svg[..40.min(svg.len())]);
        assert!(svg.contains("01-11"), "x labels as dd-mm");
        assert_eq!(ordinal("2026-11"), Some(2026 * 12 + 10));
        assert_eq!(month_label(2026 * 12 + 10), "11-2026");
        assert_eq!(day_label(ordinal("2026-11-23").expect("day")), "23-11");
        // The caption is text in the SVG, escaped.
        assert!(!svg.contains("<&>"));
        assert!(collections_svg(&[], "empty", "due").is_ok());
    }
}
