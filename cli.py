"""The `campaign-ops` command line: a thin layer over flows, emulators and local serving.

Heavy imports (Prefect, DuckDB, Great Expectations) happen inside the commands, so `--help`
answers at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from flows.attribution import AttributionReportResult

app = typer.Typer(
    help="campaign-ops: run paid marketing through APIs, on Prefect.",
    no_args_is_help=True,
    add_completion=False,
)
sandbox_app = typer.Typer(
    help="The sandbox: offline emulators of every platform.", no_args_is_help=True
)
app.add_typer(sandbox_app, name="sandbox")

def _check_platforms(
    platforms: list[str], known: tuple[str, ...] | list[str], what: str = "platform"
) -> list[str]:
    unknown = [p for p in platforms if p not in known]
    if unknown:
        raise typer.BadParameter(
            f"unknown {what}(s) {', '.join(unknown)}; known: {', '.join(known)}",
            param_hint=f"'--{what}'",
        )
    return platforms


def _day(value: str | None, option: str) -> dt.date | None:
    """Parse an option's YYYY-MM-DD day (its bounds are the flow parameters' to check)."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a day YYYY-MM-DD ({exc})",
                                 param_hint=f"'{option}'") from None


def _prefect_defaults() -> None:
    """Set the Prefect defaults a local command runs with, unless the shell set them.

    No analytics; and a temporary (ephemeral) Prefect server gets two minutes to start
    instead of Prefect's 20 seconds, which a busy two-core machine can need.
    """
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

@app.command()
def demo(
    platform: Annotated[
        list[str] | None,
        typer.Option("--platform", "-p", help="Platforms to extract (repeatable)."),
    ] = None,
    warehouse: Annotated[
        Path | None,
        typer.Option(
            help="DuckDB file (default: $CAMPAIGN_OPS_WAREHOUSE or data/warehouse.duckdb)."
        ),
    ] = None,
) -> None:
    """Run the extracts, the attribution report and the day's budget plan on the sandbox."""
    from flows.parameters import PLATFORMS, SOURCE_PLATFORMS

    known = (*PLATFORMS, *SOURCE_PLATFORMS)
    platforms = _check_platforms(platform or list(known), known)
    _prefect_defaults()

    from config import SettingsError, load_settings
    from deployments.preflight import (
        PreflightError,
        check_folder,
        check_store,
        check_warehouse_file,
    )
    from resources import EnvironmentConfigError, from_settings
    from resources.environment import use_settings

    ads = [p for p in platforms if p in PLATFORMS]
    sources = [p for p in platforms if p in SOURCE_PLATFORMS]
    try:
        # The demo is the sandbox, whatever the shell says: it never touches live accounts.
        # Its flows run in this process, so the settings go to them as an object.
        settings = load_settings(env="sandbox", warehouse=warehouse)
        environment = from_settings(settings)  # fail on bad settings before Prefect starts
        check_warehouse_file(environment.warehouse_path,
                             "--warehouse" if warehouse else "CAMPAIGN_OPS_WAREHOUSE")
        check_folder(environment.data_dir, "CAMPAIGN_OPS_DATA_DIR")
        if ads and sources:  # the report at the end pushes conversions (a plan in the store)
            check_store(environment.store_url, "CAMPAIGN_OPS_STORE_URL")
        _check_prefect_api()
    except (SettingsError, EnvironmentConfigError, PreflightError) as exc:
        _fail(str(exc))
    typer.secho(
        f"Extracting {', '.join(platforms)} from the sandbox into {environment.warehouse_path} "
        "(a first run starts a local Prefect server)…",
        fg="cyan",
    )
    _quiet_expected_errors()
    with use_settings(settings):
        _demo_flows(ads, sources)


def _demo_flows(ads: Sequence[str], sources: Sequence[str]) -> None:
    """Run the demo's extracts (then the report) and print each summary."""
    from deployments.console import print_extract_summary
    from flows._extract import ExtractFailed
    from flows.extract_ads import extract_ads
    from flows.extract_sources import extract_sources
    from warehouse.errors import WarehouseError

    failed = []
    for flow, chosen in ((extract_ads, ads), (extract_sources, sources)):
        if not chosen:
            continue
        try:
            summary = flow(platforms=list(chosen))  # type: ignore[arg-type,call-overload]  # checked above
        except ExtractFailed as exc:
            print_extract_summary(exc.summary)
            failed.append(str(exc))
            continue
        except WarehouseError as exc:
            _fail(str(exc))
        print_extract_summary(summary)
    if failed:
        _fail(" | ".join(failed))
    if ads and sources:
        _demo_attribution()
        typer.secho("Planning today's budgets (shown, not applied)…", fg="cyan")
        _run_budget_plan(attribution_model="markov", dry_run=True)


def _demo_attribution() -> None:
    """Build the attribution report over what the demo extracted and print where it is."""
    from flows.attribution import build_attribution_report
    from flows.parameters import ParameterError
    from marketing.attribution import AttributionInputError

    typer.secho("Building the attribution report…", fg="cyan")
    try:
        result = build_attribution_report()
    except (AttributionInputError, ParameterError) as exc:
        _fail(f"attribution report: {exc}")
    _print_attribution(result)


def _print_attribution(result: AttributionReportResult) -> None:
    """Print a report run's headline numbers, its pushes and the report's path."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"Attribution {result.period_start} to {result.period_end}")
    for column in ("journeys", "converting", "conversions", "value", "spend", "models"):
        table.add_column(column, justify="left" if column == "models" else "right")
    table.add_row(f"{result.journeys:,}", f"{result.converting_journeys:,}",
                  f"{result.conversions:,.0f}", f"{result.value:,.2f}", f"{result.spend:,.2f}",
                  ", ".join(result.models))
    console.print(table)
    console.print(f"Window: {result.window}")
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    for destination, row in result.pushed.items():
        console.print(f"Pushed to {destination}: {row['sent']} sent, {row['already_sent']} "
                      f"already there, {row['skipped']} skipped, {row['rejected']} rejected")
    console.print(f"[bold green]Report:[/bold green] {result.report_path}")


@app.command()
def attribution(
    start: Annotated[
        str | None, typer.Option(help="First conversion day, YYYY-MM-DD (default: 30 days).")
    ] = None,
    end: Annotated[
        str | None, typer.Option(help="Last conversion day, YYYY-MM-DD (default: yesterday).")
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option("--model", "-m", help="Model to run (repeatable; default: all)."),
    ] = None,
    lookback_days: Annotated[int, typer.Option(min=1, max=365)] = 90,
    acquisition_lookback_days: Annotated[int, typer.Option(min=1, max=365)] = 30,
    markov_order: Annotated[
        int | None, typer.Option(min=1, max=6, help="Default: chosen by held-out fit.")
    ] = None,
    push: Annotated[
        bool, typer.Option(help="Push offline conversions back to Google and Meta.")
    ] = True,
    dry_run: Annotated[bool, typer.Option(help="Send nothing, publish nothing.")] = False,
) -> None:
    """Build the attribution report over the warehouse ($CAMPAIGN_OPS_ENV) and print its path."""
    from marketing.attribution.model_set import MODEL_NAMES

    models = _check_platforms(model or list(MODEL_NAMES), MODEL_NAMES, "model")
    first, last = _day(start, "--start"), _day(end, "--end")
    from deployments.preflight import PreflightError, check_store, check_warehouse_file
    from flows.parameters import ParameterError, default_period, parse_attribution_request
    from resources import EnvironmentConfigError, current

    # Refuse bad parameters and settings before a Prefect server starts. The flow checks the
    # parameters again with its own yesterday (the sandbox market's clock, which is UTC's
    # unless a test set it).
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    period_start, period_end = default_period(first, last, yesterday)
    try:
        parse_attribution_request(
            period_start=period_start, period_end=period_end, models=tuple(models),
            lookback_days=lookback_days, acquisition_lookback_days=acquisition_lookback_days)
        environment = current()
        check_warehouse_file(environment.warehouse_path, "CAMPAIGN_OPS_WAREHOUSE",
                             must_exist=True)
        if push:  # the push-back records its plan in the store
            check_store(environment.store_url, "CAMPAIGN_OPS_STORE_URL")
        _check_prefect_api()
    except (ParameterError, EnvironmentConfigError, PreflightError) as exc:
        _fail(str(exc))
    _prefect_defaults()
    from flows.attribution import build_attribution_report
    from marketing.attribution import AttributionInputError
    from warehouse.errors import WarehouseError

    _quiet_expected_errors()

    typer.secho("Building the attribution report (a first run starts a local Prefect "
                "server)…", fg="cyan")
    try:
        result = build_attribution_report(
            period_start=first, period_end=last, models=models,  # type: ignore[arg-type]
            lookback_days=lookback_days, acquisition_lookback_days=acquisition_lookback_days,
            markov_order=markov_order, push_conversions=push, dry_run=dry_run,
        )
    except (AttributionInputError, EnvironmentConfigError, ParameterError,
            WarehouseError) as exc:
        _fail(str(exc))
    _print_attribution(result)


@app.command()
def budgets(
    mode: Annotated[str, typer.Option(
        help="fixed_total, target_roas or target_cpa.")] = "fixed_total",
    target: Annotated[float | None, typer.Option(
        help="Marginal ROAS to clear, or the most a marginal conversion may cost.")] = None,
    daily_total: Annotated[float | None, typer.Option(
        help="fixed_total: the day's total, reporting currency (default: today's).")] = None,
    model: Annotated[str | None, typer.Option(
        help="Attribution model that calibrates value (default markov; 'none': the "
             "platforms' own).")] = "markov",
    auto_apply_max_change: Annotated[float, typer.Option(
        min=0, max=10, help="Changes up to this share apply without approval.")] = 0.10,
    view_through_weight: Annotated[float, typer.Option(
        help="How much of Meta's platform-reported view-through value counts (0 to 1; "
             "default 0: click-through value only).")] = 0.0,
    apply: Annotated[bool, typer.Option(
        help="Record and apply the plan (default: show it only).")] = False,
) -> None:
    """Plan today's budgets over the warehouse ($CAMPAIGN_OPS_ENV) and print the plan."""
    from deployments.preflight import PreflightError, check_store, check_warehouse_file
    from flows.budget_parameters import parse_budget_request
    from flows.parameters import ParameterError
    from resources import EnvironmentConfigError, current
    from tasks.budgets import budget_platforms

    parameters: dict[str, object] = {
        "mode": mode, "target": target,
        "daily_total": None if daily_total is None else str(daily_total),
        "attribution_model": None if (model or "").lower() == "none" else model,
        "auto_apply_max_change": auto_apply_max_change,
        "view_through_weight": view_through_weight, "dry_run": not apply}
    # Refuse bad parameters and settings before a Prefect server starts (the flow checks
    # them again): a bad mode or a negative target is one line, not Prefect's traceback.
    try:
        parse_budget_request(**parameters, platforms=budget_platforms())
        environment = current()
        check_warehouse_file(environment.warehouse_path, "CAMPAIGN_OPS_WAREHOUSE",
                             must_exist=True)
        check_store(environment.store_url, "CAMPAIGN_OPS_STORE_URL")
        _check_prefect_api()
    except (ParameterError, EnvironmentConfigError, PreflightError) as exc:
        _fail(str(exc))
    _prefect_defaults()
    typer.secho("Planning budgets (a first run starts a local Prefect server)…", fg="cyan")
    _run_budget_plan(**parameters)


def _run_budget_plan(**parameters: object) -> None:
    """Run ``reallocate-budgets`` in this process and print its plan (or fail in one line)."""
    from flows.parameters import ParameterError
    from flows.reallocate_budgets import BudgetApplyFailed, reallocate_budgets
    from resources import EnvironmentConfigError
    from tasks.budgets import BudgetRunError
    from warehouse.errors import WarehouseError

    _quiet_expected_errors()  # after the flow's import: Prefect's console handler exists
    try:
        result = reallocate_budgets(**parameters)  # type: ignore[call-overload]
    except (BudgetRunError, ParameterError, EnvironmentConfigError, WarehouseError,
            BudgetApplyFailed) as exc:
        _fail(str(exc))
    from deployments.console import print_budget_plan

    print_budget_plan(result)


@app.command()
def simulate(
    days: Annotated[int, typer.Option(min=1, max=365, help="Simulated days.")] = 60,
    seed: Annotated[int, typer.Option(help="The market's seed.")] = 1,
    accounts: Annotated[int, typer.Option(
        min=1, max=5, help="Ad accounts per platform.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Steer the simulated market with the real flows; compare with static and the oracle."""
    import json

    _prefect_defaults()
    from deployments.preflight import PreflightError

    try:
        _check_prefect_api()
    except PreflightError as exc:
        _fail(str(exc))
    _quiet_expected_errors()
    from rich.progress import Progress

    from deployments.simulate import simulate as run

    with Progress(transient=True, disable=as_json) as bar:
        task = bar.add_task(f"Simulating {days} day(s), seed {seed}", total=days)
        result = run(seed=seed, days=days, accounts_per_platform=accounts,
                     progress=lambda done, _total, _row: bar.update(task, completed=done))
    if as_json:
        typer.echo(json.dumps({k: v for k, v in result.as_dict().items() if k != "days_run"}))
        return
    from deployments.console import print_simulation

    print_simulation(result)


def _loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _fail(message: str) -> NoReturn:
    typer.secho(f"error: {message}", fg="red", err=True)
    raise typer.Exit(1)


def _check_prefect_api() -> None:
    """Refuse a configured Prefect API that does not answer (unset: a temporary server).

    Raises:
        PreflightError: the URL is malformed or nothing answers there.

    """
    from prefect.settings import get_current_settings

    from deployments.preflight import check_prefect_api

    url = get_current_settings().api.url  # the environment or the active Prefect profile
    if url:
        check_prefect_api(url)


def _quiet_expected_errors() -> None:
    """Keep Prefect from printing tracebacks of the errors the CLI reports in one line.

    Only validation and configuration errors: a run that fails on anything else (a bug)
    still shows its traceback.
    """
    from deployments.cli_logging import hide_tracebacks_of
    from flows.parameters import ParameterError
    from marketing.attribution import AttributionInputError
    from resources import EnvironmentConfigError
    from tasks.budgets import BudgetRunError
    from warehouse.budget_inputs import BudgetInputError
    from warehouse.errors import WarehouseLockedError

    hide_tracebacks_of(ParameterError, AttributionInputError, EnvironmentConfigError,
                       WarehouseLockedError, BudgetRunError, BudgetInputError)


def _emulator_packages() -> list[str]:
    """Name the emulator packages without importing them (the help must stay fast)."""
    import importlib.util
    import pkgutil

    spec = importlib.util.find_spec("emulators")
    folders = list(spec.submodule_search_locations or []) if spec else []
    return sorted(m.name for m in pkgutil.iter_modules(folders)
                  if m.ispkg and not m.name.startswith("_"))


@sandbox_app.command("serve")
def sandbox_serve(
    platform: Annotated[
        str,
        typer.Option(help=f"Emulator to serve: {', '.join(_emulator_packages())}."),
    ] = "meta_ads",
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.", min=1, max=65535)] = 8701,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    seed: Annotated[int, typer.Option(help="Seed of the simulated market.")] = 7,
    fault_rate: Annotated[
        float,
        typer.Option(help="Share of requests answered with an injected fault (0..1).",
                     min=0.0, max=1.0),
    ] = 0.0,
) -> None:
    """Serve one platform emulator on loopback until Ctrl-C."""
    from emulators.registry import EMULATORS

    _check_platforms([platform], sorted(EMULATORS))
    from deployments.preflight import PreflightError, check_port

    try:
        check_port(host, port)  # uvicorn would log the failed bind and exit 3
    except PreflightError as exc:
        _fail(str(exc))
    from emulators.serve import serve_forever

    typer.secho(
        f"Serving the {platform} emulator on http://{host}:{port} (Ctrl-C stops)", fg="cyan"
    )
    serve_forever(platform, port=port, host=host, seed=seed, fault_rate=fault_rate)


@app.command()
def gateway(
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8787,
    host: Annotated[str, typer.Option(help="Interface (loopback by default).")] = "127.0.0.1",
    store_url: Annotated[
        str | None,
        typer.Option(
            help="Inbox store URL (default: $CAMPAIGN_OPS_STORE_URL or "
            "<$CAMPAIGN_OPS_DATA_DIR>/store.sqlite, the flows' store)."
        ),
    ] = None,
) -> None:
    """Receive signed webhooks: verify, store in the inbox, forward to Prefect as events."""
    import os

    from deployments.preflight import PreflightError, check_port, check_store
    from gateway.serve import GatewayConfigError, run, settings_from_environ

    # Settings, port and store are checked before uvicorn starts: it would report a taken
    # port only after opening the store, and a store that fails to open as a lifespan
    # traceback ("Application startup failed", exit 3).
    if store_url is not None:
        store_setting = "--store-url"
    elif os.environ.get("CAMPAIGN_OPS_STORE_URL", "").strip():
        store_setting = "CAMPAIGN_OPS_STORE_URL"
    else:
        store_setting = "the default store"
    try:
        settings = settings_from_environ(store_url=store_url)
        check_port(host, port)
        check_store(settings.store_url, store_setting)
    except (GatewayConfigError, PreflightError) as exc:
        _fail(str(exc))
    typer.secho(f"Webhook gateway on http://{host}:{port} (docs at /docs; Ctrl-C stops)",
                fg="cyan")
    if settings.admin_token is None and not _loopback(host):
        typer.secho("warning: /metrics and the API docs are open to anyone who reaches "
                    f"{host}:{port}; set CAMPAIGN_OPS_GATEWAY_ADMIN_TOKEN to protect them",
                    fg="yellow", err=True)
    run(host=host, port=port, settings=settings)


@app.command()
def up(
    port: Annotated[
        int, typer.Option(help="Port of the local Prefect server.", min=1, max=65535)
    ] = 4200,
    sandbox_port: Annotated[
        int, typer.Option(help="First port for the sandbox emulators.", min=1, max=65535)
    ] = 8701,
    prefect_home: Annotated[
        Path, typer.Option(help="Where the local Prefect server keeps its SQLite database.")
    ] = Path("data/prefect"),
) -> None:
    """Start a Prefect server, the sandbox emulators, and serve every deployment in prefect.yaml."""
    _prefect_defaults()
    from deployments.local import LocalStackError, run_local_stack

    if not (Path.cwd() / "prefect.yaml").is_file():
        _fail("run `campaign-ops up` from the project folder (the one holding prefect.yaml)")
    try:
        run_local_stack(
            prefect_port=port,
            sandbox_port=sandbox_port,
            prefect_home=prefect_home,
            project_dir=Path.cwd(),
        )
    except LocalStackError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        typer.secho("stopped", fg="cyan")


def _run_app() -> int:
    """Run the app; print a usage error (bad option, unknown command) as one line.

    Click's own rendering is a usage line, a hint and a boxed message; one ``error:`` line
    naming the option and the help command says the same in the form every other refusal
    of the CLI takes.
    """
    import sys

    # Click's exception classes, from wherever this typer takes click (newer releases carry
    # their own copy, so `import click` would name other classes).
    errors = sys.modules[typer.BadParameter.__module__]
    try:
        result = app(standalone_mode=False)
    except getattr(errors, "NoArgsIsHelpError", ()):
        return 2  # typer printed the help already
    except errors.UsageError as exc:
        hint = f" (see: {exc.ctx.command_path} --help)" if exc.ctx is not None else ""
        typer.secho(f"error: {exc.format_message()}{hint}", fg="red", err=True)
        return int(exc.exit_code)
    except errors.ClickException as exc:
        typer.secho(f"error: {exc.format_message()}", fg="red", err=True)
        return int(exc.exit_code)
    except typer.Abort:
        typer.secho("error: aborted", fg="red", err=True)
        return 1
    return result if isinstance(result, int) else 0


def main() -> None:
    """Entry point of the `campaign-ops` script.

    Runs the app, sends the run logs Prefect still holds, runs the exit handlers (Prefect
    stops its temporary server there), then leaves without tearing modules down: duckdb
    2.0's bindings print dozens of harmless "nanobind: leaked" lines at interpreter teardown
    once Great Expectations has reflected a DuckDB table, which buried the demo's summary.
    """
    import atexit
    import os
    import sys

    from deployments.cli_logging import flush_prefect_logs

    code: int | str | None = 0
    try:
        code = _run_app()
    except SystemExit as exc:
        code = exc.code
    except Exception:
        # A bug: its traceback, as typer renders it, then the same quiet exit.
        sys.excepthook(*sys.exc_info())
        code = 1
    finally:
        flush_prefect_logs()
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    os._exit(code or 0)


if __name__ == "__main__":
    main()
