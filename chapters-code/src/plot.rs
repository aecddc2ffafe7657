//! Figures as SVG, drawn with `plotters`, and the CSV data behind them.
//!
//! Every figure of the book is a [`LineChart`]: a few named series of points. The same value
//! gives the same SVG bytes on every machine: plotters' SVG backend estimates text sizes with
//! fixed metrics instead of reading system fonts, and our data come from seeded computations.

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;
use std::fmt::Write as _;

/// The colours of the series, in order; chosen to be told apart in colour and in greyscale,
/// and readable on the light and dark mdBook themes' white figure background.
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 90, 181),   // blue
    RGBColor(220, 50, 32),  // red
    RGBColor(0, 140, 70),   // green
    RGBColor(120, 60, 160), // purple
    RGBColor(230, 140, 0),  // orange
    RGBColor(90, 90, 90),   // grey
];

/// One line of a chart.
#[derive(Debug, Clone)]
pub struct Series {
    /// Shown in the legend and written in the CSV's `series` column.
    pub label: String,
    /// The points, in drawing order.
    pub points: Vec<(f64, f64)>,
    /// Draw a marker at each point as well as the line.
    pub markers: bool,
    /// Draw the line dashed (for reference curves and bounds).
    pub dashed: bool,
}

impl Series {
    /// A solid line without markers.
    pub fn line(label: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Series {
            label: label.into(),
            points,
            markers: false,
            dashed: false,
        }
    }

    /// The same series with a marker at each point.
    pub fn with_markers(mut self) -> Self {
        self.markers = true;
        self
    }

    /// The same series drawn dashed.
    pub fn dashed(mut self) -> Self {
        self.dashed = true;
        self
    }
}

/// The points of a per-layer curve: `values[l]` at layer `l + 1`, counting from the input.
pub fn per_layer(values: &[f64]) -> Vec<(f64, f64)> {
    values
        .iter()
        .enumerate()
        .map(|(l, &v)| ((l + 1) as f64, v))
        .collect()
}

/// The points of a per-epoch curve: `values[e]` at epoch `e` (0 before training).
pub fn per_epoch(values: &[f64]) -> Vec<(f64, f64)> {
    values
        .iter()
        .enumerate()
        .map(|(e, &v)| (e as f64, v))
        .collect()
}

/// How the vertical axis is scaled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum YAxis {
    /// A linear axis from the first to the second value.
    Linear(f64, f64),
    /// A base-10 logarithmic axis from the first to the second (positive) value.
    Log(f64, f64),
}

/// Where the legend sits inside the plot area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corner {
    /// Top left.
    UpperLeft,
    /// Top right.
    UpperRight,
    /// Bottom left.
    LowerLeft,
    /// Bottom right.
    LowerRight,
}

/// A tick label: integers without a decimal point, other values with as few digits as show
/// them, and powers of ten on log axes as `1e-6`.
pub fn tick_label(v: f64, log: bool) -> String {
    if log {
        // Adding 0.0 turns -0.0 into 0.0, so 1 is labelled 1e0, not 1e-0.
        let e = v.log10().round() + 0.0;
        if (v / 10f64.powf(e) - 1.0).abs() < 1e-6 {
            return format!("1e{e}");
        }
        return format!("{v:.0e}");
    }
    if (v - v.round()).abs() < 1e-9 * v.abs().max(1.0) {
        return format!("{}", v.round());
    }
    let s = format!("{v:.3}");
    s.trim_end_matches('0').to_string()
}

/// A chart of one or more line series.
#[derive(Debug, Clone)]
pub struct LineChart {
    /// The caption drawn above the plot.
    pub title: String,
    /// The label of the horizontal axis.
    pub x_label: String,
    /// The label of the vertical axis.
    pub y_label: String,
    /// The horizontal range.
    pub x_range: (f64, f64),
    /// The vertical axis.
    pub y_axis: YAxis,
    /// The lines.
    pub series: Vec<Series>,
    /// Where the legend goes: choose a corner the lines leave empty.
    pub legend: Corner,
}

/// A figure could not be drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotError(pub String);

impl std::fmt::Display for PlotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot draw figure: {}", self.0)
    }
}

impl std::error::Error for PlotError {}

fn err(e: impl std::fmt::Display) -> PlotError {
    PlotError(e.to_string())
}

/// Width and height of every figure, in SVG pixels.
pub const SIZE: (u32, u32) = (720, 440);

impl LineChart {
    /// The chart as an SVG document.
    ///
    /// # Errors
    /// When a range is empty or not finite, a log axis is not positive, or plotters fails.
    pub fn to_svg(&self) -> Result<String, PlotError> {
        let (x0, x1) = self.x_range;
        if !(x0.is_finite() && x1.is_finite() && x0 < x1) {
            return Err(PlotError(format!("bad x range {x0}..{x1}")));
        }
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
            root.fill(&WHITE).map_err(err)?;
            match self.y_axis {
                YAxis::Linear(y0, y1) if y0.is_finite() && y1.is_finite() && y0 < y1 => {
                    self.draw(&root, y0..y1, false)?
                }
                YAxis::Log(y0, y1) if y0 > 0.0 && y1.is_finite() && y0 < y1 => {
                    self.draw(&root, (y0..y1).log_scale(), true)?
                }
                other => return Err(PlotError(format!("bad y axis {other:?}"))),
            }
            root.present().map_err(err)?;
        }
        Ok(svg)
    }

    fn draw<Y>(
        &self,
        root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
        y: Y,
        log_y: bool,
    ) -> Result<(), PlotError>
    where
        Y: AsRangedCoord<Value = f64>,
        Y::CoordDescType: ValueFormatter<f64>,
    {
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(72)
            .build_cartesian_2d(self.x_range.0..self.x_range.1, y)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .label_style(("sans-serif", 14))
            .x_label_formatter(&|v| tick_label(*v, false))
            .y_label_formatter(&|v| tick_label(*v, log_y))
            .axis_desc_style(("sans-serif", 15))
            .light_line_style(RGBColor(235, 235, 235))
            .bold_line_style(RGBColor(210, 210, 210))
            .draw()
            .map_err(err)?;
        for (i, s) in self.series.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let style = color.stroke_width(2);
            let pts = s.points.iter().copied();
            let anno = if s.dashed {
                chart
                    .draw_series(DashedLineSeries::new(pts, 6, 4, style))
                    .map_err(err)?
            } else {
                chart
                    .draw_series(LineSeries::new(pts, style))
                    .map_err(err)?
            };
            // A dashed series gets a dashed sample in the legend, so that two series of the
            // same colour (past the palette's end) can be told apart there too.
            let dashed = s.dashed;
            anno.label(&s.label).legend(move |(x, y)| {
                // Two pieces that meet for a solid line and leave a gap for a dashed one.
                let (end, start) = if dashed {
                    (x + 7, x + 13)
                } else {
                    (x + 10, x + 10)
                };
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (end - x, 0)], color.stroke_width(2))
                    + PathElement::new(vec![(start - x, 0), (20, 0)], color.stroke_width(2))
            });
            if s.markers {
                chart
                    .draw_series(s.points.iter().map(|&p| Circle::new(p, 3, color.filled())))
                    .map_err(err)?;
            }
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(180, 180, 180))
            .label_font(("sans-serif", 14))
            .position(match self.legend {
                Corner::UpperLeft => SeriesLabelPosition::UpperLeft,
                Corner::UpperRight => SeriesLabelPosition::UpperRight,
                Corner::LowerLeft => SeriesLabelPosition::LowerLeft,
                Corner::LowerRight => SeriesLabelPosition::LowerRight,
            })
            .draw()
            .map_err(err)?;
        Ok(())
    }

    /// The data behind the chart, one row per point: `series,x,y`, with every digit
    /// needed to read the `f64` back exactly.
    pub fn to_csv(&self) -> String {
        let mut csv = String::from("series,x,y\n");
        for s in &self.series {
            for (x, y) in &s.points {
                // A label never contains a comma or quote: we write them ourselves.
                let _ = writeln!(csv, "{},{x:?},{y:?}", s.label);
            }
        }
        csv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(y_axis: YAxis) -> LineChart {
        LineChart {
            title: "t".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            x_range: (0.0, 1.0),
            y_axis,
            series: vec![Series::line("a", vec![(0.0, 1.0), (1.0, 2.0)]).with_markers()],
            legend: Corner::UpperLeft,
        }
    }

    #[test]
    fn draws_the_same_bytes_twice() {
        let c = chart(YAxis::Log(0.5, 4.0));
        let a = c.to_svg().unwrap();
        assert!(a.starts_with("<svg"));
        assert_eq!(a, c.to_svg().unwrap());
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(tick_label(2.0, false), "2");
        assert_eq!(tick_label(-0.25, false), "-0.25");
        assert_eq!(tick_label(1e-6, true), "1e-6");
        assert_eq!(tick_label(0.9999999999, true), "1e0");
    }

    #[test]
    fn rejects_bad_axes() {
        assert!(chart(YAxis::Log(0.0, 1.0)).to_svg().is_err());
        assert!(chart(YAxis::Linear(1.0, 1.0)).to_svg().is_err());
        assert!(chart(YAxis::Linear(f64::NAN, 1.0)).to_svg().is_err());
    }

    #[test]
    fn csv_round_trips_every_value() {
        let c = chart(YAxis::Linear(0.0, 3.0));
        let csv = c.to_csv();
        let y: f64 = csv
            .lines()
            .nth(2)
            .unwrap()
            .split(',')
            .nth(2)
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(y, 2.0);
    }
}
