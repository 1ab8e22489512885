use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dhana::app::Application;
use dhana::config::{Config, Database};
use dhana::db::Pool;
use dhana::insights::evaluate as anomaly_evaluation;
use dhana::ml::{dataset, directory, pipeline};
use tracing_subscriber::EnvFilter;

/// Dhana: a self-hosted personal finance tracker.
///
/// Settings come from the environment: DATABASE_URL, DHANA_BIND, DHANA_DATA_DIR,
/// DHANA_JWT_SECRET, DHANA_SESSION_KEY, DHANA_COOKIE_SECURE, DHANA_WORKERS, DHANA_SMTP_URL (or
/// DHANA_SMTP_HOST, _PORT, _USER, _PASSWORD, _TLS), DHANA_SMTP_FROM, DHANA_PUBLIC_URL,
/// DHANA_SUMMARY_INTERVAL_SECS, RUST_LOG.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve the API.
    Serve,
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Print the OpenAPI document as YAML.
    Openapi,
    /// The categorizer's training pipeline.
    #[command(subcommand)]
    Ml(MlCommand),
}

#[derive(Subcommand)]
enum MlCommand {
    /// Write a synthetic labeled dataset of bank-statement lines as CSV.
    GenerateDataset {
        #[arg(long, default_value_t = dataset::DEFAULT_SEED)]
        seed: u64,
        #[arg(long, default_value_t = dataset::DEFAULT_SIZE)]
        size: usize,
        #[arg(long, default_value = "ml-models/dataset.csv")]
        out: PathBuf,
    },
    /// Build the merchant directory from a checkout of OpenStreetMap's name-suggestion-index
    /// and write it, with NSI's license, into --out-dir.
    BuildDirectory {
        /// The root of a name-suggestion-index tree (holding data/brands and config).
        #[arg(long)]
        nsi: PathBuf,
        /// A word list, one word a line: one-word names that are lower-case words of it are
        /// left out as ordinary words.
        #[arg(long, default_value = "/usr/share/dict/words")]
        words: PathBuf,
        #[arg(long, default_value = "ml-models")]
        out_dir: PathBuf,
    },
    /// Train the categorizer and write the model, metrics.json and the model card.
    Train {
        /// A dataset from generate-dataset; without it, the dataset of --seed and --size is
        /// generated in memory (the same lines).
        #[arg(long)]
        dataset: Option<PathBuf>,
        /// The dataset's seed (also seeds the split).
        #[arg(long, default_value_t = dataset::DEFAULT_SEED)]
        seed: u64,
        #[arg(long, default_value_t = dataset::DEFAULT_SIZE)]
        size: usize,
        #[arg(long, default_value = "ml-models")]
        out_dir: PathBuf,
        /// Real bank files with a manifest.json, for the accuracy on bank categories; skipped
        /// when absent.
        #[arg(long, default_value = "../shared/corpus")]
        corpus: PathBuf,
        /// The merchant directory from build-directory; the model with its brands as features
        /// is then one of the candidates.
        #[arg(long, default_value = "ml-models/merchant-directory.tsv")]
        directory: PathBuf,
    },
    /// Fit the forecast artifact on half of the synthetic households, score every forecaster
    /// and the recurring detection on the other half, and write model.json, metrics.json and
    /// the model card.
    #[cfg(feature = "training")]
    TrainForecast {
        #[arg(long, default_value_t = 20261129)]
        seed: u64,
        #[arg(long, default_value_t = 200)]
        households: usize,
        #[arg(long, default_value = "ml-models/forecast")]
        out_dir: PathBuf,
    },
    /// Measure anomaly detection on synthetic households with labelled injections and write
    /// metrics.json and the model card.
    EvaluateAnomalies {
        #[arg(long, default_value_t = 20261129)]
        seed: u64,
        #[arg(long, default_value_t = 200)]
        households: usize,
        #[arg(long, default_value = "ml-models/anomalies")]
        out_dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let result = match cli.command {
        Command::Serve => serve(),
        Command::Migrate => migrate(),
        Command::Openapi => {
            print!("{}", dhana::openapi::yaml());
            Ok(())
        }
        Command::Ml(command) => ml(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

type Failure = Box<dyn std::error::Error>;

fn serve() -> Result<(), Failure> {
    let config = Config::from_env()?;
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(config.clone())?;
        tracing::info!(
            address = %app.addr(),
            database = describe(&config.database),
            "Dhana is listening"
        );
        app.run_until_stopped().await?;
        Ok(())
    })
}

fn migrate() -> Result<(), Failure> {
    let config = Config::from_env()?;
    Pool::connect(&config.database)?;
    tracing::info!(
        database = describe(&config.database),
        "the schema is up to date"
    );
    Ok(())
}

fn ml(command: MlCommand) -> Result<(), Failure> {
    match command {
        MlCommand::GenerateDataset { seed, size, out } => {
            dataset::write_csv(&out, &dataset::generate(seed, size))?;
            tracing::info!(path = %out.display(), size, seed, "dataset written");
        }
        MlCommand::BuildDirectory {
            nsi,
            words,
            out_dir,
        } => {
            let started = std::time::Instant::now();
            let report = directory::write(&nsi, &words, &out_dir)?;
            tracing::info!(
                dir = %out_dir.display(),
                brands = report.entries,
                seconds = started.elapsed().as_secs_f64(),
                ?report,
                "merchant directory written"
            );
        }
        MlCommand::Train {
            dataset,
            seed,
            size,
            out_dir,
            corpus,
            directory,
        } => {
            let metrics = pipeline::run(&pipeline::TrainOptions {
                dataset,
                seed,
                size,
                out_dir: out_dir.clone(),
                corpus: Some(corpus),
                directory: Some(directory),
            })?;
            tracing::info!(
                dir = %out_dir.display(),
                accuracy = metrics.held_out.accuracy,
                macro_f1 = metrics.held_out.macro_f1,
                "model written"
            );
        }
        #[cfg(feature = "training")]
        MlCommand::TrainForecast {
            seed,
            households,
            out_dir,
        } => {
            let out = dhana::forecast::train::run(seed, households)?;
            dhana::forecast::train::write(&out, &out_dir)?;
            tracing::info!(dir = %out_dir.display(), households, seed, "forecast model and evaluation written");
        }
        MlCommand::EvaluateAnomalies {
            seed,
            households,
            out_dir,
        } => {
            let metrics = anomaly_evaluation::evaluate(
                seed,
                households,
                anomaly_evaluation::TUNING_HOUSEHOLDS,
            );
            std::fs::create_dir_all(&out_dir)?;
            std::fs::write(
                out_dir.join("metrics.json"),
                serde_json::to_string_pretty(&metrics)? + "\n",
            )?;
            std::fs::write(
                out_dir.join("README.md"),
                anomaly_evaluation::render(&metrics),
            )?;
            tracing::info!(dir = %out_dir.display(), households, seed, "anomaly evaluation written");
        }
    }
    Ok(())
}

/// The backend without credentials, for the log.
fn describe(database: &Database) -> String {
    match database {
        Database::Sqlite(path) => format!("sqlite {}", path.display()),
        Database::Postgres(_) => "postgres".into(),
    }
}
