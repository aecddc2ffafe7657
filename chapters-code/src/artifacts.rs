//! Every file the book's code generates: figures, their data, the numbers the text quotes, and
//! the saved output of the examples.
//!
//! One command regenerates them all (`cargo run -p chapters-code --release --bin figures`), and
//! the book's tests regenerate them in memory and compare byte for byte with the committed files.

use crate::cli::{Args, CliError};
use crate::plot::LineChart;
use crate::{
    ch01_networks, ch01_vanishing, ch02_sigmoid, ch03_tanh, ch04_relu, ch05_leaky, ch06_recurrent,
    ch07_modern, checks,
};
use std::path::{Path, PathBuf};

/// A figure of the book: its name (the file stem) and the function that draws it.
pub struct Figure {
    /// The file stem: `figures/NAME.svg` and `figures/data/NAME.csv`.
    pub name: &'static str,
    /// Builds the chart.
    pub chart: fn() -> LineChart,
}

/// Every figure, in book order.
pub const FIGURES: &[Figure] = &[
    Figure {
        name: "ch01-gradient-by-layer",
        chart: ch01_vanishing::gradient_by_layer_chart,
    },
    Figure {
        name: "ch01-deep-sigmoid",
        chart: || ch01_networks::deep_chart("sigmoid"),
    },
    Figure {
        name: "ch01-deep-tanh",
        chart: || ch01_networks::deep_chart("tanh"),
    },
    Figure {
        name: "ch01-deep-relu",
        chart: || ch01_networks::deep_chart("relu"),
    },
    Figure {
        name: "ch01-deep-elu",
        chart: || ch01_networks::deep_chart("elu"),
    },
    Figure {
        name: "ch01-speed-of-learning-2",
        chart: || ch01_networks::speed_chart(2),
    },
    Figure {
        name: "ch01-speed-of-learning-3",
        chart: || ch01_networks::speed_chart(3),
    },
    Figure {
        name: "ch01-speed-of-learning",
        chart: || ch01_networks::speed_chart(4),
    },
    Figure {
        name: "ch02-sigmoid",
        chart: ch02_sigmoid::sigmoid_chart,
    },
    Figure {
        name: "ch02-odds-logit",
        chart: ch02_sigmoid::odds_logit_chart,
    },
    Figure {
        name: "ch03-tanh",
        chart: ch03_tanh::tanh_chart,
    },
    Figure {
        name: "ch03-mean-activation",
        chart: ch03_tanh::mean_activation_chart,
    },
    Figure {
        name: "ch03-mean-slope",
        chart: ch03_tanh::mean_slope_chart,
    },
    Figure {
        name: "ch03-gradients",
        chart: ch03_tanh::gradient_chart,
    },
    Figure {
        name: "ch03-training",
        chart: ch03_tanh::training_chart,
    },
    Figure {
        name: "ch04-relu",
        chart: ch04_relu::relu_chart,
    },
    Figure {
        name: "ch04-sparsity",
        chart: ch04_relu::sparsity_chart,
    },
    Figure {
        name: "ch04-dying",
        chart: ch04_relu::dying_chart,
    },
    Figure {
        name: "ch04-signal-relu",
        chart: ch04_relu::signal_relu_chart,
    },
    Figure {
        name: "ch04-signal-tanh",
        chart: ch04_relu::signal_tanh_chart,
    },
    Figure {
        name: "ch04-batch-norm-gradients",
        chart: ch04_relu::batch_norm_gradient_chart,
    },
    Figure {
        name: "ch04-batch-norm-training",
        chart: ch04_relu::batch_norm_training_chart,
    },
    Figure {
        name: "ch04-relu-tanh-training",
        chart: ch04_relu::relu_tanh_training_chart,
    },
    Figure {
        name: "ch05-family",
        chart: ch05_leaky::family_chart,
    },
    Figure {
        name: "ch05-leaky-sweep",
        chart: ch05_leaky::sweep_chart,
    },
    Figure {
        name: "ch05-prelu-slopes",
        chart: ch05_leaky::prelu_chart,
    },
    Figure {
        name: "ch05-mean-activation",
        chart: ch05_leaky::mean_activation_chart,
    },
    Figure {
        name: "ch05-training",
        chart: ch05_leaky::family_training_chart,
    },
    Figure {
        name: "ch06-jacobian",
        chart: ch06_recurrent::jacobian_chart,
    },
    Figure {
        name: "ch06-memory",
        chart: ch06_recurrent::memory_chart,
    },
    Figure {
        name: "ch07-selu-variance",
        chart: ch07_modern::selu_variance_chart,
    },
    Figure {
        name: "ch07-selu-mean",
        chart: ch07_modern::selu_mean_chart,
    },
    Figure {
        name: "ch07-smooth",
        chart: ch07_modern::smooth_chart,
    },
    Figure {
        name: "ch07-smooth-derivatives",
        chart: ch07_modern::smooth_derivative_chart,
    },
    Figure {
        name: "ch07-residual-gradients",
        chart: ch07_modern::residual_gradient_chart,
    },
    Figure {
        name: "ch07-residual-training",
        chart: ch07_modern::residual_training_chart,
    },
    Figure {
        name: "ch07-all-training",
        chart: ch07_modern::all_training_chart,
    },
];

/// A saved run of an example: the command line and what it printed.
pub struct SavedOutput {
    /// The file stem: `figures/output/NAME.txt`.
    pub name: &'static str,
    /// The example, as passed to `--example`.
    pub example: &'static str,
    /// Its arguments.
    pub args: &'static [&'static str],
    /// The example's body, the same function its `main` calls.
    pub run: fn(&Args) -> Result<String, CliError>,
    /// The example's options.
    pub spec: &'static crate::cli::Spec,
}

fn run_checks(_: &Args) -> Result<String, CliError> {
    Ok(checks::report())
}

/// The options of the `checks` example (it takes none).
pub const CHECKS_EXAMPLE: crate::cli::Spec = crate::cli::Spec {
    name: "checks",
    about: "Runs the numerical check of every displayed equation of the book.",
    options: &[],
    positional: None,
};

/// Every saved example output.
pub const OUTPUTS: &[SavedOutput] = &[
    SavedOutput {
        name: "ch01_vanishing",
        example: "ch01_vanishing",
        args: &[],
        run: ch01_vanishing::run_example,
        spec: &ch01_vanishing::EXAMPLE,
    },
    SavedOutput {
        name: "ch01_vanishing_weight4",
        example: "ch01_vanishing",
        args: &["--weight", "4"],
        run: ch01_vanishing::run_example,
        spec: &ch01_vanishing::EXAMPLE,
    },
    SavedOutput {
        name: "ch02_sigmoid",
        example: "ch02_sigmoid",
        args: &[],
        run: ch02_sigmoid::run_example,
        spec: &ch02_sigmoid::EXAMPLE,
    },
    SavedOutput {
        name: "ch03_tanh",
        example: "ch03_tanh",
        args: &[],
        run: ch03_tanh::run_example,
        spec: &ch03_tanh::EXAMPLE,
    },
    SavedOutput {
        name: "ch04_relu",
        example: "ch04_relu",
        args: &[],
        run: ch04_relu::run_example,
        spec: &ch04_relu::EXAMPLE,
    },
    SavedOutput {
        name: "ch05_leaky",
        example: "ch05_leaky",
        args: &[],
        run: ch05_leaky::run_example,
        spec: &ch05_leaky::EXAMPLE,
    },
    SavedOutput {
        name: "ch06_recurrent",
        example: "ch06_recurrent",
        args: &[],
        run: ch06_recurrent::run_example,
        spec: &ch06_recurrent::EXAMPLE,
    },
    SavedOutput {
        name: "ch07_modern",
        example: "ch07_modern",
        args: &[],
        run: ch07_modern::run_example,
        spec: &ch07_modern::EXAMPLE,
    },
    SavedOutput {
        name: "checks",
        example: "checks",
        args: &[],
        run: run_checks,
        spec: &CHECKS_EXAMPLE,
    },
];

impl SavedOutput {
    /// The command a reader types, as the first line of the saved file.
    pub fn command(&self) -> String {
        let mut cmd = format!("$ cargo run -p chapters-code --example {}", self.example);
        if !self.args.is_empty() {
            cmd.push_str(" -- ");
            cmd.push_str(&self.args.join(" "));
        }
        cmd
    }

    /// What the example prints for these arguments.
    ///
    /// # Errors
    /// The example's own error, which for a saved output means the list above is wrong.
    pub fn output(&self) -> Result<String, CliError> {
        let args = self
            .spec
            .parse(self.args.iter().map(|s| s.to_string()))?
            .ok_or_else(|| CliError::Usage("a saved output cannot be --help".into()))?;
        (self.run)(&args)
    }
}

/// The numbers the text quotes, in the format mdBook's `{{#include file:anchor}}` reads: each
/// value between `ANCHOR: key` and `ANCHOR_END: key` lines.
pub fn numbers_file() -> String {
    let mut s = String::from(
        "Numbers the book quotes, written by the figures command of chapters-code.\n\
         A chapter includes one with the include directive and the key as anchor.\n",
    );
    let all = ch01_vanishing::quoted_numbers()
        .into_iter()
        .chain(ch01_networks::quoted_numbers())
        .chain(ch02_sigmoid::quoted_numbers())
        .chain(ch03_tanh::quoted_numbers())
        .chain(ch04_relu::quoted_numbers())
        .chain(ch05_leaky::quoted_numbers())
        .chain(ch06_recurrent::quoted_numbers())
        .chain(ch07_modern::quoted_numbers());
    for (key, value) in all {
        s.push_str(&format!("ANCHOR: {key}\n{value}\nANCHOR_END: {key}\n"));
    }
    s
}

/// One generated file: where it goes, relative to the repository root, and its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    /// The path relative to the repository root.
    pub path: PathBuf,
    /// The content.
    pub bytes: Vec<u8>,
}

/// A data file that is neither a figure's data nor an example's output.
pub struct DataFile {
    /// The name to regenerate it by.
    pub name: &'static str,
    /// Its path, relative to the repository root.
    pub path: &'static str,
    /// Its content.
    pub make: fn() -> String,
}

/// Every such data file.
pub const DATA: &[DataFile] = &[
    DataFile {
        name: "activation-accuracy",
        path: "figures/data/activation-accuracy.csv",
        make: crate::activations::accuracy::comparison_csv,
    },
    DataFile {
        name: "ch07-side-by-side",
        path: "figures/data/ch07-side-by-side.csv",
        make: ch07_modern::side_by_side_csv,
    },
    DataFile {
        name: "references",
        path: "figures/data/references.md",
        make: crate::references::markdown,
    },
];

/// A figure that is not a line chart: its name, its SVG and the data behind it.
pub struct Drawing {
    /// The file stem: `figures/NAME.svg` and `figures/data/NAME.csv`.
    pub name: &'static str,
    /// Draws it.
    pub svg: fn() -> Result<String, crate::plot::PlotError>,
    /// The data behind it, as CSV.
    pub csv: fn() -> String,
}

/// Every such figure.
pub const DRAWINGS: &[Drawing] = &[Drawing {
    name: "timeline",
    svg: crate::references::timeline_svg,
    csv: crate::references::timeline_csv,
}];

/// The names that can be regenerated one by one: every figure, every saved output, every data
/// file, and `numbers`.
pub fn names() -> Vec<&'static str> {
    FIGURES
        .iter()
        .map(|f| f.name)
        .chain(OUTPUTS.iter().map(|o| o.name))
        .chain(DATA.iter().map(|d| d.name))
        .chain(DRAWINGS.iter().map(|d| d.name))
        .chain(["numbers"])
        .collect()
}

/// Generates the files of the artifact `name` in memory.
///
/// # Errors
/// When the name is unknown, or a figure or example fails.
pub fn generate(name: &str) -> Result<Vec<File>, CliError> {
    // A figure is two files: the SVG and the data behind it.
    let figure = |svg: Result<String, crate::plot::PlotError>, csv: String| {
        let svg = svg.map_err(|e| CliError::Failed(format!("{name}: {e}")))?;
        Ok(vec![
            File {
                path: PathBuf::from(format!("figures/{name}.svg")),
                bytes: svg.into_bytes(),
            },
            File {
                path: PathBuf::from(format!("figures/data/{name}.csv")),
                bytes: csv.into_bytes(),
            },
        ])
    };
    if let Some(f) = FIGURES.iter().find(|f| f.name == name) {
        let chart = (f.chart)();
        return figure(chart.to_svg(), chart.to_csv());
    }
    if let Some(o) = OUTPUTS.iter().find(|o| o.name == name) {
        let text = format!("{}\n{}", o.command(), o.output()?);
        return Ok(vec![File {
            path: PathBuf::from(format!("figures/output/{name}.txt")),
            bytes: text.into_bytes(),
        }]);
    }
    if let Some(d) = DATA.iter().find(|d| d.name == name) {
        return Ok(vec![File {
            path: PathBuf::from(d.path),
            bytes: (d.make)().into_bytes(),
        }]);
    }
    if let Some(d) = DRAWINGS.iter().find(|d| d.name == name) {
        return figure((d.svg)(), (d.csv)());
    }
    if name == "numbers" {
        return Ok(vec![File {
            path: PathBuf::from("figures/data/numbers.txt"),
            bytes: numbers_file().into_bytes(),
        }]);
    }
    Err(CliError::Usage(format!(
        "no figure or output named {name:?}; known: {}",
        names().join(", ")
    )))
}

/// What [`regenerate`] did to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// The file on disk already had these bytes; it was not touched.
    UpToDate,
    /// The file was missing or different (and, unless only checking, was written).
    Stale,
}

/// Regenerates the artifacts `names` (all when empty) under `root`, writing only files whose
/// bytes changed, so an up-to-date tree is left untouched. With `check_only`, writes nothing.
///
/// # Errors
/// An unknown name, a failed figure, or a file that cannot be read or written.
pub fn regenerate(
    root: &Path,
    names: &[String],
    check_only: bool,
) -> Result<Vec<(PathBuf, Status)>, CliError> {
    let selected: Vec<String> = if names.is_empty() {
        self::names().iter().map(|s| s.to_string()).collect()
    } else {
        names.to_vec()
    };
    // Generate on every core (the experiments dominate), then compare and write in order.
    let results = crate::experiments::parallel_map(&selected, |name| generate(name));
    let mut report = Vec::new();
    for files in results {
        for file in files? {
            let target = root.join(&file.path);
            let same = std::fs::read(&target).is_ok_and(|old| old == file.bytes);
            if !same && !check_only {
                if let Some(dir) = target.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        CliError::Failed(format!("cannot create {}: {e}", dir.display()))
                    })?;
                }
                std::fs::write(&target, &file.bytes).map_err(|e| {
                    CliError::Failed(format!("cannot write {}: {e}", target.display()))
                })?;
            }
            report.push((
                file.path,
                if same {
                    Status::UpToDate
                } else {
                    Status::Stale
                },
            ));
        }
    }
    Ok(report)
}

/// The repository root as seen from this crate's sources (the parent of `chapters-code/`).
pub fn default_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("chapters-code lives inside the repository")
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_generates_and_unknown_names_are_usage_errors() {
        for n in names() {
            assert!(!generate(n).unwrap().is_empty(), "{n}");
        }
        assert!(matches!(generate("nope"), Err(CliError::Usage(_))));
    }

    #[test]
    fn numbers_have_unique_keys_and_no_empty_values() {
        let text = numbers_file();
        let keys: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("ANCHOR: "))
            .collect();
        for (i, k) in keys.iter().enumerate() {
            assert!(!keys[i + 1..].contains(k), "duplicate key {k}");
        }
        for l in text.lines().skip(2) {
            assert!(!l.trim().is_empty());
        }
    }
}
