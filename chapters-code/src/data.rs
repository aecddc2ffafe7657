//! Data sets: seeded synthetic ones that need no download, and handwritten digits.
//!
//! The digits are a 5,000-image sample of MNIST committed in `chapters-code/data/mnist-5k/`
//! (see the README there for its origin and licence), in the standard IDX format; readers with
//! the full MNIST files load them with the same [`load_idx`].

use flate2::read::GzDecoder;
use ndarray::{Array2, Axis};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::io::Read;
use std::path::Path;

/// Inputs, one example per row, with a class label per example.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// One row per example.
    pub inputs: Array2<f64>,
    /// The class of each example, `0..classes`.
    pub labels: Vec<usize>,
    /// The number of classes.
    pub classes: usize,
}

impl Dataset {
    /// The number of examples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no examples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The examples at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Dataset {
        Dataset {
            inputs: self.inputs.select(Axis(0), indices),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            classes: self.classes,
        }
    }

    /// The labels as one-hot rows.
    pub fn one_hot(&self) -> Array2<f64> {
        let mut y = Array2::zeros((self.len(), self.classes));
        for (i, &c) in self.labels.iter().enumerate() {
            y[[i, c]] = 1.0;
        }
        y
    }

    /// A seeded shuffle split into the first `n` examples and the rest.
    ///
    /// # Errors
    /// When `n` is larger than the data set.
    pub fn split(&self, n: usize, seed: u64) -> Result<(Dataset, Dataset), String> {
        if n > self.len() {
            return Err(format!("cannot take {n} of {} examples", self.len()));
        }
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        Ok((self.select(&order[..n]), self.select(&order[n..])))
    }
}

/// Why a file could not be loaded.
#[derive(Debug)]
pub struct DataError(pub String);

impl std::fmt::Display for DataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DataError {}

fn read_maybe_gz(path: &Path) -> Result<Vec<u8>, DataError> {
    let raw = std::fs::read(path)
        .map_err(|e| DataError(format!("cannot read {}: {e}", path.display())))?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| DataError(format!("{} is not valid gzip: {e}", path.display())))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

fn be_u32(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// Parses IDX image and label files (optionally gzipped): unsigned-byte images of any size,
/// scaled to $[0, 1]$, one flattened image per row.
///
/// # Errors
/// A message naming the file when it cannot be read, is not IDX, or the counts disagree.
pub fn load_idx(images: &Path, labels: &Path) -> Result<Dataset, DataError> {
    let img = read_maybe_gz(images)?;
    let lab = read_maybe_gz(labels)?;
    let bad = |p: &Path, why: &str| DataError(format!("{}: {why}", p.display()));
    if be_u32(&img, 0) != Some(0x0803) {
        return Err(bad(
            images,
            "not an IDX file of unsigned-byte images (magic 0x00000803)",
        ));
    }
    if be_u32(&lab, 0) != Some(0x0801) {
        return Err(bad(
            labels,
            "not an IDX file of unsigned-byte labels (magic 0x00000801)",
        ));
    }
    let (n, rows, cols) = (
        be_u32(&img, 4).unwrap_or(0),
        be_u32(&img, 8).unwrap_or(0),
        be_u32(&img, 12).unwrap_or(0),
    );
    let pixels = rows * cols;
    if img.len() != 16 + n * pixels {
        return Err(bad(images, "the file length does not match its header"));
    }
    if be_u32(&lab, 4) != Some(n) || lab.len() != 8 + n {
        return Err(bad(labels, &format!("does not hold exactly {n} labels")));
    }
    let labels_vec: Vec<usize> = lab[8..].iter().map(|&l| l as usize).collect();
    let classes = labels_vec.iter().max().map_or(0, |m| m + 1);
    let inputs = Array2::from_shape_vec(
        (n, pixels),
        img[16..].iter().map(|&p| f64::from(p) / 255.0).collect(),
    )
    .map_err(|e| bad(images, &e.to_string()))?;
    Ok(Dataset {
        inputs,
        labels: labels_vec,
        classes,
    })
}

/// The 5,000 committed MNIST digits (500 per digit, in order of the digit).
///
/// # Errors
/// When the files in `chapters-code/data/mnist-5k/` are missing or damaged.
pub fn digits() -> Result<Dataset, DataError> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/mnist-5k");
    load_idx(
        &dir.join("images-idx3-ubyte.gz"),
        &dir.join("labels-idx1-ubyte.gz"),
    )
}

/// The committed digits, loaded once per process and shared.
///
/// # Panics
/// When the committed files are missing or damaged (a broken checkout, not bad input).
pub fn digits_shared() -> &'static Dataset {
    static DIGITS: std::sync::OnceLock<Dataset> = std::sync::OnceLock::new();
    DIGITS.get_or_init(|| digits().expect("the committed digits load"))
}

/// `n` points in `dim` dimensions around `classes` centres drawn from $\mathcal{N}(0, 4I)$,
/// each point its centre plus $\mathcal{N}(0, I)$ noise; seeded and portable.
pub fn blobs(n: usize, dim: usize, classes: usize, seed: u64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
    let centres: Vec<Vec<f64>> = (0..classes.max(1))
        .map(|_| (0..dim).map(|_| 2.0 * normal()).collect())
        .collect();
    let mut inputs = Array2::zeros((n, dim));
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let c = i % classes.max(1);
        for j in 0..dim {
            inputs[[i, j]] = centres[c][j] + normal();
        }
        labels.push(c);
    }
    Dataset {
        inputs,
        labels,
        classes: classes.max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_digits_load() {
        let d = digits().unwrap();
        assert_eq!(d.inputs.dim(), (5000, 784));
        assert_eq!(d.classes, 10);
        for c in 0..10 {
            assert_eq!(d.labels.iter().filter(|&&l| l == c).count(), 500);
        }
        assert!(d.inputs.iter().all(|&p| (0.0..=1.0).contains(&p)));
        // Real images: mostly background, some ink.
        let ink = d.inputs.iter().filter(|&&p| p > 0.5).count() as f64 / d.inputs.len() as f64;
        assert!(ink > 0.05 && ink < 0.3, "{ink}");
    }

    #[test]
    fn damaged_files_give_a_clear_error() {
        let dir = std::env::temp_dir().join(format!("vg-idx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (img, lab) = (dir.join("i"), dir.join("l"));
        std::fs::write(&img, [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 7]).unwrap();
        std::fs::write(&lab, [0, 0, 8, 1, 0, 0, 0, 2, 1, 2]).unwrap();
        let e = load_idx(&img, &lab).unwrap_err().to_string();
        assert!(e.contains("length does not match"), "{e}");
        std::fs::write(&img, b"not idx at all").unwrap();
        assert!(
            load_idx(&img, &lab)
                .unwrap_err()
                .to_string()
                .contains("not an IDX file")
        );
        assert!(
            load_idx(&dir.join("missing"), &lab)
                .unwrap_err()
                .to_string()
                .contains("cannot read")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn split_is_seeded_and_complete() {
        let d = blobs(100, 3, 4, 1);
        let (a, b) = d.split(30, 7).unwrap();
        let (a2, _) = d.split(30, 7).unwrap();
        assert_eq!(a, a2);
        assert_eq!(a.len() + b.len(), 100);
        assert!(d.split(101, 0).is_err());
        assert_eq!(d.one_hot().sum(), 100.0);
    }
}
