//! Numerical helpers shared by the checks and the chapters.

/// The central finite difference $\frac{f(x + h) - f(x - h)}{2h}$, which approximates $f'(x)$
/// with an error of order $h^2$.
///
/// ```
/// use chapters_code::numerics::central_difference;
/// let d = central_difference(|x| x * x * x, 2.0, 1e-5);
/// approx::assert_relative_eq!(d, 12.0, max_relative = 1e-9);
/// ```
pub fn central_difference(f: impl Fn(f64) -> f64, x: f64, h: f64) -> f64 {
    (f(x + h) - f(x - h)) / (2.0 * h)
}

/// The fourth-order central difference
/// $\frac{-f(x + 2h) + 8f(x + h) - 8f(x - h) + f(x - 2h)}{12h}$, with an error of order $h^4$:
/// accurate enough to check gradients that are themselves small.
///
/// ```
/// use chapters_code::numerics::five_point_difference;
/// let d = five_point_difference(f64::exp, 1.0, 1e-3);
/// approx::assert_relative_eq!(d, 1f64.exp(), max_relative = 1e-12);
/// ```
pub fn five_point_difference(f: impl Fn(f64) -> f64, x: f64, h: f64) -> f64 {
    (-f(x + 2.0 * h) + 8.0 * f(x + h) - 8.0 * f(x - h) + f(x - 2.0 * h)) / (12.0 * h)
}

/// A step for [`central_difference`] that balances truncation and rounding error:
/// about $\varepsilon^{1/3}\max(1, |x|)$, with $\varepsilon$ the machine epsilon.
pub fn difference_step(x: f64) -> f64 {
    f64::EPSILON.cbrt() * x.abs().max(1.0)
}

/// How many representable `f64` values lie between `a` and `b` (0 when equal).
///
/// Both must be finite or equal; the distance between a finite number and an infinity, or any
/// distance involving NaN, is `u64::MAX`.
///
/// ```
/// use chapters_code::numerics::ulp_distance;
/// assert_eq!(ulp_distance(1.0, 1.0), 0);
/// assert_eq!(ulp_distance(1.0, 1.0 + f64::EPSILON), 1);
/// assert_eq!(ulp_distance(-0.0, 0.0), 0);
/// assert_eq!(ulp_distance(-f64::from_bits(1), f64::from_bits(1)), 2);
/// ```
pub fn ulp_distance(a: f64, b: f64) -> u64 {
    if a == b {
        return 0;
    }
    if a.is_nan() || b.is_nan() || a.is_infinite() || b.is_infinite() {
        return u64::MAX;
    }
    // Map the bit patterns onto a line where neighbouring floats are neighbouring integers.
    fn ordered(x: f64) -> i128 {
        let bits = x.to_bits() as i64;
        if bits < 0 {
            i128::from(i64::MIN) - i128::from(bits)
        } else {
            i128::from(bits)
        }
    }
    (ordered(a) - ordered(b)).unsigned_abs() as u64
}

/// `n` points evenly spaced from `start` to `end`, both included.
///
/// ```
/// use chapters_code::numerics::linspace;
/// assert_eq!(linspace(0.0, 1.0, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
/// ```
pub fn linspace(start: f64, end: f64, n: usize) -> Vec<f64> {
    match n {
        0 => Vec::new(),
        1 => vec![start],
        _ => (0..n)
            .map(|i| start + (end - start) * i as f64 / (n - 1) as f64)
            .collect(),
    }
}

/// The relative difference $|a - b| / \max(|a|, |b|)$, and 0 when both are 0.
pub fn relative_difference(a: f64, b: f64) -> f64 {
    let scale = a.abs().max(b.abs());
    if scale == 0.0 {
        0.0
    } else {
        (a - b).abs() / scale
    }
}

/// Formats a number the way the book quotes it: `digits` significant digits, in scientific
/// notation when it is very small or very large.
///
/// ```
/// use chapters_code::numerics::format_quoted;
/// assert_eq!(format_quoted(0.25, 3), "0.25");
/// assert_eq!(format_quoted(4.248354255291589e-18, 3), "4.25e-18");
/// // Large numbers keep their integer digits rather than becoming 1230.
/// assert_eq!(format_quoted(1234.56, 3), "1235");
/// assert_eq!(format_quoted(0.0, 3), "0");
/// ```
pub fn format_quoted(x: f64, digits: usize) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let magnitude = x.abs().log10().floor() as i32;
    if (-3..6).contains(&magnitude) {
        let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
        let s = format!("{x:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    } else {
        let s = format!("{:.*e}", digits.saturating_sub(1), x);
        // Rust writes 4.25e-18; drop trailing zeros of the mantissa as above.
        let (mantissa, exponent) = s.split_once('e').expect("scientific format has an e");
        let mantissa = if mantissa.contains('.') {
            mantissa.trim_end_matches('0').trim_end_matches('.')
        } else {
            mantissa
        };
        format!("{mantissa}e{exponent}")
    }
}

/// $\mathbb{E} g(X)$ for $X \sim \mathcal{N}(0, 1)$, by the trapezoidal rule on $[-12, 12]$,
/// which for smooth functions that grow no faster than a polynomial is accurate to far below
/// the digits the book quotes (the density beyond $\pm 12$ is below $10^{-31}$).
///
/// ```
/// use chapters_code::numerics::normal_expectation;
/// approx::assert_relative_eq!(normal_expectation(|x| x * x), 1.0, max_relative = 1e-12);
/// approx::assert_relative_eq!(normal_expectation(|x| x.powi(4)), 3.0, max_relative = 1e-12);
/// ```
pub fn normal_expectation(g: impl Fn(f64) -> f64) -> f64 {
    normal_expectation_between(g, -12.0, 12.0)
}

/// $\mathbb{E}[g(X);\, a \le X \le b]$ for $X \sim \mathcal{N}(0, 1)$: the integral of $g$
/// times the density over $[a, b]$, by the trapezoidal rule with 24,000 steps. For an
/// integrand that jumps (a truncated moment), put the jump at an end of the interval.
///
/// ```
/// use chapters_code::numerics::normal_expectation_between;
/// approx::assert_relative_eq!(normal_expectation_between(|_| 1.0, -12.0, 0.0), 0.5, max_relative = 1e-9);
/// ```
pub fn normal_expectation_between(g: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    let n = 24_000;
    let h = (b - a) / n as f64;
    let density = |x: f64| (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
    (0..=n)
        .map(|i| {
            let x = a + i as f64 * h;
            let w = if i == 0 || i == n { 0.5 } else { 1.0 };
            w * g(x) * density(x)
        })
        .sum::<f64>()
        * h
}

/// The geometric mean $\exp(\frac1n \sum \ln v_i)$, for averaging quantities that vary over
/// orders of magnitude (variances and gradient norms of random networks).
///
/// ```
/// use chapters_code::numerics::geometric_mean;
/// approx::assert_relative_eq!(geometric_mean([1e-6, 1.0, 1e6]), 1.0, epsilon = 1e-12);
/// ```
pub fn geometric_mean(values: impl IntoIterator<Item = f64>) -> f64 {
    let (sum, n) = values
        .into_iter()
        .fold((0.0, 0usize), |(s, n), v| (s + v.ln(), n + 1));
    (sum / n as f64).exp()
}
