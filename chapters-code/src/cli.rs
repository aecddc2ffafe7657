//! Command-line handling shared by every example and binary of the crate.
//!
//! Readers run the examples with their own arguments, so a mistake must produce one line that
//! says what is wrong and exit with code 2, never a panic. `--help` prints the options.
//! We write this by hand (about a hundred lines) to keep the crate's dependencies lean.

use std::collections::BTreeMap;
use std::fmt;
use std::process::ExitCode;
use std::str::FromStr;

/// One `--name VALUE` option.
#[derive(Debug, Clone, Copy)]
pub struct Opt {
    /// The option's name without the leading dashes.
    pub name: &'static str,
    /// A word for the value in the help text, e.g. `N`.
    pub value: &'static str,
    /// What the option does.
    pub help: &'static str,
    /// The default value, as it would be typed; `None` when the option is optional and unset.
    pub default: Option<&'static str>,
}

/// What a program accepts.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The program's name, as typed after `--example` or `--bin`.
    pub name: &'static str,
    /// One line on what the program does.
    pub about: &'static str,
    /// Its options.
    pub options: &'static [Opt],
    /// Positional arguments, if any: their name and help.
    pub positional: Option<(&'static str, &'static str)>,
}

/// Why a program stopped without its normal output.
#[derive(Debug)]
pub enum CliError {
    /// The arguments were wrong: print one line, exit 2.
    Usage(String),
    /// The program could not do its work (a file could not be written, ...): exit 1.
    Failed(String),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m) | CliError::Failed(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for CliError {}

/// Parsed arguments.
#[derive(Debug, Clone, Default)]
pub struct Args {
    values: BTreeMap<&'static str, String>,
    flags: Vec<&'static str>,
    /// The positional arguments, in order.
    pub positional: Vec<String>,
}

impl Args {
    /// The value of option `name`, parsed, or its default.
    ///
    /// # Errors
    /// A usage error naming the option when the value does not parse or is missing.
    pub fn get<T: FromStr>(&self, name: &str) -> Result<T, CliError> {
        let raw = self
            .values
            .get(name)
            .ok_or_else(|| CliError::Usage(format!("missing value for --{name}")))?;
        raw.parse()
            .map_err(|_| CliError::Usage(format!("invalid value {raw:?} for --{name}")))
    }

    /// The value of an option without a default, if given.
    ///
    /// # Errors
    /// A usage error when the value does not parse.
    pub fn get_opt<T: FromStr>(&self, name: &str) -> Result<Option<T>, CliError> {
        if self.values.contains_key(name) {
            self.get(name).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Whether the value-less flag `name` (declared with `value: ""`) was given.
    pub fn flag(&self, name: &str) -> bool {
        self.flags.contains(&name)
    }
}

impl Spec {
    /// The help text.
    pub fn help(&self) -> String {
        let mut s = format!("{}\n\nUsage: {} [OPTIONS]", self.about, self.name);
        if let Some((p, _)) = self.positional {
            s.push_str(&format!(" [{p}...]"));
        }
        s.push_str("\n\n");
        if let Some((p, help)) = self.positional {
            s.push_str(&format!("Arguments:\n  [{p}...]  {help}\n\n"));
        }
        s.push_str("Options:\n");
        for o in self.options {
            let head = if o.value.is_empty() {
                format!("--{}", o.name)
            } else {
                format!("--{} {}", o.name, o.value)
            };
            let default = o
                .default
                .map(|d| format!(" [default: {d}]"))
                .unwrap_or_default();
            s.push_str(&format!("  {head:<22} {}{default}\n", o.help));
        }
        s.push_str(&format!("  {:<22} Print this help\n", "-h, --help"));
        s
    }

    /// Parses `args` (without the program name). `Ok(None)` means help was asked for.
    ///
    /// # Errors
    /// A usage error for an unknown option, a missing value or an unexpected argument.
    pub fn parse(&self, args: impl IntoIterator<Item = String>) -> Result<Option<Args>, CliError> {
        let mut out = Args::default();
        for o in self.options {
            if let Some(d) = o.default {
                out.values.insert(o.name, d.to_string());
            }
        }
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            if arg == "-h" || arg == "--help" {
                return Ok(None);
            }
            if let Some(body) = arg.strip_prefix("--") {
                let (name, inline) = match body.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (body, None),
                };
                let opt = self
                    .options
                    .iter()
                    .find(|o| o.name == name)
                    .ok_or_else(|| CliError::Usage(format!("unknown option --{name}")))?;
                if opt.value.is_empty() {
                    if inline.is_some() {
                        return Err(CliError::Usage(format!("--{name} takes no value")));
                    }
                    out.flags.push(opt.name);
                    continue;
                }
                let value = match inline {
                    Some(v) => v,
                    None => it
                        .next()
                        .ok_or_else(|| CliError::Usage(format!("--{name} needs a value")))?,
                };
                out.values.insert(opt.name, value);
            } else if arg.starts_with('-') && arg.len() > 1 && arg.parse::<f64>().is_err() {
                return Err(CliError::Usage(format!("unknown option {arg}")));
            } else if self.positional.is_some() {
                out.positional.push(arg);
            } else {
                return Err(CliError::Usage(format!("unexpected argument {arg:?}")));
            }
        }
        Ok(Some(out))
    }
}

/// Runs a program: parses the process's arguments against `spec`, calls `body`, prints what it
/// returns, and turns errors into one line on standard error with exit code 2 (usage) or 1.
pub fn run(spec: &Spec, body: impl FnOnce(&Args) -> Result<String, CliError>) -> ExitCode {
    let result = spec
        .parse(std::env::args().skip(1))
        .and_then(|parsed| match parsed {
            None => Ok(spec.help()),
            Some(args) => body(&args),
        });
    match result {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(CliError::Usage(m)) => {
            eprintln!("error: {m} (see {} --help)", spec.name);
            ExitCode::from(2)
        }
        Err(CliError::Failed(m)) => {
            eprintln!("error: {m}");
            ExitCode::from(1)
        }
    }
}

/// A usage error unless `value` lies in `range`; for checking parsed options.
///
/// # Errors
/// A usage error naming the option and the allowed range.
pub fn in_range<T: PartialOrd + fmt::Display + Copy>(
    name: &str,
    value: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, CliError> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(CliError::Usage(format!(
            "--{name} must be between {} and {}, got {value}",
            range.start(),
            range.end()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: Spec = Spec {
        name: "demo",
        about: "A demo.",
        options: &[
            Opt {
                name: "depth",
                value: "N",
                help: "layers",
                default: Some("10"),
            },
            Opt {
                name: "seed",
                value: "S",
                help: "seed",
                default: None,
            },
            Opt {
                name: "check",
                value: "",
                help: "only check",
                default: None,
            },
        ],
        positional: None,
    };

    fn parse(args: &[&str]) -> Result<Option<Args>, CliError> {
        SPEC.parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults_values_and_flags() {
        let a = parse(&["--seed=3", "--check"]).unwrap().unwrap();
        assert_eq!(a.get::<usize>("depth").unwrap(), 10);
        assert_eq!(a.get_opt::<u64>("seed").unwrap(), Some(3));
        assert!(a.flag("check"));
        let b = parse(&["--depth", "4"]).unwrap().unwrap();
        assert_eq!(b.get::<usize>("depth").unwrap(), 4);
        assert_eq!(b.get_opt::<u64>("seed").unwrap(), None);
    }

    #[test]
    fn mistakes_are_usage_errors() {
        for bad in [
            &["--nope"][..],
            &["--depth"],
            &["stray"],
            &["-x"],
            &["--check=1"],
        ] {
            assert!(matches!(parse(bad), Err(CliError::Usage(_))), "{bad:?}");
        }
        let a = parse(&["--depth", "ten"]).unwrap().unwrap();
        assert!(matches!(a.get::<usize>("depth"), Err(CliError::Usage(_))));
    }

    #[test]
    fn help_lists_every_option() {
        assert!(parse(&["--help"]).unwrap().is_none());
        let h = SPEC.help();
        for o in SPEC.options {
            assert!(h.contains(o.name));
        }
    }
}
